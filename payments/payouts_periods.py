"""Payout periods: a calendar month ``YYYY-MM`` in the payout time zone (Europe/Stockholm).

A period's cutoff is the first instant of the next month there, in UTC: a session that ended
one second before it belongs to the period. The beat's run on ``PAYOUT_DAY`` pays the month
``PAYOUT_PERIOD_LAG_MONTHS`` before the current one (1: the previous calendar month).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from payments.payouts_errors import InvalidPayoutPeriod, PayoutPeriodNotOver

PERIOD_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def payout_zone() -> ZoneInfo:
    return ZoneInfo(settings.PAYOUT_TIME_ZONE)


def parse_period(period: str) -> tuple[int, int]:
    match = PERIOD_PATTERN.match(str(period or "").strip())
    if not match:
        raise InvalidPayoutPeriod.on_field("period")
    return int(match.group(1)), int(match.group(2))


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=payout_zone()).astimezone(UTC)


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[first instant, cutoff) of the period, in UTC."""
    year, month = parse_period(period)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _month_start(year, month), _month_start(next_year, next_month)


def period_cutoff(period: str) -> datetime:
    return period_bounds(period)[1]


def period_of(moment: datetime) -> str:
    local = timezone.localtime(moment, payout_zone())
    return f"{local.year:04d}-{local.month:02d}"


def shift_period(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_to_pay(now: datetime | None = None) -> str:
    """The period the scheduled run pays at ``now``."""
    return shift_period(period_of(now or timezone.now()), -settings.PAYOUT_PERIOD_LAG_MONTHS)


def require_period_over(period: str, now: datetime | None = None) -> datetime:
    """The period's cutoff; refused while the period has not ended."""
    cutoff = period_cutoff(period)
    if cutoff > (now or timezone.now()):
        raise PayoutPeriodNotOver.on_field("period")
    return cutoff


def next_payout_date(now: datetime | None = None) -> datetime:
    """When the scheduled run next runs: PAYOUT_DAY at 03:00 in the payout zone."""
    local = timezone.localtime(now or timezone.now(), payout_zone())
    day = settings.PAYOUT_DAY
    candidate = local.replace(day=day, hour=3, minute=0, second=0, microsecond=0)
    if candidate <= local:
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        candidate = candidate.replace(year=year, month=month)
    return datetime(
        candidate.year, candidate.month, candidate.day, 3, 0, tzinfo=payout_zone()
    ).astimezone(UTC)
