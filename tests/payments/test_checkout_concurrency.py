"""One payment, many deliveries at once: one Transaction, one confirmation (PostgreSQL,
real threads, each with its own connection)."""

import pytest
from django.test import Client

from bookings.models import BookingEvent, BookingStatus
from payments import services
from payments.gateway import PaymentIntent
from payments.models import Transaction, WebhookEvent, WebhookStatus
from tests.payments.helpers import deliver, held_booking, stripe_event
from tests.payments.test_concurrency import COPIES, at_once


@pytest.fixture
def paid(transactional_db, stripe_double):
    booking = held_booking()
    checkout = services.checkout_start(booking_id=booking.pk, user=booking.trainee)
    return booking, stripe_double.succeed_payment_intent(checkout.payment_intent_id)


@pytest.mark.postgres
def test_one_success_event_delivered_twenty_times_at_once_makes_one_transaction(paid):
    booking, intent = paid
    event = stripe_event("payment_intent.succeeded", intent)

    responses = at_once(lambda: deliver(Client(), event))

    assert [r.status_code for r in responses] == [200] * COPIES
    assert WebhookEvent.objects.get().status == WebhookStatus.PROCESSED
    assert Transaction.objects.count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.postgres
def test_twenty_different_events_and_returns_for_one_intent_at_once_make_one_transaction(paid):
    """Stripe may send the success as separate events (retries of a re-created endpoint),
    and the return page applies it too: all of them race on the same booking."""
    booking, intent = paid
    counter = iter(range(COPIES))

    def one():
        if next(counter) % 2:
            return deliver(Client(), stripe_event("payment_intent.succeeded", intent)).status_code
        services.payment_intent_succeeded(intent=PaymentIntent.from_stripe(intent))
        return 200

    assert at_once(one) == [200] * COPIES

    assert Transaction.objects.count() == 1
    assert BookingEvent.objects.filter(booking=booking, to_status="confirmed").count() == 1
    assert WebhookEvent.objects.filter(status=WebhookStatus.PROCESSED).count() == COPIES // 2
