"""What bookings holds on a user, for their data download (marketplace.account_services):
JSON-ready, without secrets (a calendar feed's token is not in it) and without other
people's details (a trainer sees the sessions sold, not who bought them)."""

from __future__ import annotations

from typing import Any

from marketplace.models import TrainerProfile

from .models import Booking, CalendarFeed, Schedule


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _booking(booking: Booking, *, as_trainee: bool) -> dict[str, Any]:
    row = {
        "id": booking.pk,
        "offering": booking.offering.title,
        "start": _when(booking.start),
        "end": _when(booking.end),
        "price": {"amount": booking.price_amount, "currency": booking.currency},
        "status": booking.status,
        "cancelled_by": booking.cancelled_by or None,
        "cancelled_at": _when(booking.cancelled_at),
        "refund": (
            {"amount": booking.refund_amount, "percent": booking.refund_percent}
            if booking.refund_amount is not None
            else None
        ),
        "created_at": _when(booking.created_at),
    }
    if as_trainee:
        row["trainer"] = booking.trainer.display_name
        row["cancel_reason"] = booking.cancel_reason
    return row


def user_bookings_data(*, user) -> dict[str, Any]:
    as_trainee = Booking.objects.filter(trainee=user).select_related("offering", "trainer")
    data: dict[str, Any] = {
        "bookings": [_booking(b, as_trainee=True) for b in as_trainee.order_by("start", "pk")],
    }
    profile = TrainerProfile.objects.filter(user=user).first()
    if profile is not None:
        sold = Booking.objects.filter(trainer=profile).select_related("offering")
        data["sessions_booked_with_you"] = [
            _booking(b, as_trainee=False) for b in sold.order_by("start", "pk")
        ]
        data["schedules"] = [
            {
                "id": schedule.pk,
                "offering": schedule.offering.title,
                "starts_on": schedule.starts_on.isoformat(),
                "start_time": schedule.start_time.strftime("%H:%M"),
                "duration_minutes": schedule.duration_minutes,
                "time_zone": schedule.time_zone,
                "rrule": schedule.rrule,
                "cancelled_sessions": schedule.exdates,
                "is_active": schedule.is_active,
                "created_at": _when(schedule.created_at),
            }
            for schedule in Schedule.objects.filter(trainer=profile).select_related("offering")
        ]
        feed = CalendarFeed.objects.filter(trainer=profile).first()
        data["calendar_feed"] = {"created_at": _when(feed.created_at)} if feed else None
    return data
