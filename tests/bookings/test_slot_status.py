"""queries.slot_status: whether one occurrence can be booked now, and why not."""

from datetime import UTC, datetime, timedelta

import pytest

from bookings import queries
from tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)  # the factory's first session, 07:00 local
NOW = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)


def test_a_bookable_slot_has_its_occurrence_and_no_problem():
    schedule = ScheduleFactory()

    status = queries.slot_status(schedule, MONDAY, now=NOW)

    assert status.bookable is True
    assert (status.problem, status.message) == (None, None)
    assert status.occurrence.start == MONDAY
    assert status.occurrence.seats_left == schedule.offering.capacity


@pytest.mark.parametrize(
    ("now", "problem", "message"),
    [
        (MONDAY + timedelta(minutes=1), "started", "This session has already started."),
        (
            MONDAY - timedelta(minutes=119),
            "too_soon",
            "This session starts too soon to be booked online.",
        ),
        (MONDAY - timedelta(days=366), "not_open", "This session is not open for booking yet."),
    ],
)
def test_an_occurrence_that_cannot_be_booked_says_why(now, problem, message):
    schedule = ScheduleFactory()

    status = queries.slot_status(schedule, MONDAY, now=now)

    assert (status.problem, status.message, status.bookable) == (problem, message, False)
    assert status.occurrence.start == MONDAY


def test_a_full_occurrence(monkeypatch):
    schedule = ScheduleFactory()
    monkeypatch.setattr(
        queries,
        "seats_taken",
        lambda occurrences, **kwargs: {(schedule.pk, MONDAY): schedule.offering.capacity},
    )

    status = queries.slot_status(schedule, MONDAY, now=NOW)

    assert (status.problem, status.occurrence.start) == ("full", MONDAY)


@pytest.mark.parametrize(
    "start",
    [
        MONDAY + timedelta(hours=1),
        None,
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_a_time_that_is_not_an_occurrence(start):
    schedule = ScheduleFactory()

    status = queries.slot_status(schedule, start, now=NOW)

    assert (status.occurrence, status.problem) == (None, "not_in_schedule")


def test_a_cancelled_or_inactive_schedule_is_not_bookable():
    cancelled = ScheduleFactory(exdates=["2027-01-04T07:00:00"])
    inactive = ScheduleFactory(is_active=False)

    assert queries.slot_status(cancelled, MONDAY, now=NOW).problem == "not_in_schedule"
    assert queries.slot_status(inactive, MONDAY, now=NOW).problem == "not_in_schedule"
    assert queries.slot_status(None, MONDAY, now=NOW).problem == "not_in_schedule"
