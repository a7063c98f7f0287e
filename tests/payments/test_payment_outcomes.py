"""What Stripe's payment events do: a Transaction once and the booking confirmed, holds
released, refunds recorded, disputes flagged; in any order, and late payments both ways."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings import booking_services
from bookings.models import Booking, BookingEvent, BookingStatus, CancelledBy
from payments import services
from payments.models import (
    DisputeStatus,
    Refund,
    RefundSource,
    RefundStatus,
    Transaction,
    WebhookEvent,
    WebhookStatus,
)
from tests.factories import UserFactory
from tests.payments.helpers import deliver, held_booking, stripe_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    return held_booking()


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def start(booking):
    return services.checkout_start(booking_id=booking.pk, user=booking.trainee)


def paid(stripe_double, booking) -> dict:
    """The booking's intent as Stripe has it once the card was accepted."""
    checkout = start(booking)
    return stripe_double.succeed_payment_intent(checkout.payment_intent_id)


def send(client, on_commit, event_type, data_object, **kwargs):
    event = stripe_event(event_type, data_object, **kwargs)
    with on_commit():
        response = deliver(client, event)
    assert response.status_code == 200
    return WebhookEvent.objects.get(stripe_event_id=event["id"])


def expire(booking):
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(minutes=1)
    )
    booking_services.bookings_expire_holds()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED


def test_success_records_the_split_and_confirms_the_booking(
    client, booking, stripe_double, on_commit
):
    intent = paid(stripe_double, booking)

    event = send(client, on_commit, "payment_intent.succeeded", intent)

    assert event.status == WebhookStatus.PROCESSED
    txn = Transaction.objects.get()
    assert (txn.booking_id, txn.trainer_id) == (booking.pk, booking.trainer_id)
    assert (txn.payment_intent_id, txn.charge_id) == (intent["id"], intent["latest_charge"])
    assert txn.idempotency_key == f"booking-{booking.pk}-intent"
    assert (txn.gross_amount, txn.trainer_amount, txn.platform_fee) == (45000, 38250, 6750)
    assert (txn.currency, txn.fee_percent, txn.payout_status) == ("SEK", 15, "pending")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    notes = list(BookingEvent.objects.filter(booking=booking).values_list("note", flat=True))
    assert any("450 kr received" in note and intent["id"] in note for note in notes)


def test_the_same_success_twice_and_the_return_page_make_one_transaction(
    client, booking, stripe_double, on_commit
):
    intent = paid(stripe_double, booking)

    send(client, on_commit, "payment_intent.succeeded", intent)
    send(client, on_commit, "payment_intent.succeeded", intent)  # another event id
    services.checkout_return(booking_id=booking.pk, user=booking.trainee)

    assert Transaction.objects.count() == 1
    assert BookingEvent.objects.filter(booking=booking, to_status="confirmed").count() == 1


def test_the_return_page_confirms_only_what_stripe_says(booking, stripe_double):
    start(booking)

    returned = services.checkout_return(booking_id=booking.pk, user=booking.trainee)

    assert returned.status == BookingStatus.PENDING_PAYMENT
    assert Transaction.objects.count() == 0
    assert stripe_double.requests_to("GET", f"/v1/payment_intents/{returned.payment_intent_id}")


def test_an_intent_that_is_not_ours_is_ignored(client, stripe_double, on_commit):
    intent = stripe_double.objects("payment_intent")  # none
    assert intent == []

    event = send(
        client,
        on_commit,
        "payment_intent.succeeded",
        {
            "id": "pi_elsewhere",
            "object": "payment_intent",
            "status": "succeeded",
            "amount": 100,
            "currency": "sek",
            "metadata": {},
        },
    )

    assert event.status == WebhookStatus.IGNORED
    assert "pi_elsewhere" in event.note


def test_a_failed_payment_releases_the_hold(client, booking, stripe_double, on_commit):
    checkout = start(booking)
    intent = stripe_double.get("payment_intent", checkout.payment_intent_id)

    event = send(client, on_commit, "payment_intent.payment_failed", intent)

    assert event.status == WebhookStatus.PROCESSED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED


