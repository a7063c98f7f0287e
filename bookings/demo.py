"""Demo schedules for `seed_demo`: every demo trainer gets one to four weekly or bi-weekly
schedules at the times trainers really work (mornings 06:30-08:00, lunch at 12:00, evenings
17:30-19:30; group classes on weekday evenings and weekend mornings), never overlapping.

The demo trainee (seed_demo sends its id) gets bookings of each kind: see seed_bookings.

Idempotent: only trainers without any schedule get them. Fast: rows are built in memory
and written with bulk_create in batches; the overlap rule is kept by construction (no two
of a trainer's schedules share a weekday at overlapping times, whatever the week), so no
expansion is needed for 100,000 trainers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from marketplace import services as marketplace_services
from marketplace.models import Offering, TrainerProfile, User
from traino.exceptions import DomainError

from . import booking_services, emails, queries, recurrence
from .cache import availability_invalidate_many
from .models import Booking, CancelledBy, Schedule
from .recurrence import build_rrule

BATCH_SIZE = 5000

# (weekdays, start times): personal sessions at the edges of a working day.
PERSONAL_SLOTS = [
    (("MO", "WE"), (time(6, 30), time(7, 0))),
    (("TU", "TH"), (time(6, 30), time(7, 0), time(8, 0))),
    (("MO", "WE", "FR"), (time(7, 0), time(12, 0))),
    (("TU", "TH"), (time(12, 0),)),
    (("MO",), (time(17, 30), time(18, 0), time(19, 30))),
    (("WE",), (time(18, 0), time(19, 0))),
    (("TH",), (time(17, 30), time(18, 30))),
    (("FR",), (time(12, 0), time(17, 30))),
]
# Group classes: weekday evenings and weekend mornings.
GROUP_SLOTS = [
    (("TU", "TH"), (time(18, 0), time(18, 30))),
    (("MO", "WE"), (time(17, 30), time(19, 30))),
    (("SA",), (time(9, 0), time(10, 0))),
    (("SU",), (time(10, 0),)),
]


@lru_cache(maxsize=64)
def _weekly_rule(interval: int, days: tuple[str, ...]) -> str:
    return build_rrule("WEEKLY", interval, days)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _fits(busy: dict[str, list[tuple[int, int]]], days, start: int, end: int) -> bool:
    return all(not (start < b_end and b_start < end) for d in days for b_start, b_end in busy[d])


def plan_trainer(
    offerings: list[dict], rng: random.Random, *, week_start: date, time_zone: str
) -> list[Schedule]:
    """One to four non-overlapping schedules over the trainer's active offerings."""
    wanted = rng.randint(1, 4)
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    schedules: list[Schedule] = []
    for attempt in range(wanted * 4):
        if len(schedules) == wanted:
            break
        # Each offering once first, so a group offering gets its class; then any.
        offering = offerings[attempt] if attempt < len(offerings) else rng.choice(offerings)
        days, starts = rng.choice(GROUP_SLOTS if offering["capacity"] > 1 else PERSONAL_SLOTS)
        start_time = rng.choice(starts)
        start = _minutes(start_time)
        end = start + offering["duration_minutes"]
        if end > 24 * 60 or not _fits(busy, days, start, end):
            continue
        for day in days:
            busy[day].append((start, end))
        interval = 2 if rng.random() < 0.25 else 1
        schedules.append(
            Schedule(
                trainer_id=offering["trainer_id"],
                offering_id=offering["id"],
                starts_on=week_start,
                start_time=start_time,
                time_zone=time_zone,
                rrule=_weekly_rule(interval, days),
            )
        )
    return schedules


def _ids(profiles: Iterable[TrainerProfile | int]) -> list[int]:
    return [p if isinstance(p, int) else p.pk for p in profiles]


def seed_schedules(
    profiles: Iterable[TrainerProfile | int], rng: random.Random, *, today: date | None = None
) -> int:
    """Schedules for the given trainers that have none yet; returns how many were created."""
    today = today or timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    ids = _ids(profiles)
    created = 0
    for first in range(0, len(ids), BATCH_SIZE):
        chunk = ids[first : first + BATCH_SIZE]
        without = TrainerProfile.objects.filter(pk__in=chunk).filter(
            ~Exists(Schedule.objects.filter(trainer_id=OuterRef("pk")))
        )
        zones = dict(without.values_list("pk", "time_zone"))
        offerings: dict[int, list[dict]] = defaultdict(list)
        for row in (
            Offering.objects.filter(trainer_id__in=list(zones), is_active=True)
            .order_by("trainer_id", "id")
            .values("id", "trainer_id", "duration_minutes", "capacity")
        ):
            offerings[row["trainer_id"]].append(row)
        rows: list[Schedule] = []
        for trainer_id in sorted(offerings):
            rows.extend(
                plan_trainer(
                    offerings[trainer_id],
                    rng,
                    week_start=week_start,
                    time_zone=zones[trainer_id],
                )
            )
        Schedule.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        availability_invalidate_many(sorted(offerings))
        # Endless weekly rules from this week: each scheduled offering has sessions to come,
        # which sets the headline price, without expanding anything.
        upcoming: dict[int, set[int]] = {trainer_id: set() for trainer_id in offerings}
        for schedule in rows:
            upcoming[schedule.trainer_id].add(schedule.offering_id)
        marketplace_services.trainers_set_upcoming_offerings(upcoming=upcoming)
        created += len(rows)
    return created


