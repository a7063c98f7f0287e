"""Reads of the bookings app: availability (cached), the trainer's calendar, "available now".

Availability is cached per trainer and window under the trainer's version key (see
bookings/cache.py). What depends on the moment of the request (past, closer than
MIN_BOOKING_NOTICE_MINUTES, beyond the horizon) is filtered after the cache read, so a
cached answer never offers a slot that has become too close.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Offering, TrainerProfile

from . import recurrence
from .cache import availability_key, availability_version
from .models import ACTIVE_STATUSES, Booking, BookingStatus, NoShowReview, Schedule
from .recurrence import Occurrence

__all__ = [
    "Occurrence",
    "SlotStatus",
    "occurrence_status",
    "seats_taken",
    "slot_status",
    "trainer_availability",
    "trainer_calendar",
    "trainer_has_coming_session",
    "trainer_ids_with_availability",
    "upcoming_offering_ids",
]

SeatKey = tuple[int, datetime]


def seats_taken(
    occurrences: Sequence[Occurrence], *, now: datetime | None = None
) -> dict[SeatKey, int]:
    """Seats held per (schedule_id, start UTC), absent keys meaning zero: confirmed bookings
    and pending ones whose hold has not run out (a dead hold never blocks a seat, even
    before the beat task has expired it). One query, whatever the number of occurrences."""
    if not occurrences:
        return {}
    now = now or timezone.now()
    schedule_ids = {o.schedule_id for o in occurrences}
    starts = [o.start for o in occurrences]
    rows = (
        holding_seats(Booking.objects.filter(schedule_id__in=schedule_ids), now)
        .filter(start__gte=min(starts), start__lte=max(starts))
        .values("schedule_id", "start")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(row["schedule_id"], row["start"]): row["n"] for row in rows}


def holding_seats(bookings, now: datetime):
    """The bookings of ``bookings`` that hold their seat at ``now``."""
    return bookings.filter(
        Q(status=BookingStatus.CONFIRMED)
        | Q(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__gt=now)
    )


def next_hold_expiry(trainer_id: int, now: datetime) -> datetime | None:
    """When the trainer's earliest live hold runs out: a cached availability answer that
    counted it must not outlive it."""
    return (
        Booking.objects.filter(
            trainer_id=trainer_id,
            status=BookingStatus.PENDING_PAYMENT,
            hold_expires_at__gt=now,
        )
        .order_by("hold_expires_at")
        .values_list("hold_expires_at", flat=True)
        .first()
    )


# What expansion reads: building full rows (timestamps above all) was most of the cost.
EXPANSION_FIELDS = (
    "id",
    "trainer_id",
    "offering_id",
    "starts_on",
    "start_time",
    "duration_minutes",
    "time_zone",
    "rrule",
    "exdates",
    "offering__id",
    "offering__title",
    "offering__duration_minutes",
    "offering__price_amount",
    "offering__currency",
    "offering__capacity",
)  # in each model's field order: _schedule_from_row hands them to Model.from_db


TRAINER_CHUNK = 2000
SCHEDULE_ATTNAMES = tuple(name for name in EXPANSION_FIELDS if not name.startswith("offering__"))
OFFERING_ATTNAMES = tuple(
    name.removeprefix("offering__") for name in EXPANSION_FIELDS if name.startswith("offering__")
)


def _bookable_schedules(trainer_ids: Iterable[int] | None = None):
    qs = (
        Schedule.objects.active()
        .filter(offering__is_active=True)
        .select_related("offering")
        .only(*EXPANSION_FIELDS)
        .order_by()
    )
    if trainer_ids is not None:
        qs = qs.filter(trainer_id__in=list(trainer_ids))
    return qs


def _with_seats(occurrences: list[Occurrence], now: datetime | None = None) -> list[Occurrence]:
    taken = seats_taken(occurrences, now=now)
    result = []
    for occurrence in occurrences:
        occurrence.seats_left = max(
            0, occurrence.capacity - taken.get((occurrence.schedule_id, occurrence.start), 0)
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


_Packed = tuple  # schedule, offering, title, start ts, end ts, zone, capacity, seats, price...


def _pack(occurrences: list[Occurrence]) -> list[_Packed]:
    """Plain tuples for the cache: unpickling datetimes with a ZoneInfo each costs ~10x more."""
    return [
        (
            o.schedule_id,
            o.offering_id,
            o.offering_title,
            int(o.start.timestamp()),
            int(o.end.timestamp()),
            o.time_zone,
            o.capacity,
            o.seats_left,
            o.price_amount,
            o.currency,
            o.duration_minutes,
        )
        for o in occurrences
    ]


def _unpack(rows: list[_Packed], earliest: datetime, latest: datetime) -> list[Occurrence]:
    low, high = earliest.timestamp(), latest.timestamp()
    result = []
    for row in rows:
        if not low <= row[3] < high:
            continue
        zone = ZoneInfo(row[5])
        start = datetime.fromtimestamp(row[3], UTC)
        end = datetime.fromtimestamp(row[4], UTC)
        result.append(
            Occurrence(
                schedule_id=row[0],
                offering_id=row[1],
                offering_title=row[2],
                start=start,
                end=end,
                start_local=start.astimezone(zone),
                end_local=end.astimezone(zone),
                time_zone=row[5],
                capacity=row[6],
                seats_left=row[7],
                price_amount=row[8],
                currency=row[9],
                duration_minutes=row[10],
            )
        )
    return result


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
    rows = cache.get(key)
    if rows is None:
        schedules = _bookable_schedules([trainer_id])
        rows = _pack(_with_seats(_expand_all(schedules, start_utc, end_utc), now))
        cache.set(key, rows, _cache_seconds(trainer_id, now))
    earliest = now + timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES)
    return _unpack(rows, earliest, recurrence.horizon_end(now))


def _cache_seconds(trainer_id: int, now: datetime) -> int:
    """AVAILABILITY_CACHE_SECONDS, or less when a hold counted in the answer runs out first
    (nobody bumps the version when a hold merely passes its time)."""
    seconds = settings.AVAILABILITY_CACHE_SECONDS
    expiry = next_hold_expiry(trainer_id, now)
    if expiry is not None:
        seconds = min(seconds, max(1, math.ceil((expiry - now).total_seconds())))
    return seconds


def trainer_has_coming_session(trainer_id: int, *, now: datetime | None = None) -> bool:
    """Whether an active schedule of an active offering has a session (not cancelled) from
    ``now`` up to the horizon: what publishing a trainer's page needs. Stops at the first."""
    now = now or timezone.now()
    end = recurrence.horizon_end(now)
    return any(
        recurrence.utc_starts(schedule, now, end)
        for schedule in _bookable_schedules([trainer_id]).iterator()
    )


