"""A trainee books a slot, pays with the demo gateway's test card and lands on the booking
page, confirmed; staff find the transaction in the admin. The pay page on a phone and in
Swedish, checked by axe."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from bookings.recurrence import first_start
from marketplace.models import Role
from payments.models import Transaction, WebhookEvent
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language
from tests.factories import UserFactory

SHOTS = Path("/tmp/shots-checkout")


def shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def slot_url(trainer) -> str:
    schedule = trainer.schedules.get(offering__title="Personal training")
    return f"/book/{schedule.pk}/{first_start(schedule):%Y%m%dT%H%M%SZ}/"


def book(page, trainer) -> Booking:
    page.goto(slot_url(trainer))
    page.get_by_test_id("slot-book").click()
    page.get_by_test_id("review-book").click()
    expect(page.get_by_test_id("booking-status")).to_have_text("Awaiting payment")
    return Booking.objects.get()


@pytest.mark.browser
def test_book_pay_with_the_demo_card_and_land_on_the_confirmed_booking(page, live_server):
    # given a trainer with morning sessions and a trainee logged in (demo gateway)
    trainer = trainer_with_sessions(days=10, display_name="Erik Berg")
    log_in(page, live_server, UserFactory(name="Tove Berg"))

    # when the trainee books a session and goes to payment
    booking = book(page, trainer)
    page.get_by_test_id("booking-pay").click()

    # then the pay page shows the price, the hold's countdown and the labelled test form
    expect(page.get_by_test_id("pay-amount")).to_have_text("450 kr")
    expect(page.get_by_test_id("demo-badge")).to_have_text("Test payment: no real money moves")
    expect(page.get_by_test_id("hold-countdown")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    shot(page, "pay-demo-desktop")
    assert_accessible(page, label="pay page (demo), desktop")

    # when they pay with the test card
    page.get_by_test_id("demo-succeed").click()

    # then they land on the booking's page, confirmed, from a signed event processed once
    expect(page).to_have_url(re.compile(rf"/bookings/{booking.pk}/$"))
    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmed")
    expect(page.locator(".messages")).to_contain_text("Payment received")
    shot(page, "pay-demo-confirmed")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    txn = Transaction.objects.get()
    assert (txn.gross_amount, txn.trainer_amount, txn.platform_fee) == (45000, 38250, 6750)
    assert WebhookEvent.objects.get(type="payment_intent.succeeded").status == "processed"

    # and staff see the transaction in the admin, with the list's totals
    log_in(page, live_server, UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True))
    page.goto("/admin/payments/transaction/")
    expect(page.locator("#result_list")).to_contain_text(txn.payment_intent_id)
    expect(page.get_by_test_id("transaction-totals")).to_contain_text("382.50 kr")
    shot(page, "admin-transactions")
    page.get_by_role("link", name=txn.payment_intent_id).click()
    expect(page.locator(".field-booking_trail")).to_contain_text("Payment of 450 kr received")
    shot(page, "admin-transaction")


@pytest.mark.browser
def test_declining_the_test_card_releases_the_place(page, live_server):
    trainer = trainer_with_sessions(days=10)
    log_in(page, live_server, UserFactory())
    booking = book(page, trainer)
    page.goto(f"/bookings/{booking.pk}/pay/")

    page.get_by_test_id("demo-fail").click()

    expect(page).to_have_url(re.compile(rf"/bookings/{booking.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("The payment did not go through")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert Transaction.objects.count() == 0


@pytest.mark.browser
def test_the_pay_page_on_a_phone_in_swedish(page, live_server):
    trainer = trainer_with_sessions(days=10)
    use_language(page, live_server, "sv")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, UserFactory())
    page.goto(slot_url(trainer))
    page.get_by_test_id("slot-book").click()
    page.get_by_test_id("review-book").click()
    booking = Booking.objects.get()

    page.goto(f"/bookings/{booking.pk}/pay/")

    expect(page.get_by_test_id("demo-badge")).to_have_text(
        "Testbetalning: inga riktiga pengar flyttas"
    )
    expect(page.get_by_test_id("demo-succeed")).to_be_visible()
    shot(page, "pay-demo-phone-sv")
    assert_accessible(page, label="pay page (demo), phone, Swedish")


# Stands in for Stripe.js (the test machine has no network): the Payment Element mounts a
# placeholder, and confirmPayment does what Stripe does once the card is accepted, sending
# the browser to the return address. The page must load it under its own CSP.
FAKE_STRIPE_JS = """
window.Stripe = function (publishableKey, options) {
  window.__stripeKey = publishableKey;
  return {
    elements: function (elementOptions) {
      window.__clientSecret = elementOptions.clientSecret;
      return {
        create: function () {
          return {
            mount: function (selector) {
              document.querySelector(selector).textContent = "Card number (test stand-in)";
            },
          };
        },
      };
    },
    confirmPayment: function (params) {
      return fetch("/__paid__").then(function () {
        window.location.href = params.confirmParams.return_url +
          "?payment_intent=x&redirect_status=succeeded";
        return new Promise(function () {});
      });
    },
  };
};
"""


@pytest.mark.browser
def test_with_stripe_the_payment_element_pays_and_the_return_page_confirms(
    page, live_server, stripe_double
):
    trainer = trainer_with_sessions(days=10)
    log_in(page, live_server, UserFactory())
    booking = book(page, trainer)

    def stripe_js(route):
        route.fulfill(status=200, content_type="application/javascript", body=FAKE_STRIPE_JS)

    def card_accepted(route):
        # Stripe's side of confirmPayment: the intent succeeds (no webhook is delivered).
        booking.refresh_from_db()
        stripe_double.succeed_payment_intent(booking.payment_intent_id)
        route.fulfill(status=204, body="")

    page.route("https://js.stripe.com/v3/", stripe_js)
    page.route("**/__paid__", card_accepted)
    page.goto(f"/bookings/{booking.pk}/pay/")

    expect(page.get_by_test_id("payment-element")).to_have_text("Card number (test stand-in)")
    assert page.evaluate("window.__stripeKey") == "pk_test_double"
    assert page.evaluate("window.__clientSecret").startswith("pi_")
    shot(page, "pay-stripe-desktop")
    page.get_by_test_id("pay-submit").click()

    expect(page).to_have_url(re.compile(rf"/bookings/{booking.pk}/$"))
    expect(page.get_by_test_id("booking-status")).to_have_text("Confirmed")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert Transaction.objects.get().payment_intent_id == booking.payment_intent_id
