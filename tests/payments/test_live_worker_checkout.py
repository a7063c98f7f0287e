"""A demo payment end to end through a real Celery worker on Redis: the trainee's test card
is accepted, the signed event is stored and queued by the web process, and the worker
records the Transaction and confirms the booking."""

import time

import pytest

from bookings.models import BookingStatus
from payments import services
from payments.models import Transaction, WebhookEvent, WebhookStatus
from tests.payments.helpers import held_booking
from tests.payments.test_live_worker import WAIT_SECONDS, live_worker  # noqa: F401


@pytest.mark.worker
@pytest.mark.postgres
def test_a_real_worker_confirms_a_demo_payment(live_worker):  # noqa: F811
    # given a held booking with its demo PaymentIntent
    booking = held_booking()
    checkout = services.checkout_start(booking_id=booking.pk, user=booking.trainee)

    # when the test card is accepted (the event goes through the intake; the task to Redis)
    services.demo_payment_complete(
        payment_intent_id=checkout.payment_intent_id, user=booking.trainee, succeed=True
    )
    stored = WebhookEvent.objects.get(type="payment_intent.succeeded")

    # then the worker process applies it: one transaction, the booking confirmed
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        stored.refresh_from_db()
        if stored.status != WebhookStatus.RECEIVED:
            break
        time.sleep(0.5)
    assert stored.status == WebhookStatus.PROCESSED, live_worker.read_text()[-4000:]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    txn = Transaction.objects.get()
    assert (txn.payment_intent_id, txn.gross_amount, txn.trainer_amount) == (
        checkout.payment_intent_id,
        45000,
        38250,
    )
