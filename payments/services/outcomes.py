"""What Stripe says about a booking's PaymentIntent, applied once.

``payment_intent_succeeded`` is the one way a payment confirms a booking: the webhook's
handler and the return page (after retrieving the intent from Stripe) both call it, and it
is idempotent. Lock order: the BookingPayment row, then the bookings service's slot and
booking.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import booking_services
from bookings.errors import InvalidTransition
from bookings.models import Booking, BookingStatus
from payments.gateway import PaymentIntent, get_gateway
from payments.models import BookingPayment, RefundSource, Transaction
from payments.money import split_amount

from .trail import money_text, trail

logger = logging.getLogger(__name__)


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
        if not created:
            # Recorded before, in the same transaction as its confirmation or refund: that
            # decision stands (the booking may have been cancelled or completed since).
            booking = Booking.objects.only("status", "payment_intent_id").get(pk=booking_id)
            return Outcome(
                transaction=txn,
                confirmed=booking.payment_intent_id == intent.id
                and booking.status != BookingStatus.EXPIRED,
                refund_queued=txn.refunds.filter(source=RefundSource.LATE_PAYMENT).exists(),
            )
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
            "amount": money_text(gross, txn.currency),
            "intent": intent.id,
            "trainer": money_text(split.trainer_amount, txn.currency),
            "fee": money_text(split.platform_fee, txn.currency),
        },
    )
    return txn, True


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

    The event may be older than the intent's state (a second try succeeded meanwhile), so
    Stripe is asked first: an intent that succeeded since is applied as a success, one that
    is processing keeps the hold. A confirmed booking is left alone either way.
    """
    booking_id = booking_of_intent(intent)
    if booking_id is None:
        raise NotOurs(f"No booking has PaymentIntent {intent.id}.")
    fresh = get_gateway().retrieve_payment_intent(intent.id)
    if fresh.status == "succeeded":
        payment_intent_succeeded(intent=fresh)
        return False
    if fresh.status not in ("requires_payment_method", "canceled"):
        return False
    with transaction.atomic():
        row = BookingPayment.objects.select_for_update().get(booking_id=booking_id)
        if row.payment_intent_id not in (None, intent.id):
            return False
        row.intent_status = fresh.status
        row.save(update_fields=["intent_status", "updated_at"])
        note = _("The payment failed.") if failed else _("The payment was cancelled.")
        return booking_services.booking_release_hold(booking_id=booking_id, note=note)


def transaction_for_intent(payment_intent_id: str) -> Transaction | None:
    """The intent's Transaction; for an intent of ours that Stripe says succeeded but whose
    success we have not processed yet (a refund or a dispute event arrived first), the
    success is applied now, from Stripe's state."""
    txn = Transaction.objects.filter(payment_intent_id=payment_intent_id).first()
    if txn is not None or not payment_intent_id:
        return txn
    if not BookingPayment.objects.filter(payment_intent_id=payment_intent_id).exists():
        return None
    fresh = get_gateway().retrieve_payment_intent(payment_intent_id)
    if fresh.status != "succeeded":
        return None
    return payment_intent_succeeded(intent=fresh).transaction
