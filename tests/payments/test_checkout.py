"""POST /api/bookings/<id>/payment: one PaymentIntent per booking, made with our key, and
what Stripe (the HTTP double) received."""

import pytest

from bookings.models import BookingStatus
from payments.models import BookingPayment
from tests.factories import UserFactory
from tests.payments.helpers import held_booking, payment_path
from tests.stripe_double.server import NETWORK_DROP_AFTER_CREATE, SERVER_ERROR_AFTER_CREATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    return held_booking()


def pay(api_client, booking, user=None):
    api_client.force_authenticate(user or booking.trainee)
    return api_client.post(payment_path(booking))


def test_the_intent_carries_price_metadata_transfer_group_and_our_key(
    api_client, booking, stripe_double
):
    response = pay(api_client, booking)

    assert response.status_code == 200, response.content
    body = response.json()
    [sent] = stripe_double.requests_to("POST", "/v1/payment_intents")
    assert sent.params["amount"] == str(booking.price_amount)
    assert sent.params["currency"] == "sek"
    assert sent.params["automatic_payment_methods"] == {"enabled": "true"}
    assert sent.params["metadata"] == {
        "booking_id": str(booking.pk),
        "trainee_id": str(booking.trainee_id),
        "trainer_id": str(booking.trainer_id),
    }
    assert sent.params["transfer_group"] == f"booking-{booking.pk}"
    assert sent.idempotency_key == f"booking-{booking.pk}-intent"
    assert body == {
        "payment_intent_id": body["payment_intent_id"],
        "client_secret": body["client_secret"],
        "publishable_key": "pk_test_double",
        "amount": booking.price_amount,
        "currency": "SEK",
        "demo": False,
        "status": "requires_payment_method",
    }
    assert body["client_secret"].startswith(body["payment_intent_id"] + "_secret_")
    booking.refresh_from_db()
    assert booking.payment_intent_id == body["payment_intent_id"]
    row = BookingPayment.objects.get(booking=booking)
    assert row.payment_intent_id == booking.payment_intent_id


def test_asking_twice_returns_the_same_intent(api_client, booking, stripe_double):
    first = pay(api_client, booking).json()
    second = pay(api_client, booking).json()

    assert second["payment_intent_id"] == first["payment_intent_id"]
    assert second["client_secret"] == first["client_secret"]
    assert len(stripe_double.requests_to("POST", "/v1/payment_intents")) == 1


@pytest.mark.parametrize("failure", [NETWORK_DROP_AFTER_CREATE, SERVER_ERROR_AFTER_CREATE])
def test_after_a_crash_between_stripe_and_us_the_intent_is_found_not_made_twice(
    api_client, booking, stripe_double, failure
):
    stripe_double.fail_next("POST", "/v1/payment_intents", failure, times=5)

    first = pay(api_client, booking)
    assert first.status_code == 503
    assert first.json()["error"]["code"] == "PAYMENTS_UNAVAILABLE"
    assert BookingPayment.objects.get(booking=booking).idempotency_key == (
        f"booking-{booking.pk}-intent"
    )

    second = pay(api_client, booking)

    assert second.status_code == 200, second.content
    keys = {r.idempotency_key for r in stripe_double.requests_to("POST", "/v1/payment_intents")}
    assert keys == {f"booking-{booking.pk}-intent"}
    assert len(stripe_double.objects("payment_intent")) == 1
    assert second.json()["payment_intent_id"] == stripe_double.objects("payment_intent")[0]["id"]


def test_a_retry_sends_the_same_key(api_client, booking, stripe_double):
    stripe_double.fail_next("POST", "/v1/payment_intents", "server_error", times=5)
    assert pay(api_client, booking).status_code == 503

    assert pay(api_client, booking).status_code == 200

    sent = stripe_double.requests_to("POST", "/v1/payment_intents")
    assert len(sent) >= 2
    assert {r.idempotency_key for r in sent} == {f"booking-{booking.pk}-intent"}
    assert len(stripe_double.objects("payment_intent")) == 1


def test_only_the_bookings_trainee_may_pay(api_client, booking, stripe_double):
    response = pay(api_client, booking, user=UserFactory())

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert stripe_double.requests_to("POST", "/v1/payment_intents") == []


def test_paying_needs_a_log_in(api_client, booking):
    response = api_client.post(payment_path(booking))

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_a_booking_not_awaiting_payment_is_refused(api_client, booking, stripe_double):
    from bookings.booking_services import booking_confirm_payment

    booking_confirm_payment(booking_id=booking.pk)

    response = pay(api_client, booking)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "BOOKING_NOT_PAYABLE"


def test_a_hold_past_its_time_is_refused(api_client, booking, stripe_double):
    from datetime import timedelta

    from bookings.models import Booking

    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=booking.hold_expires_at - timedelta(hours=1)
    )

    response = pay(api_client, booking)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "HOLD_EXPIRED"
    assert response.json()["error"]["message"]


def test_the_refusal_reads_in_swedish(api_client, booking, stripe_double):
    from bookings.booking_services import booking_confirm_payment

    booking_confirm_payment(booking_id=booking.pk)
    api_client.force_authenticate(booking.trainee)

    response = api_client.post(payment_path(booking), HTTP_ACCEPT_LANGUAGE="sv")

    assert response.json()["error"]["message"] == "Den här bokningen väntar inte på betalning."


def test_with_the_demo_gateway_the_intent_is_a_demo_one(api_client, booking, settings):
    settings.STRIPE_SECRET_KEY = ""

    body = pay(api_client, booking).json()

    assert body["demo"] is True
    assert body["payment_intent_id"].startswith("pi_demo_")
    assert body["publishable_key"] == ""
    assert pay(api_client, booking).json()["payment_intent_id"] == body["payment_intent_id"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_the_schema_declares_the_payment_endpoints_and_every_error(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    pay = schema["paths"]["/api/bookings/{id}/payment"]["post"]
    assert set(pay["responses"]) == {"200", "401", "403", "404", "409", "429", "503"}
    assert "HOLD_EXPIRED" in pay["responses"]["409"]["description"]
    output = schema["components"]["schemas"]["CheckoutOutput"]["properties"]
    assert set(output) == {
        "payment_intent_id",
        "client_secret",
        "publishable_key",
        "amount",
        "currency",
        "demo",
        "status",
    }
    for action in ("succeed", "fail"):
        demo = schema["paths"][f"/api/demo-payments/{{payment_intent_id}}/{action}"]["post"]
        assert set(demo["responses"]) == {"200", "401", "403", "404", "409", "429"}


@pytest.fixture
def demo_then_stripe(api_client, booking, settings):
    settings.STRIPE_SECRET_KEY = ""
    return pay(api_client, booking).json()


def test_an_intent_of_the_demo_is_replaced_by_a_stripe_one_when_keys_are_set(
    api_client, booking, demo_then_stripe, stripe_double
):
    response = pay(api_client, booking)

    body = response.json()
    assert response.status_code == 200, body
    assert demo_then_stripe["payment_intent_id"].startswith("pi_demo_")
    assert body["demo"] is False
    assert body["payment_intent_id"] == stripe_double.objects("payment_intent")[0]["id"]
    booking.refresh_from_db()
    assert booking.payment_intent_id == body["payment_intent_id"]
    assert BookingPayment.objects.get(booking=booking).is_demo is False
