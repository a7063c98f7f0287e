"""Reads of the bookings app: availability (cached), the trainer's calendar, "available now".

Availability is cached per trainer and window under the trainer's version key (see
bookings/cache.py). What depends on the moment of the request (past, closer than
MIN_BOOKING_NOTICE_MINUTES, beyond the horizon) is filtered after the cache read, so a
cached answer never offers a slot that has become too close.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from marketplace.models import TrainerProfile

from . import recurrence
from .cache import availability_key, availability_version
from .models import Schedule
from .recurrence import Occurrence

__all__ = [
    "Occurrence",
    "seats_taken",
    "trainer_availability",
    "trainer_calendar",
    "trainer_ids_with_availability",
]

SeatKey = tuple[int, datetime]


def seats_taken(occurrences: Sequence[Occurrence]) -> dict[SeatKey, int]:
    """Seats already sold per (schedule_id, start UTC). Nothing is booked before bookings exist.

    The bookings-with-payment issue fills this in (and calls availability_invalidate on every
    booking change); absent keys mean zero.
    """
    return {}


def _bookable_schedules(trainer_ids: Iterable[int] | None = None):
    qs = Schedule.objects.active().filter(offering__is_active=True).select_related("offering")
    if trainer_ids is not None:
        qs = qs.filter(trainer_id__in=list(trainer_ids))
    return qs


def _with_seats(occurrences: list[Occurrence]) -> list[Occurrence]:
    taken = seats_taken(occurrences)
    result = []
    for occurrence in occurrences:
        occurrence.seats_left = occurrence.capacity - taken.get(
            (occurrence.schedule_id, occurrence.start), 0
        )
        if occurrence.seats_left > 0:
            result.append(occurrence)
    return result


def _expand_all(schedules: Iterable[Schedule], start: datetime, end: datetime) -> list[Occurrence]:
    last_day = end.date() + timedelta(days=1)
    occurrences: list[Occurrence] = []
    for schedule in schedules:
        if schedule.starts_on > last_day:
            continue
        occurrences.extend(recurrence.expand(schedule, start, end))
    return recurrence.sorted_by_start(occurrences)


def _bookable_now(occurrences: list[Occurrence], now: datetime) -> list[Occurrence]:
    earliest = now + timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES)
    latest = recurrence.horizon_end(now)
    return [o for o in occurrences if earliest <= o.start < latest]


def trainer_availability(
    trainer: TrainerProfile | int,
    start_utc: datetime,
    end_utc: datetime,
    *,
    now: datetime | None = None,
) -> list[Occurrence]:
    """Bookable occurrences starting in [start_utc, end_utc): not cancelled, not full, not
    past, not closer than the minimum notice, within the horizon. Sorted by start."""
    trainer_id = trainer if isinstance(trainer, int) else trainer.pk
    now = now or timezone.now()
    version = availability_version(trainer_id)  # before the rows: see bookings/cache.py
    key = availability_key(
        trainer_id, version, start_utc.strftime("%Y%m%dT%H%M%S"), end_utc.strftime("%Y%m%dT%H%M%S")
    )
    occurrences = cache.get(key)
    if occurrences is None:
        schedules = _bookable_schedules([trainer_id])
        occurrences = _with_seats(_expand_all(schedules, start_utc, end_utc))
        cache.set(key, occurrences, settings.AVAILABILITY_CACHE_SECONDS)
    return _bookable_now(occurrences, now)


def trainer_calendar(
    trainer: TrainerProfile, start_utc: datetime, end_utc: datetime
) -> list[Occurrence]:
    """Every occurrence of the trainer's active schedules in the window, past ones included,
    with seats left: what the trainer's own calendar shows. Not cached (one reader)."""
    schedules = Schedule.objects.active().filter(trainer=trainer).select_related("offering")
    occurrences = _expand_all(schedules, start_utc, end_utc)
    taken = seats_taken(occurrences)
    for occurrence in occurrences:
        occurrence.seats_left = occurrence.capacity - taken.get(
            (occurrence.schedule_id, occurrence.start), 0
        )
    return occurrences


def trainer_ids_with_availability(
    start_utc: datetime,
    end_utc: datetime,
    *,
    trainer_ids: Iterable[int] | None = None,
    now: datetime | None = None,
) -> set[int]:
    """Published trainers (optionally among ``trainer_ids``) with at least one bookable
    occurrence starting in the window: the "available this week" filter.

    One query for every candidate schedule; each trainer's schedules are expanded only until
    one bookable occurrence is found.
    """
    now = now or timezone.now()
    start = max(start_utc, now + timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES))
    end = min(end_utc, recurrence.horizon_end(now))
    if start >= end:
        return set()
    schedules = (
        _bookable_schedules(trainer_ids)
        .filter(trainer__is_published=True, starts_on__lte=end.date() + timedelta(days=1))
        .order_by("trainer_id", "id")
    )
    found: set[int] = set()
    for schedule in schedules.iterator(chunk_size=2000):
        if schedule.trainer_id in found:
            continue
        if _with_seats(recurrence.expand(schedule, start, end)):
            found.add(schedule.trainer_id)
    return found