def test_a_cancelled_intent_releases_the_hold(client, booking, stripe_double, on_commit):
    checkout = start(booking)
    intent = stripe_double.update("payment_intent", checkout.payment_intent_id, status="canceled")

    send(client, on_commit, "payment_intent.canceled", intent)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED


def test_a_stale_failure_after_the_success_changes_nothing(
    client, booking, stripe_double, on_commit
):
    checkout = start(booking)
    failed = stripe_double.get("payment_intent", checkout.payment_intent_id)
    succeeded = stripe_double.succeed_payment_intent(checkout.payment_intent_id)

    send(client, on_commit, "payment_intent.succeeded", succeeded)
    send(client, on_commit, "payment_intent.payment_failed", failed)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Transaction.objects.count() == 1


def test_a_failure_that_arrives_before_a_later_success_is_read_from_stripe(
    client, booking, stripe_double, on_commit
):
    """The first card was declined, the second accepted; the decline's event comes last
    but Stripe now says succeeded: the booking is confirmed, not released."""
    checkout = start(booking)
    failed = stripe_double.get("payment_intent", checkout.payment_intent_id)
    stripe_double.succeed_payment_intent(checkout.payment_intent_id)

    send(client, on_commit, "payment_intent.payment_failed", failed)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Transaction.objects.get().payment_intent_id == checkout.payment_intent_id


def test_a_refund_reported_before_the_success_is_applied_in_either_order(
    client, booking, stripe_double, on_commit
):
    intent = paid(stripe_double, booking)
    stripe_double.state.objects["charge"][intent["latest_charge"]]["amount_refunded"] = 20000
    charge = stripe_double.get("charge", intent["latest_charge"])

    send(client, on_commit, "charge.refunded", charge)
    send(client, on_commit, "payment_intent.succeeded", intent)

    txn = Transaction.objects.get()
    assert txn.refunded_amount == 20000
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_late_success_confirms_the_booking_when_its_seat_is_still_free(
    client, booking, stripe_double, on_commit
):
    checkout = start(booking)
    expire(booking)
    intent = stripe_double.succeed_payment_intent(checkout.payment_intent_id)

    send(client, on_commit, "payment_intent.succeeded", intent)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.slot.seats_taken == 1
    assert Transaction.objects.get().refunded_amount == 0
    assert stripe_double.requests_to("POST", "/v1/refunds") == []


def test_late_success_refunds_everything_when_the_seat_was_taken(
    client, booking, stripe_double, on_commit
):
    checkout = start(booking)
    expire(booking)
    other = booking_services.book_slot(
        trainee=UserFactory(), schedule_id=booking.schedule_id, start=booking.start
    )
    intent = stripe_double.succeed_payment_intent(checkout.payment_intent_id)

    send(client, on_commit, "payment_intent.succeeded", intent)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    other.refresh_from_db()
    assert other.status == BookingStatus.PENDING_PAYMENT
    txn = Transaction.objects.get()
    [sent] = stripe_double.requests_to("POST", "/v1/refunds")
    assert sent.params["amount"] == "45000"
    assert sent.params["payment_intent"] == intent["id"]
    assert sent.idempotency_key == f"refund-{booking.pk}"
    refund = Refund.objects.get()
    assert (refund.source, refund.status) == (RefundSource.LATE_PAYMENT, RefundStatus.SUCCEEDED)
    txn.refresh_from_db()
    assert txn.refunded_amount == 45000
    assert txn not in Transaction.objects.payable()
    refunded = [m for m in mail.outbox if m.subject == "Your payment is on its way back"]
    assert [m.to for m in refunded] == [[booking.trainee.email]]

    send(client, on_commit, "payment_intent.succeeded", intent)  # again: nothing more
    assert len(stripe_double.requests_to("POST", "/v1/refunds")) == 1


