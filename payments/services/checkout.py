"""Paying for a held booking: one PaymentIntent per booking, and its outcome applied once.

``checkout_start`` commits the booking's ``BookingPayment`` (idempotency key
``booking-<id>-intent`` and the first attempt's time) before Stripe is asked, so asking twice
returns the same intent and a retry after an error looks the intent up by its metadata
before creating it with the same key (Stripe replays a saved error for a reused key).
``checkout_return`` applies the intent as retrieved from Stripe through ``outcomes``, the
code path the webhook uses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import booking_services
from bookings.models import Booking, BookingStatus
from payments.errors import (
    BookingNotPayable,
    CheckoutInProgress,
    HoldExpired,
    PaymentsUnavailable,
)
from payments.gateway import (
    IdempotencyConflict,
    PaymentIntent,
    TransientGatewayError,
    get_gateway,
)
from payments.models import BookingPayment
from traino.exceptions import NotFound

from .outcomes import payment_intent_ended, payment_intent_succeeded

logger = logging.getLogger(__name__)
FIND_MARGIN = timedelta(hours=1)


def intent_idempotency_key(booking_id: int) -> str:
    return f"booking-{booking_id}-intent"


def booking_transfer_group(booking_id: int) -> str:
    return f"booking-{booking_id}"


def intent_metadata(booking: Booking) -> dict[str, str]:
    return {
        "booking_id": str(booking.pk),
        "trainee_id": str(booking.trainee_id),
        "trainer_id": str(booking.trainer_id),
    }


@dataclass(frozen=True)
class Checkout:
    payment_intent_id: str
    client_secret: str
    publishable_key: str
    amount: int
    currency: str
    demo: bool
    status: str


def _payable_booking(booking_id: int, user, now: datetime) -> Booking:
    booking = Booking.objects.filter(pk=booking_id, trainee=user).first()
    if booking is None:
        raise NotFound(_("There is no booking with this id."))
    if booking.status != BookingStatus.PENDING_PAYMENT:
        raise BookingNotPayable()
    if booking.hold_expires_at <= now:
        raise HoldExpired()
    return booking


def checkout_start(*, booking_id: int, user, now: datetime | None = None) -> Checkout:
    """The booking's PaymentIntent (made once) and what the pay page needs to show it.

    Only the booking's trainee, only while it awaits payment within its hold. Raises
    NotFound, BookingNotPayable, HoldExpired, CheckoutInProgress, PaymentsUnavailable.
    """
    now = now or timezone.now()
    gateway = get_gateway()
    with transaction.atomic():
        booking = _payable_booking(booking_id, user, now)
        row, _created = BookingPayment.objects.select_for_update().get_or_create(
            booking=booking,
            defaults={
                "idempotency_key": intent_idempotency_key(booking.pk),
                "amount": booking.price_amount,
                "currency": booking.currency,
                "is_demo": gateway.is_demo,
                "livemode": gateway.livemode,
            },
        )
        retrying = row.first_attempt_at is not None
        if row.payment_intent_id is None and not retrying:
            row.first_attempt_at = now
            row.save(update_fields=["first_attempt_at", "updated_at"])
    # Committed: the key and the first attempt are on record before Stripe is asked.
    try:
        if row.payment_intent_id:
            intent = gateway.retrieve_payment_intent(row.payment_intent_id)
        else:
            intent = _find_or_create_intent(gateway, booking, row, retrying=retrying)
            _attach(row, intent)
    except TransientGatewayError as exc:
        logger.warning("Stripe unreachable for booking %s's intent: %s", booking.pk, exc)
        raise PaymentsUnavailable() from exc
    return Checkout(
        payment_intent_id=intent.id,
        client_secret=intent.client_secret or "",
        publishable_key="" if gateway.is_demo else settings.STRIPE_PUBLISHABLE_KEY,
        amount=intent.amount,
        currency=intent.currency,
        demo=gateway.is_demo,
        status=intent.status,
    )


def _find_or_create_intent(gateway, booking: Booking, row: BookingPayment, *, retrying: bool):
    metadata = intent_metadata(booking)
    since = (row.first_attempt_at or timezone.now()) - FIND_MARGIN
    if retrying:
        found = gateway.find_payment_intent(
            metadata={"booking_id": str(booking.pk)}, created_after=since
        )
        if found is not None:
            return found
    try:
        return gateway.create_payment_intent(
            amount=row.amount,
            currency=row.currency,
            metadata=metadata,
            transfer_group=booking_transfer_group(booking.pk),
            idempotency_key=row.idempotency_key,
            description=f"Traino booking {booking.pk}",
        )
    except IdempotencyConflict:
        found = gateway.find_payment_intent(
            metadata={"booking_id": str(booking.pk)}, created_after=since
        )
        if found is None:
            raise CheckoutInProgress() from None
        return found


def _attach(row: BookingPayment, intent: PaymentIntent) -> None:
    with transaction.atomic():
        locked = BookingPayment.objects.select_for_update().get(pk=row.pk)
        if locked.payment_intent_id is None:
            locked.payment_intent_id = intent.id
            locked.intent_status = intent.status
            locked.save(update_fields=["payment_intent_id", "intent_status", "updated_at"])
            booking_services.booking_set_payment_intent(
                booking_id=locked.booking_id, payment_intent_id=intent.id
            )
    row.payment_intent_id = intent.id


def checkout_return(*, booking_id: int, user) -> Booking:
    """Back from paying: ask Stripe for the intent and apply what it says (never what the
    browser's address says). Returns the booking as it is now."""
    booking = Booking.objects.filter(pk=booking_id, trainee=user).first()
    if booking is None:
        raise NotFound(_("There is no booking with this id."))
    row = BookingPayment.objects.filter(booking=booking).first()
    if row is not None and row.payment_intent_id:
        try:
            intent = get_gateway().retrieve_payment_intent(row.payment_intent_id)
        except TransientGatewayError:
            logger.warning("Could not retrieve %s on return", row.payment_intent_id)
        else:
            if intent.status == "succeeded":
                payment_intent_succeeded(intent=intent)
            elif intent.status == "canceled":
                payment_intent_ended(intent=intent, failed=False)
    booking.refresh_from_db()
    return booking


def demo_payment_complete(*, payment_intent_id: str, user, succeed: bool) -> Booking:
    """The demo's test-payment form (or its API): the card is accepted or declined, and the
    signed event goes through the intake and processing like Stripe's. Only the booking's
    trainee; NotFound unless the demo gateway is on and the intent is a demo one of theirs."""
    from payments import demo

    row = (
        BookingPayment.objects.select_related("booking")
        .filter(payment_intent_id=payment_intent_id, is_demo=True, booking__trainee=user)
        .first()
    )
    if row is None or not get_gateway().is_demo:
        raise NotFound()
    if not succeed and row.intent_status == "succeeded":
        raise BookingNotPayable(_("This booking is paid already."))
    try:
        if succeed:
            demo.demo_payment_succeed(payment_intent_id)
        else:
            demo.demo_payment_fail(payment_intent_id)
    except demo.DemoGatewayOff:
        raise NotFound() from None
    row.booking.refresh_from_db()
    return row.booking
