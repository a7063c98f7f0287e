"""Attendance: sessions complete after their end; no-shows on both sides, with their money
rules and staff review."""

from datetime import timedelta

import pytest

from bookings import booking_services, queries, tasks
from bookings.errors import InvalidTransition, NoShowNotAllowed
from bookings.models import Booking, BookingStatus
from tests.bookings.conftest import MONDAY, book, confirm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

END = MONDAY + timedelta(hours=1)


@pytest.fixture
def booking(schedule, trainee):
    return confirm(book(trainee, schedule))


@pytest.fixture
def staff(db):
    return UserFactory(role="staff")


def test_the_beat_task_completes_sessions_that_ended(
    booking, monkeypatch, announced, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(booking_services.timezone, "now", lambda: END - timedelta(seconds=1))
    assert tasks.complete_finished.delay().get() == 0
    monkeypatch.setattr(booking_services.timezone, "now", lambda: END)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.complete_finished.delay().get() == 1

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert ("booking_completed", booking.pk, {}) in announced


def test_a_pending_booking_is_never_completed(schedule, trainee):
    pending = book(trainee, schedule)

    assert booking_services.bookings_complete_finished(now=END + timedelta(days=1)) == 0

    pending.refresh_from_db()
    assert pending.status == "pending_payment"


@pytest.mark.parametrize("completed_first", [False, True])
def test_the_trainer_marks_a_no_show_after_the_start(
    booking, completed_first, announced, django_capture_on_commit_callbacks
):
    if completed_first:
        booking_services.bookings_complete_finished(now=END)
    trainer = booking.trainer.user

    with django_capture_on_commit_callbacks(execute=True):
        marked = booking_services.booking_mark_no_show_trainee(
            booking_id=booking.pk, actor=trainer, now=MONDAY + timedelta(minutes=10)
        )

    assert marked.status == BookingStatus.NO_SHOW_TRAINEE
    assert marked.refund_amount is None  # no refund
    assert ("booking_no_show", booking.pk, {"kind": "trainee"}) in announced
    assert marked.events.latest("id").actor == trainer


@pytest.mark.parametrize(
    "when", [MONDAY - timedelta(minutes=1), END + timedelta(hours=48, minutes=1)]
)
def test_a_no_show_outside_its_window_is_refused(booking, when):
    with pytest.raises(NoShowNotAllowed) as trainee_side:
        booking_services.booking_mark_no_show_trainee(booking_id=booking.pk, actor=None, now=when)
    with pytest.raises(NoShowNotAllowed):
        booking_services.booking_report_no_show_trainer(booking_id=booking.pk, actor=None, now=when)

    assert (trainee_side.value.code, trainee_side.value.status) == ("NO_SHOW_NOT_ALLOWED", 409)
    assert Booking.objects.get().status == "confirmed"


def test_a_no_show_can_be_reported_until_48_hours_after_the_end(booking):
    reported = booking_services.booking_report_no_show_trainer(
        booking_id=booking.pk, actor=booking.trainee, now=END + timedelta(hours=48)
    )

    assert (reported.status, reported.no_show_review) == ("no_show_trainer", "pending")


def test_a_pending_booking_has_no_no_show(schedule, trainee):
    pending = book(trainee, schedule)

    with pytest.raises(InvalidTransition):
        booking_services.booking_mark_no_show_trainee(
            booking_id=pending.pk, actor=None, now=MONDAY + timedelta(minutes=5)
        )


def test_staff_uphold_a_trainees_report_with_a_full_refund(
    booking, staff, announced, django_capture_on_commit_callbacks
):
    booking_services.bookings_complete_finished(now=END)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_report_no_show_trainer(
            booking_id=booking.pk, actor=booking.trainee, now=END + timedelta(hours=1)
        )
        upheld = booking_services.booking_review_no_show(
            booking_id=booking.pk, actor=staff, uphold=True
        )
        again = booking_services.booking_review_no_show(
            booking_id=booking.pk, actor=staff, uphold=True
        )

    assert (upheld.status, upheld.no_show_review) == ("no_show_trainer", "upheld")
    assert (upheld.refund_amount, upheld.refund_percent, upheld.refund_reason) == (
        45000,
        100,
        "trainer_no_show",
    )
    assert again.events.filter(note="Staff confirmed the trainer's no-show.").count() == 1
    assert queries.trainer_no_show_count(booking.trainer) == 1
    kinds = [extra["kind"] for name, pk, extra in announced if name == "booking_no_show"]
    assert kinds == ["trainer_reported", "trainer_upheld"]


def test_staff_dismiss_a_report_and_the_session_counts_as_held(booking, staff):
    booking_services.booking_report_no_show_trainer(
        booking_id=booking.pk, actor=booking.trainee, now=MONDAY + timedelta(minutes=20)
    )

    dismissed = booking_services.booking_review_no_show(
        booking_id=booking.pk, actor=staff, uphold=False
    )

    assert (dismissed.status, dismissed.no_show_review) == ("completed", "dismissed")
    assert dismissed.refund_amount is None
    assert queries.trainer_no_show_count(booking.trainer) == 0
    with pytest.raises(InvalidTransition):
        booking_services.booking_review_no_show(booking_id=booking.pk, actor=staff, uphold=True)


def test_there_is_nothing_to_review_without_a_report(booking, staff):
    with pytest.raises(InvalidTransition) as error:
        booking_services.booking_review_no_show(booking_id=booking.pk, actor=staff, uphold=True)

    assert str(error.value.message) == "There is no no-show report waiting for a decision."
