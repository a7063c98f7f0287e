"""The pay page, the demo's test-payment form and the return address."""

import pytest

from bookings.models import BookingStatus
from payments.models import Transaction
from tests.factories import UserFactory
from tests.payments.helpers import held_booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    return held_booking()


@pytest.fixture
def trainee_client(client, booking):
    client.force_login(booking.trainee)
    return client


def csp(response) -> str:
    return response.headers.get("Content-Security-Policy", "")


def test_the_demo_pay_page_shows_the_test_form_the_price_and_the_hold(trainee_client, booking):
    response = trainee_client.get(f"/bookings/{booking.pk}/pay/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="demo-payment"' in page
    assert "Test payment: no real money moves" in page
    assert "450 kr" in page
    assert 'data-testid="hold-countdown"' in page
    assert "js.stripe.com" not in page
    assert "stripe.com" not in csp(response)


def test_with_stripe_the_page_loads_stripe_js_and_only_it_allows_stripe(
    trainee_client, booking, stripe_double
):
    response = trainee_client.get(f"/bookings/{booking.pk}/pay/")
    other = trainee_client.get("/")

    page = response.content.decode()
    assert '<script src="https://js.stripe.com/v3/" nonce=' in page
    assert 'id="payment-element"' in page
    assert '"clientSecret": "pi_' in page
    assert '"publishableKey": "pk_test_double"' in page
    policy = csp(response)
    assert "script-src 'self' 'nonce-" in policy and "https://js.stripe.com" in policy
    assert "frame-src https://js.stripe.com" in policy and "https://hooks.stripe.com" in policy
    assert "connect-src 'self' https://api.stripe.com" in policy
    assert "stripe.com" not in csp(other)


def test_the_pay_page_is_the_trainees_own(client, booking):
    client.force_login(UserFactory())

    assert client.get(f"/bookings/{booking.pk}/pay/").status_code == 404


def test_the_pay_page_needs_a_log_in(client, booking):
    response = client.get(f"/bookings/{booking.pk}/pay/")

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_paying_with_the_demo_card_confirms_and_lands_on_the_booking(
    trainee_client, booking, django_capture_on_commit_callbacks
):
    trainee_client.get(f"/bookings/{booking.pk}/pay/")

    with django_capture_on_commit_callbacks(execute=True):
        response = trainee_client.post(
            f"/bookings/{booking.pk}/pay/demo/", {"outcome": "succeed"}, follow=False
        )
    assert response.url == f"/bookings/{booking.pk}/pay/return/"
    landed = trainee_client.get(response.url)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert landed.status_code == 302
    assert landed.url == f"/bookings/{booking.pk}/"
    txn = Transaction.objects.get()
    assert (txn.is_demo, txn.gross_amount, txn.payment_intent_id) == (
        True,
        45000,
        booking.payment_intent_id,
    )


def test_the_return_address_alone_confirms_nothing(trainee_client, booking):
    trainee_client.get(f"/bookings/{booking.pk}/pay/")

    response = trainee_client.get(
        f"/bookings/{booking.pk}/pay/return/?payment_intent=x&redirect_status=succeeded"
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert Transaction.objects.count() == 0
    assert response.status_code == 302


def test_the_return_page_confirms_from_the_retrieved_intent_when_the_event_is_late(
    trainee_client, booking, stripe_double
):
    trainee_client.get(f"/bookings/{booking.pk}/pay/")
    booking.refresh_from_db()
    stripe_double.succeed_payment_intent(booking.payment_intent_id)  # no event delivered

    response = trainee_client.get(f"/bookings/{booking.pk}/pay/return/")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Transaction.objects.get().payment_intent_id == booking.payment_intent_id
    assert response.url == f"/bookings/{booking.pk}/"


def test_declining_the_demo_card_releases_the_hold(
    trainee_client, booking, django_capture_on_commit_callbacks
):
    trainee_client.get(f"/bookings/{booking.pk}/pay/")

    with django_capture_on_commit_callbacks(execute=True):
        trainee_client.post(f"/bookings/{booking.pk}/pay/demo/", {"outcome": "fail"})

    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert Transaction.objects.count() == 0


def test_a_paid_booking_goes_to_its_page(trainee_client, booking):
    from bookings.booking_services import booking_confirm_payment

    booking_confirm_payment(booking_id=booking.pk)

    response = trainee_client.get(f"/bookings/{booking.pk}/pay/")

    assert response.status_code == 302
    assert response.url == f"/bookings/{booking.pk}/"


def test_the_demo_api_succeeds_and_fails_only_in_demo_mode(
    api_client, booking, settings, django_capture_on_commit_callbacks
):
    from payments import services

    checkout = services.checkout_start(booking_id=booking.pk, user=booking.trainee)
    api_client.force_authenticate(booking.trainee)
    stranger = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/demo-payments/{checkout.payment_intent_id}/succeed")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["payment_intent_id"], body["booking"]["id"]) == (
        checkout.payment_intent_id,
        booking.pk,
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    again = api_client.post(f"/api/demo-payments/{checkout.payment_intent_id}/fail")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "BOOKING_NOT_PAYABLE"

    api_client.force_authenticate(stranger)
    assert (
        api_client.post(f"/api/demo-payments/{checkout.payment_intent_id}/succeed").status_code
        == 404
    )
    api_client.force_authenticate(booking.trainee)
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert (
        api_client.post(f"/api/demo-payments/{checkout.payment_intent_id}/succeed").status_code
        == 404
    )
    assert api_client.post("/api/demo-payments/pi_nothing/succeed").status_code == 404
