"""Search by when: trainers with a bookable session on some weekdays in a local time window.

``GET /api/trainers?bbox=...&days=tue,thu&from_time=06:00&to_time=09:00`` (and the map page)
keeps the trainers that have a bookable occurrence (not cancelled, not full, not inside the
booking notice) starting within the next SEARCH_DAYS days, on one of ``days`` and at or after
``from_time`` and before ``to_time`` *in the trainer's own time zone*: 07:00 in Stockholm
is 07:00 before and after a daylight-saving change.

The marketplace must not import bookings: ``register`` hands the filter to
``marketplace.discovery_filters`` when the bookings app starts (apps.ready), and discovery
applies it after the box and the other filters.

Cost: the database first narrows the schedules of the trainers that passed the other
filters by their local start time and by the weekdays named in the rule (a superset: a rule
without BYDAY is always a candidate); only those are expanded, a trainer's schedules only
until one has a matching session, and seats are counted in one query per round.
(A schedule's occurrences start at its local start time; on a spring-forward night one that
falls in the gap moves an hour later and is judged by that later time, if it was a
candidate.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace import discovery_filters
from traino.exceptions import DomainError

from . import queries, recurrence
from .recurrence import WEEKDAYS

SEARCH_DAYS = 14
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PARAMS = ("days", "from_time", "to_time")
TIME_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")
SEATS_CHUNK = 1000  # trainers whose seats one query counts
# What the filter reads of a schedule (and its offering's capacity), in _matching_starts' order.
FIELDS = (
    "id",
    "trainer_id",
    "starts_on",
    "start_time",
    "time_zone",
    "rrule",
    "exdates",
    "offering__capacity",
)


class InvalidWhen(DomainError):
    code = "INVALID_FILTER"
    message = _("A filter is not valid.")


@dataclass(frozen=True)
class When:
    """Weekdays (0 = Monday) and a local window [start, end); ``end`` None: until midnight."""

    weekdays: frozenset[int]
    start: time
    end: time | None

    def matches(self, local: datetime) -> bool:
        if local.weekday() not in self.weekdays:
            return False
        clock = local.time().replace(tzinfo=None)
        return clock >= self.start and (self.end is None or clock < self.end)


def _refuse(name: str, message) -> InvalidWhen:
    return InvalidWhen(message, fields={name: [message]})


def _one(params, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise _refuse(name, _("Send %(name)s once.") % {"name": name})
    return values[0].strip() if values else None


def _time(raw: str, name: str) -> time | None:
    if not TIME_PATTERN.fullmatch(raw):
        raise _refuse(name, _("%(name)s must be a time as HH:MM, e.g. 06:00.") % {"name": name})
    if raw == "24:00":
        return None
    return time(int(raw[:2]), int(raw[3:]))


def parse_when(params) -> When | None:
    """None when none of days, from_time, to_time is sent. Days default to every day, the
    window to the whole day; from_time must be before to_time."""
    raw = {name: _one(params, name) for name in PARAMS}
    if not any(raw.values()):
        return None
    weekdays = set(range(7))
    if raw["days"]:
        names = [part.strip().lower() for part in raw["days"].split(",") if part.strip()]
        unknown = [name for name in names if name not in DAY_NAMES]
        if unknown or not names:
            raise _refuse(
                "days",
                _("days must be weekdays from mon, tue, wed, thu, fri, sat, sun, e.g. tue,thu."),
            )
        weekdays = {DAY_NAMES.index(name) for name in names}
    start = _time(raw["from_time"], "from_time") if raw["from_time"] else time(0, 0)
    if start is None:  # from_time=24:00
        raise _refuse("from_time", _("from_time must be before 24:00."))
    end = _time(raw["to_time"], "to_time") if raw["to_time"] else None
    if end is not None and end <= start:
        # Each time is well formed (the schema's pattern); together they mean nothing: 422.
        message = _("to_time must be later than from_time.")
        raise InvalidWhen(message, fields={"to_time": [message]}, status=422)
    return When(weekdays=frozenset(weekdays), start=start, end=end)


def _weekday_candidates(weekdays: frozenset[int]) -> Q:
    """Schedules whose rule may fall on one of ``weekdays``: BYDAY names one of them, or the
    rule has no BYDAY (its days follow from the first date or a day of the month)."""
    if len(weekdays) == 7:
        return Q()
    names = "|".join(WEEKDAYS[day] for day in sorted(weekdays))
    return ~Q(rrule__contains="BYDAY=") | Q(rrule__regex=rf"BYDAY=[^;]*({names})")


class _Start(NamedTuple):
    """What ``queries.seats_taken`` reads of an occurrence, and its capacity."""

    schedule_id: int
    start: datetime
    capacity: int


class _Rule(NamedTuple):
    """What ``recurrence.utc_starts`` reads of a schedule: building model instances for
    every candidate schedule was most of this filter's cost."""

    pk: int
    starts_on: date
    start_time: time
    time_zone: str
    rrule: str
    exdates: list

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _matching_starts(row: tuple, when: When, start: datetime, end: datetime) -> list[_Start]:
    """``row`` is a row of ``FIELDS``; weekday and clock are read in the schedule's zone."""
    pk, starts_on, start_time, time_zone, rrule, exdates, capacity = row[0], *row[2:]
    rule = _Rule(pk, starts_on, start_time, time_zone, rrule, exdates)
    zone = rule.zone
    return [
        _Start(pk, moment, capacity)
        for moment in recurrence.utc_starts(rule, start, end)
        if when.matches(moment.astimezone(zone))
    ]


