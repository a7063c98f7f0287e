"""Money changes on the booking's event trail (bookings.BookingEvent), in one place."""

from __future__ import annotations

from bookings.models import Booking, BookingEvent
from marketplace.money import format_money


def trail(booking_id: int, note: str) -> None:
    """A money change on the booking's event trail (its status stays as it is)."""
    status = Booking.objects.filter(pk=booking_id).values_list("status", flat=True).first()
    if status is not None:
        BookingEvent.objects.create(
            booking_id=booking_id, from_status=status, to_status=status, note=note
        )


def money_text(amount: int, currency: str) -> str:
    return format_money(amount, currency, "en")
