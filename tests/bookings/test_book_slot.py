"""book_slot: a free occurrence becomes a held booking; every refusal has its code."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings import booking_services, queries
from bookings.errors import (
    CannotBookSelf,
    NotAnOccurrence,
    SlotFull,
    SlotUnavailable,
    TraineeConflict,
)
from bookings.models import Booking, BookingEvent, BookingStatus, Slot
from marketplace import services as marketplace_services
from tests.bookings.conftest import MONDAY, NEXT_MONDAY, NOW, book, confirm
from tests.factories import ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_booking_holds_a_seat_at_the_offerings_price(schedule, trainee):
    booking = book(trainee, schedule)

    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert (booking.start, booking.end) == (MONDAY, MONDAY + timedelta(hours=1))
    assert booking.hold_expires_at == NOW + timedelta(minutes=15)
    assert (booking.price_amount, booking.currency) == (45000, "SEK")
    assert (booking.trainer_id, booking.offering_id) == (schedule.trainer_id, schedule.offering_id)
    slot = Slot.objects.get()
    assert (slot.schedule_id, slot.start, slot.capacity, slot.seats_taken) == (
        schedule.pk,
        MONDAY,
        1,
        1,
    )
    event = BookingEvent.objects.get()
    assert (event.from_status, event.to_status, event.actor_id) == (
        "",
        "pending_payment",
        trainee.pk,
    )


def test_the_hold_lasts_booking_hold_minutes(schedule, trainee, settings):
    settings.BOOKING_HOLD_MINUTES = 5

    booking = book(trainee, schedule)

    assert booking.hold_expires_at == NOW + timedelta(minutes=5)


def test_a_price_change_never_touches_a_booking(schedule, trainee):
    booking = book(trainee, schedule)
    confirm(booking)

    marketplace_services.offering_update(offering=schedule.offering, price_amount=99000)

    booking.refresh_from_db()
    assert booking.price_amount == 45000
    later = book(UserFactory(), schedule, start=NEXT_MONDAY)
    assert later.price_amount == 99000


@pytest.mark.parametrize(
    "start",
    [
        MONDAY + timedelta(hours=1),  # not a start of the rule
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, tzinfo=UTC),
    ],
)
def test_a_time_that_is_no_occurrence_is_not_an_occurrence(schedule, trainee, start):
    with pytest.raises(NotAnOccurrence) as error:
        book(trainee, schedule, start=start)

    assert (error.value.code, error.value.status) == ("NOT_AN_OCCURRENCE", 422)
    assert Booking.objects.count() == 0


def test_a_cancelled_occurrence_is_not_an_occurrence(trainee):
    schedule = ScheduleFactory(exdates=["2027-01-04T07:00:00"])

    with pytest.raises(NotAnOccurrence):
        book(trainee, schedule)


def test_an_unknown_schedule_or_unpublished_trainer_is_not_an_occurrence(trainee):
    hidden = ScheduleFactory(offering__trainer__is_published=False)

    with pytest.raises(NotAnOccurrence) as unknown:
        booking_services.book_slot(trainee=trainee, schedule_id=999999, start=MONDAY, now=NOW)
    with pytest.raises(NotAnOccurrence):
        book(trainee, hidden)

    assert unknown.value.fields == {"schedule_id": ["There is no bookable schedule with this id."]}


@pytest.mark.parametrize(
    ("now", "message"),
    [
        (MONDAY + timedelta(minutes=1), "This session has already started."),
        (MONDAY - timedelta(minutes=119), "This session starts too soon to be booked online."),
        (MONDAY - timedelta(days=366), "This session is not open for booking yet."),
    ],
)
def test_a_session_not_open_for_booking_is_unavailable(schedule, trainee, now, message):
    with pytest.raises(SlotUnavailable) as error:
        book(trainee, schedule, now=now)

    assert (error.value.code, error.value.status, str(error.value.message)) == (
        "SLOT_UNAVAILABLE",
        409,
        message,
    )


def test_the_trainers_time_sold_to_another_session_is_unavailable(schedule, trainee):
    # given a booked session, and another schedule of the trainer at the same time (the
    # factory skips the overlap check, as a schedule changed under old bookings would)
    book(trainee, schedule)
    other = ScheduleFactory(offering__trainer=schedule.trainer, start_time=schedule.start_time)

    with pytest.raises(SlotUnavailable) as error:
        book(UserFactory(), other)

    assert str(error.value.message) == "The trainer is not free at this time."
    assert Booking.objects.count() == 1


def test_a_full_session_is_refused(schedule, trainee):
    book(trainee, schedule)

    with pytest.raises(SlotFull) as error:
        book(UserFactory(), schedule)

    assert (error.value.code, error.value.status) == ("SLOT_FULL", 409)
    assert Slot.objects.get().seats_taken == 1


def test_a_group_session_sells_its_capacity_and_no_more(trainee):
    schedule = ScheduleFactory(offering__capacity=3)
    for _ in range(3):
        book(UserFactory(), schedule)

    with pytest.raises(SlotFull):
        book(trainee, schedule)

    assert Booking.objects.filter(status="pending_payment").count() == 3
    assert Slot.objects.get().seats_taken == 3


def test_a_trainee_cannot_hold_a_session_twice(trainee):
    schedule = ScheduleFactory(offering__capacity=5)
    book(trainee, schedule)

    with pytest.raises(TraineeConflict) as error:
        book(trainee, schedule)

    assert (error.value.code, error.value.status) == ("TRAINEE_CONFLICT", 409)


def test_a_trainee_cannot_hold_two_overlapping_sessions(schedule, trainee):
    book(trainee, schedule)
    elsewhere = ScheduleFactory(start_time=schedule.start_time.replace(minute=30))

    with pytest.raises(TraineeConflict):
        book(trainee, elsewhere, start=MONDAY + timedelta(minutes=30))

    # end to start is fine
    after = ScheduleFactory(start_time=schedule.start_time.replace(hour=8))
    assert book(trainee, after, start=MONDAY + timedelta(hours=1)).status == "pending_payment"


def test_a_trainer_cannot_book_their_own_session(schedule):
    with pytest.raises(CannotBookSelf) as error:
        book(schedule.trainer.user, schedule)

    assert (error.value.code, error.value.status) == ("CANNOT_BOOK_SELF", 403)


def test_a_bigger_capacity_applies_to_a_session_already_booked(trainee):
    schedule = ScheduleFactory(offering__capacity=1)
    book(trainee, schedule)
    marketplace_services.offering_update(offering=schedule.offering, capacity=2)

    second = book(UserFactory(), schedule)

    assert second.status == "pending_payment"
    assert (Slot.objects.get().capacity, Slot.objects.get().seats_taken) == (2, 2)


def test_availability_shows_seats_dropping_and_hides_a_full_session(
    trainee, django_capture_on_commit_callbacks
):
    schedule = ScheduleFactory(offering__capacity=2)
    window = (schedule.trainer, NOW, NOW + timedelta(days=14))

    def seats():
        return [(o.start, o.seats_left) for o in queries.trainer_availability(*window, now=NOW)]

    assert seats() == [(MONDAY, 2), (NEXT_MONDAY, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        book(trainee, schedule)
    assert seats() == [(MONDAY, 1), (NEXT_MONDAY, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        book(UserFactory(), schedule)
    assert seats() == [(NEXT_MONDAY, 2)]
    calendar = queries.trainer_calendar(schedule.trainer, *window[1:], now=NOW)
    assert [(o.start, o.seats_left) for o in calendar] == [(MONDAY, 0), (NEXT_MONDAY, 2)]


def test_every_booking_change_bumps_the_availability_after_commit(
    schedule, trainee, django_capture_on_commit_callbacks
):
    window = (schedule.trainer, NOW, NOW + timedelta(days=8))
    assert len(queries.trainer_availability(*window, now=NOW)) == 1  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(trainee, schedule)
    assert queries.trainer_availability(*window, now=NOW) == []

    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking_id=booking.pk, by="trainee", actor=trainee, now=NOW)
    assert len(queries.trainer_availability(*window, now=NOW)) == 1


def test_slot_status_and_book_slot_agree(schedule, trainee):
    book(trainee, schedule)

    status = queries.slot_status(schedule, MONDAY, now=NOW)

    assert (status.problem, status.message) == ("full", "This session is full.")


def test_a_daylight_saving_day_books_the_local_wall_time(trainee):
    # Sundays 07:00 Stockholm: 06:00 UTC in winter, 05:00 UTC from 2027-03-28.
    schedule = ScheduleFactory(
        starts_on=date(2027, 3, 21), rrule="FREQ=WEEKLY;BYDAY=SU", start_time=time(7, 0)
    )
    winter = book(trainee, schedule, start=datetime(2027, 3, 21, 6, 0, tzinfo=UTC))
    summer = book(trainee, schedule, start=datetime(2027, 3, 28, 5, 0, tzinfo=UTC))

    assert (winter.start.hour, summer.start.hour) == (6, 5)