def trainer_ids_free_when(
    trainers: QuerySet, when: When, *, now: datetime | None = None
) -> set[int]:
    """Ids among ``trainers`` with a bookable occurrence matching ``when`` in the next
    SEARCH_DAYS days (after the minimum booking notice).

    Rounds: each undecided trainer's schedules are expanded in order until one has a
    matching session, then one query counts the seats of all of them; a trainer whose
    matching sessions are all full goes on with its next schedule in the next round.
    """
    now = now or timezone.now()
    start = now + timedelta(minutes=settings.MIN_BOOKING_NOTICE_MINUTES)
    end = min(now + timedelta(days=SEARCH_DAYS), recurrence.horizon_end(now))
    if start >= end:
        return set()
    schedules = (
        queries._bookable_schedules()
        .filter(
            # A subquery: PostgreSQL walks the box's trainers by the public-point index and
            # each one's schedules by the trainer index (with statistics on schedules).
            trainer_id__in=trainers.order_by().values("pk"),
            starts_on__lte=end.date() + timedelta(days=1),
            start_time__gte=when.start,
        )
        .filter(_weekday_candidates(when.weekdays))
    )
    if when.end is not None:
        schedules = schedules.filter(start_time__lt=when.end)
    rows_of: dict[int, list[tuple]] = {}
    for row in schedules.order_by("trainer_id", "id").values_list(*FIELDS):
        rows_of.setdefault(row[1], []).append(row)
    position = dict.fromkeys(rows_of, 0)
    found: set[int] = set()
    undecided = list(rows_of)
    while undecided:
        candidates: list[tuple[int, list[_Start]]] = []
        for trainer_id in undecided:
            rows, matching = rows_of[trainer_id], []
            while not matching and position[trainer_id] < len(rows):
                matching = _matching_starts(rows[position[trainer_id]], when, start, end)
                position[trainer_id] += 1
            if matching:
                candidates.append((trainer_id, matching))
        taken: dict = {}
        for first in range(0, len(candidates), SEATS_CHUNK):  # bounded IN lists (SQLite)
            chunk = candidates[first : first + SEATS_CHUNK]
            moments = [moment for _trainer, matching in chunk for moment in matching]
            taken.update(queries.seats_taken(moments, now=now))
        undecided = []
        for trainer_id, matching in candidates:
            if any(m.capacity > taken.get((m.schedule_id, m.start), 0) for m in matching):
                found.add(trainer_id)
            elif position[trainer_id] < len(rows_of[trainer_id]):
                undecided.append(trainer_id)
    return found


def apply_when(trainers: QuerySet, when: When) -> QuerySet:
    return trainers.filter(pk__in=sorted(trainer_ids_free_when(trainers, when)))


def register() -> None:
    discovery_filters.register(
        discovery_filters.DiscoveryFilter(
            name="when", params=PARAMS, parse=parse_when, apply=apply_when
        )
    )