def test_a_dispute_flags_the_transaction_keeps_it_out_of_payouts_and_tells_staff(
    client, booking, stripe_double, on_commit
):
    UserFactory(is_staff=True, email="staff@traino.example")
    intent = paid(stripe_double, booking)
    send(client, on_commit, "payment_intent.succeeded", intent)
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "amount": 45000,
        "currency": "sek",
        "charge": intent["latest_charge"],
        "payment_intent": intent["id"],
        "status": "needs_response",
        "reason": "fraudulent",
    }

    send(client, on_commit, "charge.dispute.created", dispute)

    txn = Transaction.objects.get()
    assert (txn.disputed, txn.dispute_id, txn.dispute_status) == (
        True,
        "dp_test_1",
        DisputeStatus.NEEDS_RESPONSE,
    )
    assert list(Transaction.objects.payable()) == []
    disputes = [m for m in mail.outbox if "Dispute" in m.subject]
    assert [m.to for m in disputes] == [["staff@traino.example"]]
    assert intent["id"] in disputes[0].body

    send(client, on_commit, "charge.dispute.created", {**dispute})
    assert len([m for m in mail.outbox if "Dispute" in m.subject]) == 1


def test_a_dispute_closed_before_created_arrives_stays_closed(
    client, booking, stripe_double, on_commit
):
    intent = paid(stripe_double, booking)
    send(client, on_commit, "payment_intent.succeeded", intent)
    dispute = {
        "id": "dp_2",
        "object": "dispute",
        "amount": 45000,
        "charge": intent["latest_charge"],
        "payment_intent": intent["id"],
    }

    send(client, on_commit, "charge.dispute.closed", {**dispute, "status": "won"})
    send(client, on_commit, "charge.dispute.created", {**dispute, "status": "needs_response"})

    txn = Transaction.objects.get()
    assert (txn.disputed, txn.dispute_status) == (False, DisputeStatus.WON)
    assert list(Transaction.objects.payable()) == [txn]


# --- refunds decided by bookings ------------------------------------------------------------


def confirmed_and_paid(client, booking, stripe_double, on_commit) -> Transaction:
    send(client, on_commit, "payment_intent.succeeded", paid(stripe_double, booking))
    return Transaction.objects.get(booking=booking)


def test_a_trainer_cancelling_refunds_everything_once(client, booking, stripe_double, on_commit):
    txn = confirmed_and_paid(client, booking, stripe_double, on_commit)

    with on_commit():
        booking_services.booking_cancel(
            booking_id=booking.pk, by=CancelledBy.TRAINER, actor=booking.trainer.user
        )
    with on_commit():  # cancelling again is a no-op in bookings; the signal again is too
        booking.refresh_from_db()
        from bookings.signals import booking_cancelled

        booking_cancelled.send(sender=Booking, booking=booking, actor=None)

    [sent] = stripe_double.requests_to("POST", "/v1/refunds")
    assert sent.params["amount"] == "45000"
    assert sent.idempotency_key == f"refund-{booking.pk}"
    assert sent.params["metadata"] == {
        "refund_key": f"refund-{booking.pk}",
        "booking_id": str(booking.pk),
    }
    txn.refresh_from_db()
    assert txn.refunded_amount == 45000
    assert txn.trainer_payable_amount == 0
    assert list(Transaction.objects.payable()) == []
    refund = Refund.objects.get()
    assert (refund.source, refund.status) == (
        RefundSource.BOOKING_CANCELLED,
        RefundStatus.SUCCEEDED,
    )


def test_a_partial_refund_leaves_the_trainer_their_share_of_what_was_kept(
    client, booking, stripe_double, on_commit, settings
):
    from bookings.policy import parse_cancellation_policy

    settings.CANCELLATION_POLICY = parse_cancellation_policy("720:100,0:50")
    txn = confirmed_and_paid(client, booking, stripe_double, on_commit)

    with on_commit():
        booking_services.booking_cancel(
            booking_id=booking.pk, by=CancelledBy.TRAINEE, actor=booking.trainee
        )

    [sent] = stripe_double.requests_to("POST", "/v1/refunds")
    assert sent.params["amount"] == "22500"
    txn.refresh_from_db()
    assert (txn.refunded_amount, txn.kept_amount, txn.trainer_payable_amount) == (
        22500,
        22500,
        19125,
    )
    assert list(Transaction.objects.payable()) == [txn]


