"""Shared set-up for the booking tests: schedules, trainees, and helpers that book."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from bookings import booking_services, recurrence
from bookings.recurrence import WEEKDAYS
from tests.factories import ScheduleFactory, UserFactory

# ScheduleFactory: Mondays 07:00 Stockholm (06:00 UTC) from 2027-01-04.
MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2027, 1, 11, 6, 0, tzinfo=UTC)
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

SV = {"HTTP_ACCEPT_LANGUAGE": "sv"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    """Messages read by services outside a request are English: a Swedish request in an
    earlier test leaves its language active in the thread."""
    with translation.override("en"):
        yield


@pytest.fixture
def schedule(db):
    return ScheduleFactory()


@pytest.fixture
def trainee(db):
    return UserFactory(name="Maja Svensson")


def book(trainee, schedule, start=MONDAY, now=NOW):
    return booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=start, now=now
    )


def confirm(booking):
    return booking_services.booking_confirm_payment(booking_id=booking.pk)


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def future_schedule(days_ahead: int = 10, **kwargs):
    """A weekly schedule (07:00 Stockholm) whose first session is ``days_ahead`` days from
    today, for tests that go through the API (which uses the real clock)."""
    first = timezone.localdate(timezone=STOCKHOLM) + timedelta(days=days_ahead)
    kwargs.setdefault("rrule", f"FREQ=WEEKLY;BYDAY={WEEKDAYS[first.weekday()]}")
    return ScheduleFactory(starts_on=first, **kwargs)


def schedule_starting_in(delta: timedelta, **kwargs):
    """A weekly schedule whose first session starts ``delta`` from now (to the minute)."""
    moment = timezone.now().astimezone(STOCKHOLM) + delta
    return ScheduleFactory(
        starts_on=moment.date(),
        start_time=moment.time().replace(second=0, microsecond=0, tzinfo=None),
        rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[moment.weekday()]}",
        **kwargs,
    )


def first_start(schedule) -> datetime:
    return recurrence.first_start(schedule)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def announced():
    """(signal name, booking id, extra) of every bookings signal sent during the test."""
    from bookings import signals

    log = []
    names = [
        "booking_created",
        "booking_confirmed",
        "booking_cancelled",
        "booking_expired",
        "booking_completed",
        "booking_no_show",
    ]
    receivers = {}
    for name in names:

        def receiver(sender, *, booking, actor, _name=name, **extra):
            extra.pop("signal", None)
            log.append((_name, booking.pk, extra))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver)
    yield log
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)
