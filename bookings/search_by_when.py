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
from datetime import datetime, time, timedelta
from typing import NamedTuple

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
# Up to this many trainers in the box, their ids are sent as a list (see _candidate_ids).
ID_LIST_LIMIT = 5000


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


def _matching_starts(row: tuple, when: When, start: datetime, end: datetime) -> list[_Start]:
    schedule = queries._schedule_from_row(row)
    capacity, zone = schedule.offering.capacity, schedule.zone
    # Weekday and clock are read in the schedule's own zone.
    return [
        _Start(schedule.pk, moment, capacity)
        for moment in recurrence.utc_starts(schedule, start, end)
        if when.matches(moment.astimezone(zone))
    ]


def _candidate_ids(trainers: QuerySet):
    """The trainers' ids as a list when there are few (an index lookup per trainer beats
    scanning every schedule), else as a subquery."""
    ids = list(trainers.order_by().values_list("pk", flat=True)[: ID_LIST_LIMIT + 1])
    return ids if len(ids) <= ID_LIST_LIMIT else trainers.order_by().values("pk")


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
            trainer_id__in=_candidate_ids(trainers),
            starts_on__lte=end.date() + timedelta(days=1),
            start_time__gte=when.start,
        )
        .filter(_weekday_candidates(when.weekdays))
    )
    if when.end is not None:
        schedules = schedules.filter(start_time__lt=when.end)
    rows_of: dict[int, list[tuple]] = {}
    for row in schedules.order_by("trainer_id", "id").values_list(*queries.EXPANSION_FIELDS):
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
        taken = queries.seats_taken(
            [moment for _trainer, matching in candidates for moment in matching], now=now
        )
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