def test_a_trainer_no_show_upheld_by_staff_refunds_once(client, booking, stripe_double, on_commit):
    txn = confirmed_and_paid(client, booking, stripe_double, on_commit)
    staff = UserFactory(is_staff=True)
    during = booking.start + timedelta(minutes=10)
    booking_services.booking_report_no_show_trainer(
        booking_id=booking.pk, actor=booking.trainee, now=during
    )

    with on_commit():
        booking_services.booking_review_no_show(booking_id=booking.pk, actor=staff, uphold=True)
    with on_commit():
        booking_services.booking_review_no_show(booking_id=booking.pk, actor=staff, uphold=True)

    [sent] = stripe_double.requests_to("POST", "/v1/refunds")
    assert (sent.params["amount"], sent.idempotency_key) == ("45000", f"refund-{booking.pk}")
    txn.refresh_from_db()
    assert txn.fully_refunded


def test_staff_refund_any_amount_up_to_what_is_left(client, booking, stripe_double, on_commit):
    from payments.errors import RefundRefused

    txn = confirmed_and_paid(client, booking, stripe_double, on_commit)
    staff = UserFactory(is_staff=True)

    with on_commit():
        services.refund_staff(transaction_id=txn.pk, amount=10000, actor=staff)
    with pytest.raises(RefundRefused):
        services.refund_staff(transaction_id=txn.pk, amount=35001, actor=staff)
    with on_commit():
        services.refund_staff(transaction_id=txn.pk, amount=35000, actor=staff)

    keys = [r.idempotency_key for r in stripe_double.requests_to("POST", "/v1/refunds")]
    assert keys == [f"refund-{booking.pk}-staff-1", f"refund-{booking.pk}-staff-2"]
    txn.refresh_from_db()
    assert txn.refunded_amount == 45000


def test_a_refund_retried_after_stripe_failed_sends_the_same_key_and_refunds_once(
    client, booking, stripe_double, on_commit, eager_retries
):
    txn = confirmed_and_paid(client, booking, stripe_double, on_commit)
    stripe_double.fail_next("POST", "/v1/refunds", "server_error_after_create", times=1)

    with on_commit():
        services.refund_staff(transaction_id=txn.pk, amount=5000, actor=UserFactory(is_staff=True))

    sent = stripe_double.requests_to("POST", "/v1/refunds")
    assert len(sent) >= 2
    assert {r.idempotency_key for r in sent} == {f"refund-{booking.pk}-staff-1"}
    assert len(stripe_double.objects("refund")) == 1
    txn.refresh_from_db()
    assert txn.refunded_amount == 5000


def test_a_success_received_while_the_broker_was_down_is_applied_by_the_sweeper(
    client, booking, stripe_double, on_commit, monkeypatch, settings
):
    from kombu.exceptions import OperationalError

    from payments import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    intent = paid(stripe_double, booking)
    monkeypatch.setattr(tasks.process_webhook_event, "delay", broker_down)
    event = send(client, on_commit, "payment_intent.succeeded", intent)
    assert event.status == WebhookStatus.RECEIVED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert Transaction.objects.count() == 0

    monkeypatch.undo()
    WebhookEvent.objects.filter(pk=event.pk).update(
        received_at=timezone.now() - settings.WEBHOOK_REQUEUE_AFTER - timedelta(seconds=1)
    )
    assert tasks.requeue_stale_webhook_events.delay().get() == 1

    event.refresh_from_db()
    assert event.status == WebhookStatus.PROCESSED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Transaction.objects.count() == 1


def test_a_success_delivered_again_after_a_late_cancellation_refunds_nothing(
    client, booking, stripe_double, on_commit, settings
):
    """Cancelled inside the policy's last hours: nothing back. A redelivered success event
    must not read the cancelled booking as a payment that came too late."""
    from django.conf import settings

    from bookings.policy import parse_cancellation_policy

    intent = paid(stripe_double, booking)
    send(client, on_commit, "payment_intent.succeeded", intent)
    settings.CANCELLATION_POLICY = parse_cancellation_policy("0:0")
    with on_commit():
        booking_services.booking_cancel(
            booking_id=booking.pk, by=CancelledBy.TRAINEE, actor=booking.trainee
        )

    send(client, on_commit, "payment_intent.succeeded", intent)

    assert stripe_double.requests_to("POST", "/v1/refunds") == []
    assert Refund.objects.count() == 0
    assert Transaction.objects.get().refunded_amount == 0
