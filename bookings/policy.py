"""The cancellation policy: how much of the price a trainee gets back, by notice given.

CANCELLATION_POLICY is a ladder of ``hours:percent`` steps, e.g. ``48:100,24:50,0:0``: a
cancellation at least 48 hours before the start gets 100 %, at least 24 hours 50 %, later
0 %. Less notice than the lowest step gets nothing. It is parsed when the settings load
(a bad ladder stops start-up, naming the variable), so this module imports nothing from
the apps.

Amounts are integers in the currency's minor unit, rounded half up: 50 % of 333 öre is
167 öre. No floats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured

SETTING = "CANCELLATION_POLICY"


@dataclass(frozen=True)
class Step:
    hours: int
    percent: int

    @property
    def notice(self) -> timedelta:
        return timedelta(hours=self.hours)


def parse_cancellation_policy(text: str, *, name: str = SETTING) -> tuple[Step, ...]:
    """``"48:100,24:50,0:0"`` -> steps by notice, longest first.

    Each step is whole hours (0 or more) and a whole percent (0-100); hours appear once;
    the refund never grows as the notice shrinks (a ladder that pays more for later
    cancelling is a typo).
    """
    steps: list[Step] = []
    for part in (text or "").split(","):
        raw_hours, sep, raw_percent = part.strip().partition(":")
        raw_hours, raw_percent = raw_hours.strip(), raw_percent.strip()
        if not (sep and raw_hours.isascii() and raw_hours.isdigit()):
            raise _bad(name, text, "each step is hours:percent, e.g. 24:100")
        if not (raw_percent.isascii() and raw_percent.isdigit() and int(raw_percent) <= 100):
            raise _bad(name, text, "a percent is a whole number from 0 to 100")
        if len(raw_hours) > 5:
            raise _bad(name, text, "hours are at most 99999")
        steps.append(Step(int(raw_hours), int(raw_percent)))
    steps.sort(key=lambda step: step.hours, reverse=True)
    hours = [step.hours for step in steps]
    if len(set(hours)) != len(hours):
        raise _bad(name, text, "each number of hours appears once")
    percents = [step.percent for step in steps]
    if percents != sorted(percents, reverse=True):
        raise _bad(name, text, "the refund may not grow as the notice gets shorter")
    return tuple(steps)


def _bad(name: str, text: str, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"{name} must be a ladder of hours:percent steps such as 48:100,24:50,0:0 "
        f"({why}), not {text!r}."
    )


def refund_percent(steps: tuple[Step, ...], *, start: datetime, now: datetime) -> int:
    """The percent for cancelling at ``now`` a session starting at ``start``."""
    notice = start - now
    for step in steps:
        if notice >= step.notice:
            return step.percent
    return 0


def percent_of(amount: int, percent: int) -> int:
    """``percent`` % of ``amount`` minor units, rounded half up, in integers only."""
    if amount < 0 or not 0 <= percent <= 100:
        raise ValueError("amount must be >= 0 and percent 0-100")
    return (amount * percent * 2 + 100) // 200


def describe(steps: tuple[Step, ...]) -> list[tuple[int, int]]:
    """(hours, percent) pairs for pages that show the policy."""
    return [(step.hours, step.percent) for step in steps]