def _demo_schedules(trainer_ids: list[int]) -> list[Schedule]:
    """One active schedule per demo trainer (the known demo trainer's first), sessions of one
    person, for the demo trainee's bookings."""
    rows = (
        Schedule.objects.active()
        .filter(
            trainer_id__in=trainer_ids,
            trainer__is_published=True,
            offering__is_active=True,
        )
        .select_related("offering", "trainer")
        .order_by("trainer_id", "id")
    )
    picked: dict[int, Schedule] = {}
    for schedule in rows[:200]:
        picked.setdefault(schedule.trainer_id, schedule)
    return list(picked.values())


def seed_bookings(trainee: User, trainer_ids: list[int], *, now: datetime | None = None) -> int:
    """The demo trainee's bookings, one of each kind the pages show: a past session
    (completed), two upcoming confirmed ones and a cancelled one. Made through the booking
    services, so every row has its trail. Only for a trainee without any booking yet, so a
    second run adds nothing."""
    now = now or timezone.now()
    if Booking.objects.filter(trainee=trainee).exists():
        return 0
    schedules = _demo_schedules(trainer_ids)
    if not schedules:
        return 0
    made: list[Booking] = []
    with transaction.atomic():
        past = _past_booking(trainee, schedules[0], now)
        if past is not None:
            made.append(past)
        upcoming = _upcoming(schedules, now)
        for occurrence, schedule in upcoming[:3]:
            try:
                booking = booking_services.book_slot(
                    trainee=trainee, schedule_id=schedule.pk, start=occurrence.start, now=now
                )
            except DomainError:
                continue  # taken, or overlapping one already made: try the next one
            booking_services.booking_confirm_payment(booking_id=booking.pk, note="Demo")
            made.append(booking)
        if len(made) >= 3:
            booking_services.booking_cancel(
                booking_id=made[-1].pk,
                by=CancelledBy.TRAINEE,
                actor=trainee,
                reason="Förhinder: krock med jobbet.",
                now=now,
            )
    return len(made)


def _upcoming(schedules: list[Schedule], now: datetime) -> list[tuple]:
    """Bookable occurrences of the next two weeks, earliest first, one trainer after another."""
    found = []
    for schedule in schedules:
        status_of = queries.occurrence_status
        for occurrence in recurrence.expand(schedule, now, now + timedelta(days=14)):
            if status_of(schedule, occurrence.start, now=now).problem is None:
                found.append((occurrence, schedule))
                break
    return sorted(found, key=lambda pair: pair[0].start)


def _past_booking(trainee: User, schedule: Schedule, now: datetime) -> Booking | None:
    """A session of last week, booked the day before it, paid and held. The demo schedule
    starts this week: it is moved to begin three weeks earlier (same rule) first."""
    earlier = schedule.starts_on - timedelta(weeks=3)
    if schedule.starts_on > earlier and not schedule.bookings.exists():
        Schedule.objects.filter(pk=schedule.pk).update(starts_on=earlier)
        schedule.starts_on = earlier
    sessions = recurrence.expand(schedule, now - timedelta(days=14), now - timedelta(hours=3))
    if not sessions:
        return None
    occurrence = sessions[-1]
    booked_at = occurrence.start - timedelta(days=1)
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=occurrence.start, now=booked_at
    )
    booking_services.booking_confirm_payment(booking_id=booking.pk, note="Demo")
    booking_services.bookings_complete_finished(now=occurrence.end)
    return booking


def on_demo_trainers_seeded(
    sender, *, trainer_ids: list[int], trainee_ids: list[int] = (), **kwargs
) -> str:
    """seed_demo's hook (marketplace sends it without importing bookings)."""
    created = seed_schedules(trainer_ids, random.Random("traino-demo-schedules"))  # noqa: S311
    lines = [f"Demo schedules: {created} created (trainers that already had some were left alone)."]
    for trainee in User.objects.filter(pk__in=list(trainee_ids)):
        with emails.muted():  # demo accounts: nobody to tell
            booked = seed_bookings(trainee, trainer_ids)
        lines.append(f"Demo bookings for the demo trainee: {booked} created.")
    return "\n".join(lines)
