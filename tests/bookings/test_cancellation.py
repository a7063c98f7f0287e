"""Cancelling: the trainee's refund follows CANCELLATION_POLICY to the minute; a trainer or
staff cancelling refunds everything; an unpaid booking moves no money; the decision is
stored and announced after commit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from bookings import booking_services, policy
from bookings.errors import InvalidTransition, TooLateToCancel
from bookings.models import Booking, BookingStatus, Slot
from tests.bookings.conftest import MONDAY, NOW, book, confirm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LADDER = "48:100,24:50,0:0"


def confirmed_booking(schedule, trainee, price=45000):
    schedule.offering.price_amount = price
    schedule.offering.save()
    return confirm(book(trainee, schedule))


def cancel(booking, by="trainee", now=NOW, actor=None, reason=""):
    return booking_services.booking_cancel(
        booking_id=booking.pk, by=by, actor=actor, reason=reason, now=now
    )


@pytest.mark.parametrize(
    ("notice", "percent", "refund"),
    [
        (timedelta(hours=48, minutes=1), 100, 45000),
        (timedelta(hours=48), 100, 45000),
        (timedelta(hours=47, minutes=59), 50, 22500),
        (timedelta(hours=24, minutes=1), 50, 22500),
        (timedelta(hours=24), 50, 22500),
        (timedelta(hours=23, minutes=59), 0, 0),
        (timedelta(minutes=1), 0, 0),
    ],
)
def test_the_trainees_refund_follows_each_step_of_the_ladder_to_the_minute(
    schedule, trainee, settings, notice, percent, refund
):
    settings.CANCELLATION_POLICY = policy.parse_cancellation_policy(LADDER)
    booking = confirmed_booking(schedule, trainee)

    cancelled = cancel(booking, now=MONDAY - notice, actor=trainee, reason="Sick")

    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        "cancelled",
        "trainee",
        "Sick",
    )
    assert (cancelled.refund_percent, cancelled.refund_amount, cancelled.refund_reason) == (
        percent,
        refund,
        "policy",
    )
    assert cancelled.cancelled_at == MONDAY - notice
    assert Slot.objects.get().seats_taken == 0


def test_the_default_policy_is_full_refund_a_day_ahead(schedule, trainee):
    booking = confirmed_booking(schedule, trainee)

    assert (
        booking_services.refund_quote(
            booking=booking, by="trainee", now=MONDAY - timedelta(hours=24)
        ).percent
        == 100
    )
    assert (
        booking_services.refund_quote(
            booking=booking, by="trainee", now=MONDAY - timedelta(hours=23, minutes=59)
        ).percent
        == 0
    )


def test_refunds_round_half_up_in_ore(schedule, trainee, settings):
    settings.CANCELLATION_POLICY = policy.parse_cancellation_policy("0:50")
    booking = confirmed_booking(schedule, trainee, price=333)

    cancelled = cancel(booking)

    assert cancelled.refund_amount == 167


@pytest.mark.parametrize(
    ("by", "reason"), [("trainer", "trainer_cancelled"), ("staff", "staff_cancelled")]
)
def test_a_trainer_or_staff_cancelling_refunds_everything(schedule, trainee, by, reason):
    booking = confirmed_booking(schedule, trainee)

    cancelled = cancel(booking, by=by, now=MONDAY - timedelta(minutes=30))

    assert (cancelled.cancelled_by, cancelled.refund_percent, cancelled.refund_amount) == (
        by,
        100,
        45000,
    )
    assert cancelled.refund_reason == reason


def test_cancelling_an_unpaid_booking_moves_no_money(schedule, trainee):
    booking = book(trainee, schedule)

    cancelled = cancel(booking, by="trainer")

    assert (cancelled.refund_amount, cancelled.refund_percent, cancelled.refund_reason) == (
        0,
        0,
        "not_paid",
    )


def test_the_decision_is_announced_after_commit(
    schedule, trainee, announced, django_capture_on_commit_callbacks
):
    booking = confirmed_booking(schedule, trainee)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cancel(booking)
    assert ("booking_cancelled", booking.pk, {}) not in announced
    for callback in callbacks:
        callback()

    assert ("booking_cancelled", booking.pk, {}) in announced


def test_cancelling_twice_changes_nothing(schedule, trainee):
    booking = confirmed_booking(schedule, trainee)
    cancel(booking, now=NOW)

    again = cancel(booking, by="staff", now=NOW + timedelta(hours=1))

    assert (again.cancelled_by, again.refund_amount) == ("trainee", 45000)
    assert again.events.filter(to_status="cancelled").count() == 1


def test_a_trainee_cannot_cancel_a_session_that_started(schedule, trainee):
    booking = confirmed_booking(schedule, trainee)

    with pytest.raises(TooLateToCancel) as error:
        cancel(booking, now=MONDAY)

    assert (error.value.code, error.value.status) == ("TOO_LATE_TO_CANCEL", 409)
    assert Booking.objects.get().status == "confirmed"
    # a trainer still can, until the end; staff too
    assert cancel(booking, by="trainer", now=MONDAY + timedelta(minutes=5)).status == "cancelled"


def test_a_trainer_cannot_cancel_a_session_that_is_over(schedule, trainee):
    booking = confirmed_booking(schedule, trainee)

    with pytest.raises(TooLateToCancel):
        cancel(booking, by="trainer", now=MONDAY + timedelta(hours=1))


@pytest.mark.parametrize("status", ["expired", "completed", "no_show_trainee"])
def test_a_booking_that_is_not_active_cannot_be_cancelled(schedule, trainee, status):
    booking = book(trainee, schedule)
    Booking.objects.filter(pk=booking.pk).update(status=status)

    with pytest.raises(InvalidTransition):
        cancel(booking, by="staff")


def test_a_cancelled_seat_can_be_booked_again(schedule, trainee):
    cancel(confirmed_booking(schedule, trainee))

    again = book(UserFactory(), schedule)

    assert again.status == BookingStatus.PENDING_PAYMENT
    assert Slot.objects.get().seats_taken == 1


# --- the ladder itself ---------------------------------------------------------------------------


def test_a_ladder_is_read_longest_notice_first():
    steps = policy.parse_cancellation_policy("0:0, 24:50 ,48:100")

    assert policy.describe(steps) == [(48, 100), (24, 50), (0, 0)]


@pytest.mark.parametrize(
    "text",
    ["", "24", "24:", "24:101", "-1:50", "x:50", "24:50,24:40", "48:50,24:60", "24:50.5"],
)
def test_a_bad_ladder_stops_start_up_naming_the_variable(text):
    with pytest.raises(ImproperlyConfigured, match="CANCELLATION_POLICY"):
        policy.parse_cancellation_policy(text)


def test_less_notice_than_the_lowest_step_gives_nothing():
    steps = policy.parse_cancellation_policy("24:100")

    assert policy.refund_percent(steps, start=MONDAY, now=MONDAY - timedelta(hours=23)) == 0


ladders = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 100)), min_size=1, max_size=6).map(
    lambda pairs: ",".join(
        f"{hours}:{percent}"
        for hours, percent in zip(
            sorted({h for h, _ in pairs}, reverse=True),
            sorted((p for _, p in pairs), reverse=True),
            strict=False,
        )
    )
)


@given(
    ladder=ladders,
    price=st.integers(0, 10_000_000),
    minutes=st.integers(-60, 600 * 60),
    later=st.integers(0, 600 * 60),
)
def test_the_refund_is_whole_ore_within_the_price_and_never_grows_as_notice_shrinks(
    ladder, price, minutes, later
):
    steps = policy.parse_cancellation_policy(ladder)
    now = MONDAY - timedelta(minutes=minutes)
    percent = policy.refund_percent(steps, start=MONDAY, now=now)
    amount = policy.percent_of(price, percent)

    assert 0 <= amount <= price
    assert amount == (price * percent * 2 + 100) // 200
    later_percent = policy.refund_percent(steps, start=MONDAY, now=now + timedelta(minutes=later))
    assert later_percent <= percent
    assert percent in {step.percent for step in steps} | {0}


def test_a_bad_cancellation_policy_in_the_environment_stops_start_up():
    from tests.traino.test_settings import run

    result = run("manage.py", "check", CANCELLATION_POLICY="24:100,48:50x")

    assert result.returncode != 0
    assert "CANCELLATION_POLICY must be a ladder of hours:percent steps" in result.stderr
    good = run("manage.py", "check", CANCELLATION_POLICY="48:100,24:50,0:0")
    assert good.returncode == 0, good.stderr
