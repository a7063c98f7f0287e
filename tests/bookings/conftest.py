"""Shared set-up for the booking tests: a weekly schedule, trainees, and a booking helper."""

from datetime import UTC, datetime

import pytest

from bookings import booking_services
from tests.factories import ScheduleFactory, UserFactory

# ScheduleFactory: Mondays 07:00 Stockholm (06:00 UTC) from 2027-01-04.
MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2027, 1, 11, 6, 0, tzinfo=UTC)
NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


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
