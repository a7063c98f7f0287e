"""Payments' refusals (DomainError subclasses): codes for programs, messages for people."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import DomainError


class InvalidSignature(DomainError):
    """The request does not come from Stripe (DESIGN.md and the webhook rules: 400, nothing
    stored)."""

    status = 400
    code = "INVALID_SIGNATURE"
    message = _("The Stripe-Signature header is missing, wrong or too old.")


class InvalidEvent(DomainError):
    code = "INVALID_EVENT"
    message = _("The request body is not a Stripe event.")


class PaymentsUnavailable(DomainError):
    status = 503
    code = "PAYMENTS_UNAVAILABLE"
    message = _("Stripe could not be reached. Try again in a minute.")


class AccountSetupInProgress(DomainError):
    status = 409
    code = "ACCOUNT_SETUP_IN_PROGRESS"
    message = _("Your Stripe account is being set up. Try again in a moment.")


class NotADemoAccount(DomainError):
    status = 404
    code = "NOT_FOUND"
    message = _("Nothing was found at this address.")


class BookingNotPayable(DomainError):
    status = 409
    code = "BOOKING_NOT_PAYABLE"
    message = _("This booking is not waiting for payment.")


class HoldExpired(DomainError):
    status = 409
    code = "HOLD_EXPIRED"
    message = _("The time to pay for this booking has run out. Book the session again.")


class CheckoutInProgress(DomainError):
    status = 409
    code = "CHECKOUT_IN_PROGRESS"
    message = _("The payment is being prepared. Try again in a moment.")


class RefundRefused(DomainError):
    status = 409
    code = "REFUND_REFUSED"
    message = _("This refund cannot be made.")


class PaymentDeclined(DomainError):
    status = 402
    code = "PAYMENT_DECLINED"
    message = _("The card was declined.")
