"""The trainee's pay page: Stripe's Payment Element (or the demo's test-payment form) for a
held booking, the hold's remaining time, and the return address Stripe sends the browser
back to. The booking is confirmed only from Stripe's state (the event, or the intent
retrieved here), never from the return address's parameters."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_POST

from bookings.models import Booking, BookingStatus
from marketplace.money import format_money
from traino.exceptions import DomainError

from . import services
from .models import Transaction

logger = logging.getLogger(__name__)

# What Stripe.js needs on the pay page, and only there (Stripe's documented CSP sources).
STRIPE_CSP = {
    "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}
STRIPE_JS = "https://js.stripe.com/v3/"


def booking_page_url(booking_id: int) -> str:
    """The booking's own page (bookings' ``booking-detail``)."""
    try:
        return reverse("booking-detail", args=[booking_id])
    except NoReverseMatch:
        return f"/bookings/{booking_id}/"


def _own_booking(request, booking_id: int) -> Booking:
    booking = (
        Booking.objects.select_related("trainer", "offering", "schedule")
        .filter(pk=booking_id, trainee=request.user)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


@login_required
@require_GET
def pay(request, booking_id: int):
    booking = _own_booking(request, booking_id)
    if booking.status != BookingStatus.PENDING_PAYMENT:
        return redirect(booking_page_url(booking.pk))
    checkout = problem = None
    try:
        checkout = services.checkout_start(booking_id=booking.pk, user=request.user)
    except DomainError as refusal:
        problem = refusal.message
    language = get_language() or "en"
    config = None
    if checkout is not None:
        config = {
            "demo": checkout.demo,
            "publishableKey": checkout.publishable_key,
            "clientSecret": checkout.client_secret,
            "returnUrl": request.build_absolute_uri(
                reverse("booking-pay-return", args=[booking.pk])
            ),
            "holdExpiresAt": booking.hold_expires_at.isoformat(),
            "locale": "sv" if language.startswith("sv") else "en",
            "text": {
                "expired": gettext("The time to pay has run out. Book the session again."),
                "paying": gettext("Paying…"),
                "failed": gettext("The payment did not go through."),
            },
        }
    context = {
        "booking": booking,
        "checkout": checkout,
        "problem": problem,
        "price": format_money(booking.price_amount, booking.currency, language),
        "config": config,
        "stripe_js": STRIPE_JS,
        "booking_url": booking_page_url(booking.pk),
    }
    response = render(request, "payments/pay.html", context)
    if checkout is not None and not checkout.demo:
        response._csp_update = STRIPE_CSP
    return response


@login_required
@require_POST
def pay_demo(request, booking_id: int):
    """The demo's test-payment form: accept or decline the card, then return as from Stripe."""
    booking = _own_booking(request, booking_id)
    succeed = request.POST.get("outcome") == "succeed"
    try:
        services.demo_payment_complete(
            payment_intent_id=booking.payment_intent_id, user=request.user, succeed=succeed
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect(booking_page_url(booking.pk))
    return redirect(reverse("booking-pay-return", args=[booking.pk]))


@login_required
@require_GET
def pay_return(request, booking_id: int):
    """Back from paying: Stripe is asked for the intent, and the booking shows the result."""
    _own_booking(request, booking_id)
    booking = services.checkout_return(booking_id=booking_id, user=request.user)
    if booking.status == BookingStatus.CONFIRMED:
        messages.success(request, gettext("Payment received: your booking is confirmed."))
        return redirect(booking_page_url(booking.pk))
    if booking.status == BookingStatus.PENDING_PAYMENT:
        if request.GET.get("redirect_status") == "failed":
            messages.error(request, gettext("The payment did not go through. Try again."))
            return redirect(reverse("booking-pay", args=[booking.pk]))
        messages.info(
            request,
            gettext("Your payment is being processed: this page shows it as soon as it is done."),
        )
        return redirect(booking_page_url(booking.pk))
    if Transaction.objects.filter(booking=booking, refunds__isnull=False).exists():
        messages.warning(
            request,
            gettext(
                "Your payment arrived after the session was taken: all of it is being "
                "refunded to your card."
            ),
        )
    else:
        messages.error(
            request,
            gettext("The payment did not go through, and the session is no longer held for you."),
        )
    return redirect(booking_page_url(booking.pk))
