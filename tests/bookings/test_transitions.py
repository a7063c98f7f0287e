"""booking_transition: every step of the table is allowed, every other one refused, each
allowed one recorded in the trail and keeping the slot's seat count equal to its active
bookings."""

from itertools import product

import pytest
from django.db import transaction

from bookings.booking_services import TRANSITIONS, _locked, booking_transition
from bookings.errors import InvalidTransition
from bookings.models import ACTIVE_STATUSES, Booking, BookingEvent, BookingStatus, Slot
from tests.bookings.conftest import book
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL = list(BookingStatus.values)
ALLOWED = sorted((before, after) for before, afters in TRANSITIONS.items() for after in afters)
REFUSED = sorted(
    (before, after)
    for before, after in product(ALL, ALL)
    if before != after and after not in TRANSITIONS[before]
)


def booking_in(status: str, schedule) -> Booking:
    booking = book(UserFactory(), schedule)
    Booking.objects.filter(pk=booking.pk).update(status=status)
    Slot.objects.filter(pk=booking.slot_id).update(
        seats_taken=1 if status in ACTIVE_STATUSES else 0
    )
    return Booking.objects.get(pk=booking.pk)


def move(booking: Booking, to: str) -> bool:
    with transaction.atomic():
        return booking_transition(booking=_locked(booking.pk), to=to, actor=None, note="test")


def test_the_table_names_every_status():
    assert set(TRANSITIONS) == set(ALL)
    assert TRANSITIONS[BookingStatus.CANCELLED] == frozenset()
    assert TRANSITIONS[BookingStatus.EXPIRED] == frozenset()
    assert TRANSITIONS[BookingStatus.NO_SHOW_TRAINEE] == frozenset()


def test_the_allowed_steps():
    assert (
        sorted(
            [
                ("pending_payment", "confirmed"),
                ("pending_payment", "cancelled"),
                ("pending_payment", "expired"),
                ("confirmed", "cancelled"),
                ("confirmed", "completed"),
                ("confirmed", "no_show_trainee"),
                ("confirmed", "no_show_trainer"),
                ("completed", "no_show_trainee"),
                ("completed", "no_show_trainer"),
                ("no_show_trainer", "completed"),
            ]
        )
        == ALLOWED
    )


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_an_allowed_step_changes_the_status_and_is_recorded(schedule, before, after):
    booking = booking_in(before, schedule)

    assert move(booking, after) is True

    booking.refresh_from_db()
    assert booking.status == after
    event = BookingEvent.objects.filter(booking=booking).latest("id")
    assert (event.from_status, event.to_status, event.note) == (before, after, "test")
    expected_seats = 1 if after in ACTIVE_STATUSES else 0
    assert Slot.objects.get(pk=booking.slot_id).seats_taken == expected_seats


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_a_refused_step_changes_nothing(schedule, before, after):
    booking = booking_in(before, schedule)
    events = BookingEvent.objects.count()

    with pytest.raises(InvalidTransition) as error:
        move(booking, after)

    booking.refresh_from_db()
    assert booking.status == before
    assert BookingEvent.objects.count() == events
    assert (error.value.code, error.value.status) == ("INVALID_TRANSITION", 409)


@pytest.mark.parametrize("status", ALL)
def test_the_same_status_again_is_a_no_op(schedule, status):
    booking = booking_in(status, schedule)
    events = BookingEvent.objects.count()

    assert move(booking, status) is False

    assert BookingEvent.objects.count() == events
