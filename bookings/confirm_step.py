"""The step between a change and the booked sessions it would cancel: the trainer sees
them (when, what, who, paid) and either goes ahead, which repeats the same POST with
``cancel_bookings=1``, or goes back, changing nothing."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import get_language

from marketplace.money import format_money
from marketplace.permissions import trainer_profile_of

from . import services
from .errors import BookingsAffected


def _language() -> str:
    return "sv" if (get_language() or "en").startswith("sv") else "en"


def affected_rows(bookings, zone) -> list[dict]:
    """What the confirm step lists for each booking in the way."""
    rows = []
    for booking in bookings:
        start = booking.start.astimezone(zone)
        rows.append(
            {
                "when": "{}–{}".format(
                    services.local_label(start), booking.end.astimezone(zone).strftime("%H:%M")
                ),
                "title": booking.offering.title,
                "who": (booking.trainee.name or "").split(" ")[0] or f"#{booking.pk}",
                "status": booking.get_status_display(),
                "price": format_money(booking.price_amount, booking.currency, _language()),
            }
        )
    return rows


def render_confirm(
    request,
    exc: BookingsAffected,
    *,
    zone,
    heading: str,
    action: str,
    confirm_label: str,
    back_url: str,
    hidden: dict | None = None,
    tab: str = "calendar",
):
    """The page between a change and the bookings it would cancel: lists them, then either
    goes ahead (the same POST with ``cancel_bookings=1``) or goes back, changing nothing."""
    context = {
        "heading": heading,
        "message": str(exc.message),
        "rows": affected_rows(exc.bookings, zone),
        "action": action,
        "hidden": hidden or {},
        "confirm_label": confirm_label,
        "back_url": back_url,
        "tab": tab,
        "profile": trainer_profile_of(request.user),
    }
    return render(request, "bookings/confirm_cancel_bookings.html", context)
