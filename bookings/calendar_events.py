"""What the trainer's own calendar shows: every session of the active schedules in a window,
the cancelled ones too (struck through, with "restore"), and on each the seats booked and
the first names of who booked them.

A cancelled session is an EXDATE that is still one of the rule's starts: an EXDATE left
behind by a later change of the rule shows nowhere, since there is no session to restore.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from marketplace.models import TrainerProfile

from . import queries, recurrence
from .models import Booking, Schedule

SLOT_FORMAT = "%Y%m%dT%H%M%SZ"


def _first_name(booking: Booking) -> str:
    return (booking.trainee.name or "").split(" ")[0]


def booked_in_window(
    trainer: TrainerProfile, start_utc: datetime, end_utc: datetime, *, now: datetime
) -> dict[tuple[int, datetime], list[Booking]]:
    """Bookings holding a seat, per (schedule id, start UTC), oldest first."""
    rows = (
        queries.holding_seats(Booking.objects.filter(trainer=trainer), now)
        .filter(start__gte=start_utc, start__lt=end_utc)
        .select_related("trainee")
        .order_by("start", "pk")
    )
    found: dict[tuple[int, datetime], list[Booking]] = defaultdict(list)
    for booking in rows:
        found[(booking.schedule_id, booking.start)].append(booking)
    return found


def cancelled_starts(
    schedule: Schedule, start_utc: datetime, end_utc: datetime
) -> list[tuple[datetime, datetime]]:
    """(naive local start, UTC start) of the schedule's cancelled sessions in the window."""
    found = []
    for value in schedule.exdates or ():
        naive = datetime.fromisoformat(value)
        start = recurrence.localize(naive, schedule.zone)
        if start_utc <= start < end_utc and recurrence.is_occurrence(schedule, naive):
            found.append((naive, start))
    return found


def _event(*, schedule_id, title, start, end, zone, capacity, booked, cancelled) -> dict:
    return {
        "id": f"{schedule_id}-{start.strftime(SLOT_FORMAT)}",
        "title": title,
        "start": start.astimezone(zone).isoformat(),
        "end": end.astimezone(zone).isoformat(),
        "extendedProps": {
            "schedule_id": schedule_id,
            "start_local": start.astimezone(zone).replace(tzinfo=None).isoformat(),
            "seats_left": max(0, capacity - len(booked)) if not cancelled else 0,
            "capacity": capacity,
            "booked": len(booked),
            "attendees": [_first_name(booking) for booking in booked],
            "cancelled": cancelled,
        },
    }


def trainer_calendar_events(
    trainer: TrainerProfile, start_utc: datetime, end_utc: datetime, *, now: datetime | None = None
) -> list[dict]:
    """FullCalendar events for GET /api/trainer/calendar, sorted by start."""
    now = now or timezone.now()
    booked = booked_in_window(trainer, start_utc, end_utc, now=now)
    events = [
        _event(
            schedule_id=o.schedule_id,
            title=o.offering_title,
            start=o.start,
            end=o.end,
            zone=o.start_local.tzinfo,
            capacity=o.capacity,
            booked=booked.get((o.schedule_id, o.start), []),
            cancelled=False,
        )
        for o in queries.trainer_calendar(trainer, start_utc, end_utc, now=now)
    ]
    schedules = Schedule.objects.active().filter(trainer=trainer).select_related("offering")
    for schedule in schedules:
        if not schedule.exdates:
            continue
        duration = schedule.duration
        for _naive, start in cancelled_starts(schedule, start_utc, end_utc):
            events.append(
                _event(
                    schedule_id=schedule.pk,
                    title=schedule.offering.title,
                    start=start,
                    end=start + duration,
                    zone=schedule.zone,
                    capacity=schedule.offering.capacity,
                    booked=[],
                    cancelled=True,
                )
            )
    events.sort(key=lambda event: (datetime.fromisoformat(event["start"]), event["id"]))
    return events
