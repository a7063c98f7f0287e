"""Schedules' recurrence: the accepted RRULE subset, and expansion into occurrences.

Accepted (RFC 5545, without DTSTART, which comes from the schedule's first date and start
time): FREQ=DAILY|WEEKLY|MONTHLY (required), INTERVAL (1-99), BYDAY (MO..SU; with an
ordinal such as 1MO or -1FR for MONTHLY only), BYMONTHDAY (1..31 or -31..-1), and at most
one of COUNT (1-1000) or UNTIL (a date, 20270601, meaning "through that local day"; or a
UTC date-time, 20270601T215959Z). Anything else (HOURLY, BYSETPOS, BYHOUR, WKST...)
is refused with INVALID_RRULE, so what we store is what every calendar reads the same way.

Time zones and daylight saving: occurrences are expanded in the schedule's local wall time
with naive datetimes, then given the zone (zoneinfo) and converted to UTC. A 07:00 class is
07:00 local on both sides of a change. On the change night:

- a local start that does not exist (spring forward, e.g. 02:30 on 2026-03-29 in
  Europe/Stockholm) moves forward by the gap: it happens at 03:30 local (01:30 UTC);
- a local start that happens twice (fall back, e.g. 02:30 on 2026-10-25) is the first of
  the two, still in summer time (fold=0): 02:30+02:00, 00:30 UTC.

Both follow from zoneinfo's fold=0 reading of a naive wall time (PEP 495). An occurrence
lasts its duration in elapsed time, so its end is start + duration in UTC.

A rule without COUNT or UNTIL goes on for ever; we only ever expand it up to the horizon,
settings.SCHEDULE_HORIZON_DAYS ahead of now.

Bounds: a schedule's first date lies between a year ago and the horizon, and an UNTIL at
most a year past the horizon; farther ones are refused (INVALID_SCHEDULE / INVALID_RRULE),
not clamped, since they are typos. Every other date input (API windows, slots,
cancellations) must lie in date_range(). Expansion starts about a year before its window
(_moved_start), never from a first date long ago.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import InvalidRRule

if TYPE_CHECKING:
    from .models import Schedule

FREQUENCIES = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_OBJECTS = dict(
    zip(WEEKDAYS, (du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU), strict=True)
)
ALLOWED_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL")
MAX_INTERVAL = 99
MAX_COUNT = 1000
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL_DATE = re.compile(r"^\d{8}$")
_UNTIL_UTC = re.compile(r"^\d{8}T\d{6}Z$")
LATEST_UTC = datetime(9998, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class Rule:
    """A parsed, validated RRULE. ``until`` is a date (a local day, inclusive) or aware UTC."""

    freq: str
    interval: int = 1
    byday: tuple[str, ...] = ()
    bymonthday: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None

    @property
    def is_endless(self) -> bool:
        return self.count is None and self.until is None

    @property
    def weekdays(self) -> tuple[str, ...]:
        """BYDAY without ordinals, e.g. ("MO", "WE"): what a form's checkboxes show."""
        return tuple(day[-2:] for day in self.byday)

    @property
    def until_date(self) -> date | None:
        if isinstance(self.until, datetime):
            return self.until.date()
        return self.until

    @property
    def text(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(str(d) for d in self.bymonthday))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if isinstance(self.until, datetime):
            parts.append("UNTIL=" + self.until.strftime("%Y%m%dT%H%M%SZ"))
        elif self.until is not None:
            parts.append("UNTIL=" + self.until.strftime("%Y%m%d"))
        return ";".join(parts)

    def until_local(self, zone: ZoneInfo) -> datetime | None:
        """The last allowed local (naive) start: a date-only UNTIL includes the whole day."""
        if self.until is None:
            return None
        if isinstance(self.until, datetime):
            # A stored rule may predate the UNTIL bound; 9999-12-31Z has no later local time.
            return min(self.until, LATEST_UTC).astimezone(zone).replace(tzinfo=None)
        return datetime.combine(min(self.until, LATEST_UTC.date()), time(23, 59, 59))


