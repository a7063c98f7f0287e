"""Who sees a trainer's exact place, and what it is for one booking.

Everything public shows a trainer's approximate point (marketplace/location.py). The exact
address and pin are for the trainer, staff, and a trainee with an active or recent booking
of that trainer: the booking's page and its confirmation email read them through
``booking_exact_location``, the one place this rule lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from marketplace.models import TrainerProfile

from .models import Booking, BookingStatus

# A trainee still sees the place this long after their session ended (to find it again, to
# leave something behind...); cancelled and expired bookings never show it.
RECENT_DAYS = 30


@dataclass(frozen=True)
class ExactLocation:
    """Where a booked session takes place: the offering's venue when it has one, else the
    trainer's own address and pin."""

    name: str
    address: str
    latitude: float | None
    longitude: float | None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _revealing(now: datetime) -> Q:
    return (
        Q(status=BookingStatus.CONFIRMED)
        | Q(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__gt=now)
        | Q(
            status__in=[
                BookingStatus.COMPLETED,
                BookingStatus.NO_SHOW_TRAINEE,
                BookingStatus.NO_SHOW_TRAINER,
            ],
            end__gte=now - timedelta(days=RECENT_DAYS),
        )
    )


def can_see_exact_location(user, trainer: TrainerProfile, *, now: datetime | None = None) -> bool:
    """The trainer, staff, or a trainee with an active or recent booking of the trainer."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or trainer.user_id == user.pk:
        return True
    now = now or timezone.now()
    return Booking.objects.filter(
        _revealing(now), trainee_id=user.pk, trainer_id=trainer.pk
    ).exists()


def booking_exact_location(
    *, booking: Booking, user, now: datetime | None = None
) -> ExactLocation | None:
    """The exact place of ``booking`` for ``user``, or None when they may not see it (not the
    booking's trainee, trainer or staff; or the booking is neither active nor recent)."""
    if not getattr(user, "is_authenticated", False):
        return None
    trainer = booking.trainer
    if not (user.is_staff or trainer.user_id == user.pk):
        now = now or timezone.now()
        if booking.trainee_id != user.pk:
            return None
        if not Booking.objects.filter(_revealing(now), pk=booking.pk).exists():
            return None
    offering = booking.offering
    if offering.latitude is not None and offering.longitude is not None:
        return ExactLocation(
            name=offering.location_name,
            address=offering.location_name,
            latitude=offering.latitude,
            longitude=offering.longitude,
        )
    return ExactLocation(
        name=trainer.display_name,
        address=trainer.address or trainer.city,
        latitude=trainer.latitude,
        longitude=trainer.longitude,
    )
