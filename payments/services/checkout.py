"""Paying for a held booking: one PaymentIntent per booking, and its outcome applied once.

``checkout_start`` commits the booking's ``BookingPayment`` (idempotency key
``booking-<id>-intent`` and the first attempt's time) before Stripe is asked, so asking twice
returns the same intent and a retry after an error looks the intent up by its metadata
before creating it with the same key (Stripe replays a saved error for a reused key).

``payment_intent_succeeded`` is the one way a payment confirms a booking: the webhook's
handler and the return page (after retrieving the intent from Stripe) both call it, and it
is idempotent. Lock order: the BookingPayment row, then the bookings service's slot and
booking.
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
from bookings.errors import InvalidTransition
from bookings.models import Booking, BookingEvent, BookingStatus
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
from payments.models import BookingPayment, RefundSource, Transaction
from payments.money import split_amount
from traino.exceptions import NotFound

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


def trail(booking_id: int, note: str) -> None:
    """A money change on the booking's event trail (its status stays as it is)."""
    status = Booking.objects.filter(pk=booking_id).values_list("status", flat=True).first()
    if status is not None:
        BookingEvent.objects.create(
            booking_id=booking_id, from_status=status, to_status=status, note=note
        )


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


# --- outcomes -------------------------------------------------------------------------------


class NotOurs(Exception):
    """The PaymentIntent is not one of our bookings' (its event is ignored)."""


def booking_of_intent(intent: PaymentIntent) -> int | None:
    row = BookingPayment.objects.filter(payment_intent_id=intent.id).only("booking_id").first()
    if row is not None:
        return row.booking_id
    booking_id = intent.metadata.get("booking_id", "")
    if booking_id.isdigit() and BookingPayment.objects.filter(booking_id=int(booking_id)).exists():
        return int(booking_id)
    return None


@dataclass(frozen=True)
class Outcome:
    transaction: Transaction
    confirmed: bool
    refund_queued: bool


def payment_intent_succeeded(*, intent: PaymentIntent, now: datetime | None = None) -> Outcome:
    """Stripe says the intent succeeded (an event, or a retrieve on the return page): record
    the Transaction once and confirm the booking.

    If the booking can no longer be confirmed (its hold expired and the seat or the time was
    taken since, or it was cancelled meanwhile), the whole payment is refunded by itself and
    the trainee is told. Repeating this for the same intent changes nothing.
    """
    from payments.services.refunds import refund_request

    if intent.status != "succeeded":
        raise ValueError(f"{intent.id} has status {intent.status}, not succeeded")
    booking_id = booking_of_intent(intent)
    if booking_id is None:
        raise NotOurs(f"No booking has PaymentIntent {intent.id}.")
    now = now or timezone.now()
    with transaction.atomic():
        row = BookingPayment.objects.select_for_update().get(booking_id=booking_id)
        stray = bool(row.payment_intent_id) and row.payment_intent_id != intent.id
        if not row.payment_intent_id:
            row.payment_intent_id = intent.id
        row.intent_status = intent.status
        row.save(update_fields=["payment_intent_id", "intent_status", "updated_at"])
        txn, created = _record_transaction(row, intent, stray=stray, now=now)
        if txn.refunds.filter(source=RefundSource.LATE_PAYMENT).exists():
            return Outcome(transaction=txn, confirmed=False, refund_queued=True)
        confirmed = not stray and _confirm(booking_id, intent, now)
        refund_queued = False
        if not confirmed and not txn.fully_refunded:
            refund_request(
                transaction_id=txn.pk,
                amount=txn.gross_amount - txn.refunded_amount,
                idempotency_key=(f"refund-{intent.id}" if stray else f"refund-{booking_id}"),
                source=RefundSource.LATE_PAYMENT,
                note=_("The session could no longer be booked when the payment arrived."),
                tell_trainee=True,
            )
            refund_queued = True
    if created:
        logger.info("Payment %s recorded for booking %s", intent.id, booking_id)
    return Outcome(transaction=txn, confirmed=confirmed, refund_queued=refund_queued)


def _record_transaction(
    row: BookingPayment, intent: PaymentIntent, *, stray: bool, now: datetime
) -> tuple[Transaction, bool]:
    existing = Transaction.objects.select_for_update().filter(payment_intent_id=intent.id).first()
    if existing is not None:
        if intent.latest_charge and not existing.charge_id:
            existing.charge_id = intent.latest_charge
            existing.save(update_fields=["charge_id", "updated_at"])
        return existing, False
    booking = Booking.objects.get(pk=row.booking_id)
    gross = intent.amount_received or intent.amount
    split = split_amount(gross)
    txn = Transaction.objects.create(
        booking=booking,
        trainer_id=booking.trainer_id,
        payment_intent_id=intent.id,
        charge_id=intent.latest_charge or "",
        idempotency_key=f"{intent.id}-transaction" if stray else row.idempotency_key,
        currency=intent.currency.upper(),
        gross_amount=gross,
        fee_percent=split.fee_percent,
        trainer_amount=split.trainer_amount,
        platform_fee=split.platform_fee,
        livemode=intent.livemode,
        is_demo=row.is_demo,
        charged_at=now,
    )
    trail(
        booking.pk,
        _(
            "Payment of %(amount)s received (%(intent)s): %(trainer)s to the trainer, "
            "%(fee)s platform fee."
        )
        % {
            "amount": _money(gross, txn.currency),
            "intent": intent.id,
            "trainer": _money(split.trainer_amount, txn.currency),
            "fee": _money(split.platform_fee, txn.currency),
        },
    )
    return txn, True


def _money(amount: int, currency: str) -> str:
    from marketplace.money import format_money

    return format_money(amount, currency, "en")


def _confirm(booking_id: int, intent: PaymentIntent, now: datetime) -> bool:
    """Confirm the booking; for one whose hold was already expired, only if its seat is free."""
    try:
        booking_services.booking_confirm_payment(
            booking_id=booking_id,
            payment_intent_id=intent.id,
            note=_("Payment received (%(intent)s).") % {"intent": intent.id},
        )
        return True
    except InvalidTransition:
        pass
    status = Booking.objects.filter(pk=booking_id).values_list("status", flat=True).first()
    if status == BookingStatus.EXPIRED:
        return booking_services.booking_confirm_late_payment(
            booking_id=booking_id, payment_intent_id=intent.id, now=now
        )
    # Cancelled while paying, or already past confirmation (completed, no-show): a booking
    # that was confirmed by this intent before stays as it is.
    return (
        status
        in (
            BookingStatus.COMPLETED,
            BookingStatus.NO_SHOW_TRAINEE,
            BookingStatus.NO_SHOW_TRAINER,
        )
        and Booking.objects.filter(pk=booking_id, payment_intent_id=intent.id).exists()
    )


def payment_intent_ended(*, intent: PaymentIntent, failed: bool) -> bool:
    """The payment failed or the intent was cancelled: the booking's unpaid hold is released.
    A booking already confirmed (a later attempt succeeded first) is left alone."""
    booking_id = booking_of_intent(intent)
    if booking_id is None:
        raise NotOurs(f"No booking has PaymentIntent {intent.id}.")
    with transaction.atomic():
        row = BookingPayment.objects.select_for_update().get(booking_id=booking_id)
        if row.payment_intent_id not in (None, intent.id):
            return False
        if row.intent_status != "succeeded":
            row.intent_status = intent.status
            row.save(update_fields=["intent_status", "updated_at"])
        note = _("The payment failed.") if failed else _("The payment was cancelled.")
        return booking_services.booking_release_hold(booking_id=booking_id, note=note)


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
