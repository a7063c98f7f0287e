"""Holds: a pending booking keeps its seat for BOOKING_HOLD_MINUTES, then frees it, whether
the beat task has run or not; payment confirms it, once."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings import booking_services, queries, tasks
from bookings.errors import InvalidTransition
from bookings.models import Booking, BookingEvent, BookingStatus, Slot
from tests.bookings.conftest import MONDAY, NOW, book, confirm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LATER = NOW + timedelta(minutes=15)  # the default hold's end


def test_the_beat_task_expires_a_dead_hold_and_frees_the_seat(
    schedule, trainee, monkeypatch, announced, django_capture_on_commit_callbacks
):
    booking = book(trainee, schedule)
    monkeypatch.setattr(booking_services.timezone, "now", lambda: LATER)

    with django_capture_on_commit_callbacks(execute=True):
        expired = tasks.expire_holds.delay().get()

    booking.refresh_from_db()
    assert (expired, booking.status) == (1, BookingStatus.EXPIRED)
    assert Slot.objects.get().seats_taken == 0
    event = BookingEvent.objects.filter(booking=booking).latest("id")
    assert (event.from_status, event.to_status, event.actor) == (
        "pending_payment",
        "expired",
        None,
    )
    assert ("booking_expired", booking.pk, {}) in announced


def test_a_live_hold_is_left_alone(schedule, trainee):
    booking = book(trainee, schedule)

    assert booking_services.bookings_expire_holds(now=LATER - timedelta(seconds=1)) == 0

    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_a_dead_hold_no_longer_counts_before_any_task_runs(schedule, trainee):
    book(trainee, schedule)
    occurrences = queries.trainer_calendar(schedule.trainer, MONDAY, MONDAY + timedelta(hours=1))

    assert queries.seats_taken(occurrences, now=LATER - timedelta(seconds=1)) == {
        (schedule.pk, MONDAY): 1
    }
    assert queries.seats_taken(occurrences, now=LATER) == {}


def test_booking_frees_a_dead_hold_of_the_slot_itself(schedule, trainee):
    # given a hold that ran out, and no beat task since
    dead = book(trainee, schedule)

    # when someone else books the same single seat
    booking = book(UserFactory(), schedule, now=LATER)

    # then the dead hold is expired and the seat sold again
    dead.refresh_from_db()
    assert (dead.status, booking.status) == (BookingStatus.EXPIRED, BookingStatus.PENDING_PAYMENT)
    assert Slot.objects.get().seats_taken == 1


def test_a_dead_hold_of_the_same_trainee_elsewhere_is_no_conflict(schedule, trainee):
    from tests.factories import ScheduleFactory

    dead = book(trainee, schedule)
    other = ScheduleFactory(start_time=schedule.start_time)

    booking = book(trainee, other, now=LATER)

    dead.refresh_from_db()
    assert (dead.status, booking.status) == ("expired", "pending_payment")


def test_availability_cache_does_not_outlive_a_hold(schedule, trainee, settings):
    settings.BOOKING_HOLD_MINUTES = 5
    book(trainee, schedule)

    assert queries._cache_seconds(schedule.trainer_id, NOW) == 300
    assert queries._cache_seconds(schedule.trainer_id, NOW - timedelta(minutes=2)) == 300
    settings.AVAILABILITY_CACHE_SECONDS = 600
    assert queries._cache_seconds(schedule.trainer_id, NOW) == 300
    assert queries._cache_seconds(schedule.trainer_id, NOW + timedelta(minutes=4)) == 60


def test_payment_confirms_once(schedule, trainee, announced, django_capture_on_commit_callbacks):
    booking = book(trainee, schedule)

    with django_capture_on_commit_callbacks(execute=True):
        first = booking_services.booking_confirm_payment(
            booking_id=booking.pk, payment_intent_id="pi_123"
        )
        again = booking_services.booking_confirm_payment(
            booking_id=booking.pk, payment_intent_id="pi_123"
        )

    assert (first.status, again.status) == ("confirmed", "confirmed")
    assert Booking.objects.get().payment_intent_id == "pi_123"
    assert BookingEvent.objects.filter(to_status="confirmed").count() == 1
    assert [entry for entry in announced if entry[0] == "booking_confirmed"] == [
        ("booking_confirmed", booking.pk, {})
    ]


def test_a_hold_past_its_time_but_not_expired_is_still_confirmed(schedule, trainee):
    booking = book(trainee, schedule)

    confirmed = confirm(booking)

    assert confirmed.status == "confirmed"
    assert booking_services.bookings_expire_holds(now=LATER) == 0
    assert Slot.objects.get().seats_taken == 1


def test_an_expired_booking_cannot_be_confirmed(schedule, trainee):
    booking = book(trainee, schedule)
    booking_services.bookings_expire_holds(now=LATER)

    with pytest.raises(InvalidTransition):
        confirm(booking)

    booking.refresh_from_db()
    assert booking.status == "expired"


def test_a_payment_intent_belongs_to_one_booking(schedule, trainee):
    first = book(trainee, schedule)
    second = book(UserFactory(), schedule.__class__.objects.get(pk=schedule.pk), now=LATER)
    booking_services.booking_set_payment_intent(booking_id=second.pk, payment_intent_id="pi_1")

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=first.pk).update(payment_intent_id="pi_1")
