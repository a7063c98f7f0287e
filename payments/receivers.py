"""What payments does when bookings announce a decision (bookings.signals; connected in
apps.ready): a refund decided by a cancellation or an upheld no-show becomes a Stripe refund,
once (key ``refund-<booking id>``)."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from bookings.models import Booking, RefundReason
from bookings.signals import booking_cancelled, booking_no_show

from .models import RefundSource, Transaction
from .services.refunds import booking_refund_key, refund_request

logger = logging.getLogger(__name__)


def _refund_decided(booking: Booking, source: str) -> None:
    """The booking's refund_amount, from its paid transaction, at most once."""
    amount = booking.refund_amount or 0
    if amount <= 0 or booking.refund_reason == RefundReason.NOT_PAID:
        return
    txn = Transaction.objects.filter(
        booking=booking, payment_intent_id=booking.payment_intent_id
    ).first()
    if txn is None:
        logger.warning("Booking %s decided a refund but has no payment", booking.pk)
        return
    try:
        refund_request(
            transaction_id=txn.pk,
            amount=min(amount, txn.gross_amount),
            idempotency_key=booking_refund_key(booking.pk),
            source=source,
            note=str(RefundReason(booking.refund_reason).label) if booking.refund_reason else "",
        )
    except Exception:
        # The booking's decision is committed; a refund that cannot be stored (e.g. more
        # than is left after a staff refund) is for staff to settle in the admin.
        logger.exception("Refund of booking %s could not be requested", booking.pk)


@receiver(booking_cancelled, sender=Booking, dispatch_uid="payments.refund_on_cancel")
def refund_cancelled_booking(sender, *, booking: Booking, **kwargs) -> None:
    _refund_decided(booking, RefundSource.BOOKING_CANCELLED)


@receiver(booking_no_show, sender=Booking, dispatch_uid="payments.refund_on_no_show")
def refund_trainer_no_show(sender, *, booking: Booking, kind: str = "", **kwargs) -> None:
    if kind == "trainer_upheld":
        _refund_decided(booking, RefundSource.NO_SHOW)