def _invalid(message) -> InvalidRRule:
    return InvalidRRule(message, fields={"rrule": [str(message)]})


def _int(name: str, raw: str, low: int, high: int) -> int:
    if not re.fullmatch(r"[+-]?\d{1,4}", raw) or not low <= int(raw) <= high:
        raise _invalid(
            _("%(name)s must be a whole number from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high}
        )
    return int(raw)


def parse_rrule(text: str) -> Rule:
    """Validate an RRULE string (optionally prefixed "RRULE:") against the accepted subset."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid(_("A repeat rule is required, e.g. FREQ=WEEKLY;BYDAY=MO."))
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if "\n" in body or "\r" in body or ":" in body:
        raise _invalid(_("Send one RRULE value, without DTSTART or other lines."))
    parts: dict[str, str] = {}
    for piece in body.upper().split(";"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise _invalid(_("Each part of the rule must look like NAME=VALUE."))
        if name not in ALLOWED_PARTS:
            raise _invalid(
                _("%(part)s is not supported; use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT, UNTIL.")
                % {"part": name[:20]}
            )
        if name in parts:
            raise _invalid(_("%(part)s appears twice.") % {"part": name})
        parts[name] = value

    freq = parts.get("FREQ")
    if freq is None:
        raise _invalid(_("FREQ is required: DAILY, WEEKLY or MONTHLY."))
    if freq not in FREQUENCIES:
        raise _invalid(_("FREQ must be DAILY, WEEKLY or MONTHLY."))
    interval = _int("INTERVAL", parts["INTERVAL"], 1, MAX_INTERVAL) if "INTERVAL" in parts else 1

    byday: list[str] = []
    for day in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else []:
        match = _BYDAY.match(day.strip())
        if not match:
            raise _invalid(_("BYDAY takes MO, TU, WE, TH, FR, SA, SU (e.g. BYDAY=MO,WE)."))
        if match.group(1) and freq != "MONTHLY":
            raise _invalid(_("A numbered weekday (e.g. 1MO) is only allowed with FREQ=MONTHLY."))
        if day not in byday:
            byday.append(day.strip().lstrip("+"))
    bymonthday: list[int] = []
    for raw in parts.get("BYMONTHDAY", "").split(",") if "BYMONTHDAY" in parts else []:
        value = _int("BYMONTHDAY", raw.strip(), -31, 31)
        if value == 0:
            raise _invalid(_("BYMONTHDAY must be 1 to 31 or -31 to -1."))
        if value not in bymonthday:
            bymonthday.append(value)

    if "COUNT" in parts and "UNTIL" in parts:
        raise _invalid(_("Use COUNT or UNTIL, not both."))
    count = _int("COUNT", parts["COUNT"], 1, MAX_COUNT) if "COUNT" in parts else None
    until: date | datetime | None = None
    if "UNTIL" in parts:
        raw = parts["UNTIL"]
        try:
            if _UNTIL_DATE.match(raw):
                until = datetime.strptime(raw, "%Y%m%d").date()
            elif _UNTIL_UTC.match(raw):
                until = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            else:
                raise ValueError(raw)
        except ValueError:
            raise _invalid(
                _("UNTIL must be a date (20270601) or a UTC time (20270601T215959Z).")
            ) from None
    return Rule(
        freq=freq,
        interval=interval,
        byday=tuple(byday),
        bymonthday=tuple(bymonthday),
        count=count,
        until=until,
    )


def build_rrule(
    freq: str,
    interval: int = 1,
    weekdays: Sequence[str] = (),
    monthday: int | None = None,
    until_date: date | None = None,
    count: int | None = None,
) -> str:
    """The RRULE text for a form's choices; validated by parse_rrule, so it raises InvalidRRule."""
    until = until_date.strftime("%Y%m%d") if until_date else None
    parts = [f"FREQ={freq}"]
    if interval and interval != 1:
        parts.append(f"INTERVAL={interval}")
    if weekdays:
        parts.append("BYDAY=" + ",".join(d for d in WEEKDAYS if d in {w.upper() for w in weekdays}))
    if monthday:
        parts.append(f"BYMONTHDAY={monthday}")
    if count:
        parts.append(f"COUNT={count}")
    if until:
        parts.append(f"UNTIL={until}")
    return parse_rrule(";".join(parts)).text


# --- expansion --------------------------------------------------------------------------------


@dataclass
class Occurrence:
    """One bookable instance of a schedule. ``start``/``end`` are aware UTC."""

    schedule_id: int | None
    offering_id: int
    offering_title: str
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    time_zone: str
    capacity: int
    seats_left: int
    price_amount: int
    currency: str
    duration_minutes: int = 0


def horizon_end(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.SCHEDULE_HORIZON_DAYS)


def date_range(now: datetime | None = None) -> tuple[date, date]:
    """The dates any input may name (API windows, slots, cancellations): a year before today
    to a year past the horizon. Outside it nothing is bookable, and year 1 or 9999 would
    overflow on conversion or make expansion walk for seconds."""
    now = now or timezone.now()
    return now.date() - timedelta(days=366), horizon_end(now).date() + timedelta(days=366)


def in_date_range(day: date, now: datetime | None = None) -> bool:
    low, high = date_range(now)
    return low <= day <= high


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A local wall time as aware UTC, by the module's DST rule (gap: forward; fold: first)."""
    return naive.replace(tzinfo=zone, fold=0).astimezone(UTC)


# Compiled rules are shared by schedules with the same rule, first start and zone, and keep
# the occurrences generated so far (cache=True): repeated windows skip the walk from DTSTART.
# Bounded: a weekly rule over a year holds ~100 datetimes, a daily one ~700.
@lru_cache(maxsize=1024)
def _compiled(rule_text: str, dtstart: datetime, zone_key: str, monthday: int) -> du.rrule:
    rule = parse_rrule(rule_text)
    bymonthday = rule.bymonthday
    if rule.freq == "MONTHLY" and not bymonthday and not rule.byday:
        bymonthday = (monthday,)  # the first date's day, which a moved dtstart may not have
    byweekday = []
    for day in rule.byday:
        weekday = _WEEKDAY_OBJECTS[day[-2:]]
        byweekday.append(weekday(int(day[:-2])) if len(day) > 2 else weekday)
    return du.rrule(
        FREQUENCIES[rule.freq],
        dtstart=dtstart,
        interval=rule.interval,
        byweekday=byweekday or None,
        bymonthday=bymonthday or None,
        count=rule.count,
        until=rule.until_local(ZoneInfo(zone_key)),
        cache=True,
    )


def _moved_start(rule: Rule, dtstart: datetime, low: datetime) -> datetime:
    """A later first start, whole periods of the rule on, with the same occurrences from
    there: expansion then walks from about a year before the window, not from the first date.

    Steps of about a year keep nearby windows on one compiled rule. A COUNT rule cannot move
    (it counts from the first date), but COUNT is at most 1000.
    """
    if rule.count is not None or low <= dtstart:
        return dtstart
    if rule.freq == "MONTHLY":
        step = rule.interval * -(-12 // rule.interval)
        months = (low.year - dtstart.year) * 12 + low.month - dtstart.month - 1
        shift = max(months, 0) // step * step
        return dtstart + relativedelta(months=shift)
    period = rule.interval * (7 if rule.freq == "WEEKLY" else 1)
    step = period * -(-364 // period)
    return dtstart + timedelta(days=(low - dtstart).days // step * step)


def compiled_rule(schedule: Schedule, low: datetime | None = None) -> du.rrule:
    """The schedule's rule; with ``low`` (naive local) one that is only right from ``low`` on."""
    dtstart = datetime.combine(schedule.starts_on, schedule.start_time.replace(tzinfo=None))
    if low is not None:
        dtstart = _moved_start(parse_rrule(schedule.rrule), dtstart, low)
    return _compiled(schedule.rrule, dtstart, schedule.time_zone, schedule.starts_on.day)


def _exdates(schedule: Schedule) -> frozenset[datetime]:
    return frozenset(datetime.fromisoformat(value) for value in schedule.exdates or ())


def utc_starts(schedule: Schedule, start_utc: datetime, end_utc: datetime) -> list[datetime]:
    """UTC starts in [start_utc, end_utc), EXDATEs left out, each localized once."""
    zone = schedule.zone
    # Wall-clock bounds with a day's margin for any offset; exact filtering happens in UTC.
    low = start_utc.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    high = end_utc.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    excluded = _exdates(schedule)
    starts = []
    for naive in compiled_rule(schedule, low).between(low, high, inc=True):
        if naive in excluded:
            continue
        start = localize(naive, zone)
        if start_utc <= start < end_utc:
            starts.append(start)
    return starts


def intervals(
    schedule: Schedule, start_utc: datetime, end_utc: datetime
) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of each occurrence starting in the window: the overlap check's input."""
    duration = schedule.duration
    return [(start, start + duration) for start in utc_starts(schedule, start_utc, end_utc)]


def expand(
    schedule: Schedule, window_start_utc: datetime, window_end_utc: datetime
) -> list[Occurrence]:
    """Occurrences starting in [window_start_utc, window_end_utc), seats_left = capacity."""
    zone = schedule.zone
    duration = schedule.duration
    offering = schedule.offering
    occurrences = []
    for start in utc_starts(schedule, window_start_utc, window_end_utc):
        end = start + duration
        occurrences.append(
            Occurrence(
                schedule_id=schedule.pk,
                offering_id=offering.pk,
                offering_title=offering.title,
                start=start,
                end=end,
                start_local=start.astimezone(zone),
                end_local=end.astimezone(zone),
                time_zone=schedule.time_zone,
                capacity=offering.capacity,
                seats_left=offering.capacity,
                price_amount=offering.price_amount,
                currency=offering.currency,
                duration_minutes=int(duration.total_seconds() // 60),
            )
        )
    return occurrences


def is_occurrence(schedule: Schedule, start_local: datetime) -> bool:
    """Whether the rule produces this naive local start (cancelled ones included)."""
    naive = start_local.replace(tzinfo=None)
    found = compiled_rule(schedule, naive).after(naive, inc=True)
    return found == naive


def extends_past(schedule: Schedule, limit_utc: datetime) -> bool:
    """True when the rule has occurrences after ``limit_utc``: they are cut at the horizon."""
    if parse_rrule(schedule.rrule).is_endless:
        return True
    limit_local = limit_utc.astimezone(schedule.zone).replace(tzinfo=None)
    return compiled_rule(schedule, limit_local).after(limit_local) is not None


def has_start_after(schedule: Schedule, moment_utc: datetime) -> bool:
    """Whether an occurrence, not cancelled, starts after ``moment_utc`` (at any distance:
    the horizon limits what is offered, not what is to come). It stops at the first one;
    the walk is bounded by the cancelled starts it may have to skip."""
    zone = schedule.zone
    low = moment_utc.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    excluded = _exdates(schedule)
    for naive in compiled_rule(schedule, low).xafter(low, inc=True):
        if naive not in excluded and localize(naive, zone) > moment_utc:
            return True
    return False


def first_start(schedule: Schedule) -> datetime | None:
    naive = compiled_rule(schedule).after(datetime.combine(schedule.starts_on, time.min), inc=True)
    return localize(naive, schedule.zone) if naive else None


def sorted_by_start(items: Iterable[Occurrence]) -> list[Occurrence]:
    return sorted(items, key=lambda o: (o.start, o.schedule_id or 0))