def trainer_calendar(
    trainer: TrainerProfile,
    start_utc: datetime,
    end_utc: datetime,
    *,
    now: datetime | None = None,
) -> list[Occurrence]:
    """Every occurrence of the trainer's active schedules in the window, past ones included,
    with seats left: what the trainer's own calendar shows. Not cached (one reader)."""
    schedules = Schedule.objects.active().filter(trainer=trainer).select_related("offering")
    occurrences = _expand_all(schedules, start_utc, end_utc)
    taken = seats_taken(occurrences, now=now)
    for occurrence in occurrences:
        occurrence.seats_left = max(
            0, occurrence.capacity - taken.get((occurrence.schedule_id, occurrence.start), 0)
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
    if trainer_ids is None:
        trainer_ids = (
            Schedule.objects.active()
            .filter(trainer__is_published=True)
            .order_by("trainer_id")
            .values_list("trainer_id", flat=True)
            .distinct()
        )
    ids = sorted(set(trainer_ids))
    found: set[int] = set()
    for first in range(0, len(ids), TRAINER_CHUNK):
        # Plain lists per chunk, not a server-side cursor: on PostgreSQL a cursor's
        # fast-start plan made this query 10x slower.
        rows = list(
            _bookable_schedules(ids[first : first + TRAINER_CHUNK])
            .filter(trainer__is_published=True, starts_on__lte=end.date() + timedelta(days=1))
            .order_by("trainer_id", "id")
            .values_list(*EXPANSION_FIELDS)
        )
        for row in rows:
            # A model instance only for a trainer still undecided: building instances that
            # were then skipped was most of the cost at 1,000 trainers.
            if row[1] in found:
                continue
            if _with_seats(recurrence.expand(_schedule_from_row(row), start, end), now):
                found.add(row[1])
    return found


# What has_start_after reads of a schedule.
UPCOMING_FIELDS = (
    "id",
    "trainer_id",
    "offering_id",
    "starts_on",
    "start_time",
    "time_zone",
    "rrule",
    "exdates",
)


def upcoming_offering_ids(trainer_ids: Iterable[int], *, now: datetime) -> dict[int, set[int]]:
    """trainer id -> ids of the offerings that have an active schedule with a session still
    to come (cancelled ones left out, seats not counted: a full session is still offered at
    that price). One query; each offering's schedules are walked until one has a session."""
    ids = sorted(set(trainer_ids))
    upcoming: dict[int, set[int]] = {trainer_id: set() for trainer_id in ids}
    schedules = (
        Schedule.objects.active()
        .filter(trainer_id__in=ids)
        .only(*UPCOMING_FIELDS)
        .order_by("trainer_id", "offering_id", "id")
    )
    for schedule in schedules:
        found = upcoming[schedule.trainer_id]
        if schedule.offering_id not in found and recurrence.has_start_after(schedule, now):
            found.add(schedule.offering_id)
    return upcoming


SLOT_PROBLEMS = {
    "not_in_schedule": _("This time is not in the trainer's schedule."),
    "started": _("This session has already started."),
    "too_soon": _("This session starts too soon to be booked online."),
    "not_open": _("This session is not open for booking yet."),
    "full": _("This session is full."),
}


@dataclass(frozen=True)
class SlotStatus:
    """A slot's occurrence (None when the schedule has no such session) and why it cannot be
    booked (``problem``, a key of SLOT_PROBLEMS; None when it can)."""

    occurrence: Occurrence | None
    problem: str | None

    @property
    def bookable(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str | None:
        return str(SLOT_PROBLEMS[self.problem]) if self.problem else None


def occurrence_status(
    schedule: Schedule | None, start: datetime | None, *, now: datetime
) -> SlotStatus:
    """Everything slot_status decides except seats: whether ``start`` is a (not cancelled)
    occurrence of an active schedule and offering, and whether it is open for booking now
    (not started, not inside the minimum notice, within the horizon). The booking service
    decides seats itself, under the slot's lock."""
    if (
        schedule is None
        or start is None
        or not recurrence.in_date_range(start.date(), now)
        or not (schedule.is_active and schedule.offering.is_active)
    ):
        return SlotStatus(None, "not_in_schedule")
    found = [
        occurrence
        for occurrence in recurrence.expand(schedule, start, start + timedelta(minutes=1))
        if occurrence.start == start
    ]
    if not found:
        return SlotStatus(None, "not_in_schedule")
    occurrence = found[0]
    if occurrence.start <= now:
        return SlotStatus(occurrence, "started")
    if occurrence.start < now + timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES):
        return SlotStatus(occurrence, "too_soon")
    if occurrence.start >= recurrence.horizon_end(now):
        return SlotStatus(occurrence, "not_open")
    return SlotStatus(occurrence, None)


def slot_status(schedule: Schedule | None, start: datetime | None, *, now: datetime) -> SlotStatus:
    """Whether the occurrence of ``schedule`` starting at ``start`` (aware UTC) can be booked
    now: the same filters as availability (active, not cancelled, notice, horizon, seats)."""
    status = occurrence_status(schedule, start, now=now)
    if status.problem is not None:
        return status
    bookable = [
        occurrence
        for occurrence in trainer_availability(
            schedule.trainer_id, start, start + timedelta(minutes=1), now=now
        )
        if occurrence.schedule_id == schedule.pk and occurrence.start == start
    ]
    if bookable:
        return SlotStatus(bookable[0], None)
    status.occurrence.seats_left = 0
    return SlotStatus(status.occurrence, "full")


def _schedule_from_row(row: tuple) -> Schedule:
    split = len(SCHEDULE_ATTNAMES)
    schedule = Schedule.from_db("default", SCHEDULE_ATTNAMES, row[:split])
    schedule.offering = Offering.from_db("default", OFFERING_ATTNAMES, row[split:])
    return schedule


# --- bookings ------------------------------------------------------------------------------


def _booking_rows():
    return Booking.objects.select_related("trainer", "offering", "trainee")


def booking_for_user(user, booking_id: int) -> Booking | None:
    """The booking if ``user`` is its trainee, its trainer or staff; None otherwise (the API
    answers 404 either way, so ids of other people's bookings reveal nothing)."""
    booking = _booking_rows().filter(pk=booking_id).first()
    if booking is None:
        return None
    if user.is_staff or booking.trainee_id == user.pk or booking.trainer.user_id == user.pk:
        return booking
    return None


def bookings_of_trainee(user, *, status: str | None = None):
    rows = _booking_rows().filter(trainee=user)
    return rows.filter(status=status) if status else rows


def bookings_of_trainer(profile: TrainerProfile, *, status: str | None = None):
    rows = _booking_rows().filter(trainer=profile)
    return rows.filter(status=status) if status else rows


def bookings_active_upcoming(*, now: datetime | None = None, **filters):
    """Active bookings not started yet, e.g. of a schedule, offering, trainer or trainee:
    the ones a change to those would strand."""
    now = now or timezone.now()
    return (
        Booking.objects.filter(status__in=ACTIVE_STATUSES, start__gt=now, **filters)
        .select_related("trainee", "offering")
        .order_by("start", "pk")
    )


def trainer_no_show_count(trainer: TrainerProfile | int) -> int:
    """Upheld reports that the trainer did not come: the trainer's record."""
    trainer_id = trainer if isinstance(trainer, int) else trainer.pk
    return Booking.objects.filter(
        trainer_id=trainer_id,
        status=BookingStatus.NO_SHOW_TRAINER,
        no_show_review=NoShowReview.UPHELD,
    ).count()
