"""Giving money back: a ``Refund`` row is stored with its idempotency key before Stripe is
asked, and sent by a Celery task after commit.

One key per decision: ``refund-<booking id>`` for the refund the booking's cancellation, its
upheld no-show or a payment that arrived too late decided (a booking gets one of those at
most), ``refund-<booking id>-staff-<n>`` for staff's refunds from the admin. The same key
again returns the stored row, so a decision is never refunded twice; Stripe gets the same
key on every retry, and after an error the refund is looked up by its metadata before the
row is given up as failed.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.errors import RefundRefused
from payments.gateway import GatewayError, TransientGatewayError, get_gateway
from payments.gateway import Refund as GatewayRefund
from payments.models import Refund, RefundSource, RefundStatus, Transaction

from .outcomes import transaction_for_intent
from .trail import money_text as _money
from .trail import trail

logger = logging.getLogger(__name__)


def booking_refund_key(booking_id: int) -> str:
    return f"refund-{booking_id}"


def refund_metadata(refund: Refund) -> dict[str, str]:
    return {"refund_key": refund.idempotency_key, "booking_id": str(refund.transaction.booking_id)}


def refundable_amount(txn: Transaction) -> int:
    """What is left to give back: the gross less what Stripe refunded or we asked for."""
    asked = (
        txn.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount"))["total"] or 0
    )
    return max(0, txn.gross_amount - max(txn.refunded_amount, asked))


def refund_request(
    *,
    transaction_id: int,
    amount: int,
    idempotency_key: str,
    source: str,
    note: str = "",
    actor=None,
    tell_trainee: bool = False,
) -> Refund:
    """Store a refund once per key and queue it for Stripe after commit.

    RefundRefused when the amount is not positive or more than is left.
    """
    with transaction.atomic():
        txn = Transaction.objects.select_for_update().get(pk=transaction_id)
        existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        left = refundable_amount(txn)
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= left:
            message = _("A refund must be more than 0 and at most %(left)s.") % {
                "left": _money(left, txn.currency)
            }
            raise RefundRefused(message, fields={"amount": [message]})
        refund = Refund.objects.create(
            transaction=txn,
            idempotency_key=idempotency_key,
            amount=amount,
            currency=txn.currency,
            source=source,
            note=note,
            requested_by=actor,
        )
        trail(
            txn.booking_id,
            _("Refund of %(amount)s requested (%(why)s).")
            % {"amount": _money(amount, txn.currency), "why": RefundSource(source).label},
        )
        pk = refund.pk
        transaction.on_commit(lambda: enqueue_refund(pk, tell_trainee=tell_trainee))
    return refund


def refund_staff(*, transaction_id: int, amount: int, actor, note: str = "") -> Refund:
    """Staff give back any amount up to what is left (from the admin)."""
    with transaction.atomic():
        txn = Transaction.objects.select_for_update().get(pk=transaction_id)
        number = txn.refunds.filter(source=RefundSource.STAFF).count() + 1
        return refund_request(
            transaction_id=txn.pk,
            amount=amount,
            idempotency_key=f"refund-{txn.booking_id}-staff-{number}",
            source=RefundSource.STAFF,
            note=note,
            actor=actor,
        )


def enqueue_refund(refund_pk: int, *, tell_trainee: bool = False) -> None:
    """Queue the Stripe call; a broker that is down is logged (staff see the refund as
    requested in the admin and can send it again)."""
    from payments.tasks import send_refund

    try:
        send_refund.delay(refund_pk, tell_trainee)
    except TransientGatewayError:
        logger.warning(
            "Refund %s not sent yet: Stripe unreachable, retry from the admin", refund_pk
        )
    except Exception:
        logger.exception("Refund %s could not be queued", refund_pk)


def refund_send(*, refund_pk: int, final_attempt: bool = True) -> Refund:
    """Ask Stripe for the stored refund with its key; idempotent (a sent one is left alone).

    TransientGatewayError is raised again for the task to retry with the same key; any other
    refusal is looked up by metadata first (the refund may exist, the answer a replayed
    error), else the refund is marked failed with the error.
    """
    refund = Refund.objects.select_related("transaction").get(pk=refund_pk)
    if refund.stripe_refund_id or refund.status == RefundStatus.FAILED:
        return refund
    txn = refund.transaction
    gateway = get_gateway()
    if refund.last_error:
        # An earlier attempt failed: it may have made the refund all the same, and Stripe
        # replays the saved error for our key, so look for it first.
        found = gateway.find_refund(
            payment_intent_id=txn.payment_intent_id, metadata=refund_metadata(refund)
        )
        if found is not None:
            return refund_apply(refund_pk=refund.pk, sent=found)
    try:
        sent = gateway.create_refund(
            payment_intent_id=txn.payment_intent_id,
            amount=refund.amount,
            metadata=refund_metadata(refund),
            idempotency_key=refund.idempotency_key,
            reason="requested_by_customer",
        )
    except TransientGatewayError as exc:
        _note_error(refund, exc, failed=False)
        if final_attempt:
            logger.error("Refund %s still not sent after retries: %s", refund.pk, exc)
        raise
    except GatewayError as exc:
        sent = gateway.find_refund(
            payment_intent_id=txn.payment_intent_id, metadata=refund_metadata(refund)
        )
        if sent is None:
            logger.error("Stripe refused refund %s: %s", refund.pk, exc)
            _note_error(refund, exc, failed=True)
            refund.refresh_from_db()
            return refund
    refund = refund_apply(refund_pk=refund.pk, sent=sent)
    if gateway.is_demo:
        _demo_charge_refunded(txn.payment_intent_id)
    return refund


def _note_error(refund: Refund, exc: Exception, *, failed: bool) -> None:
    changes = {"last_error": f"{type(exc).__name__}: {exc}"[:2000], "updated_at": timezone.now()}
    if failed:
        changes["status"] = RefundStatus.FAILED
    Refund.objects.filter(pk=refund.pk, stripe_refund_id=None).update(**changes)
    if failed:
        trail(
            refund.transaction.booking_id,
            _("Refund of %(amount)s failed: %(error)s")
            % {"amount": _money(refund.amount, refund.currency), "error": exc},
        )


def refund_apply(*, refund_pk: int, sent: GatewayRefund) -> Refund:
    """Stripe made the refund: keep its id and status, and raise the transaction's
    refunded amount (never lower it: charge.refunded may have raised it already)."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_pk)
        txn = Transaction.objects.select_for_update().get(pk=refund.transaction_id)
        if refund.stripe_refund_id:
            return refund
        refund.stripe_refund_id = sent.id
        refund.status = RefundStatus.PENDING if sent.status == "pending" else RefundStatus.SUCCEEDED
        refund.last_error = ""
        refund.save(update_fields=["stripe_refund_id", "status", "last_error", "updated_at"])
        ours = (
            txn.refunds.exclude(stripe_refund_id=None)
            .exclude(status=RefundStatus.FAILED)
            .aggregate(total=Sum("amount"))["total"]
            or 0
        )
        transaction_raise_refunded(txn, ours)
        trail(
            txn.booking_id,
            _("Refund of %(amount)s made (%(refund)s).")
            % {"amount": _money(refund.amount, refund.currency), "refund": sent.id},
        )
    return refund


def transaction_raise_refunded(txn: Transaction, total: int) -> bool:
    """Set the refunded total to ``total`` if that is more (capped at the gross)."""
    total = min(total, txn.gross_amount)
    if total <= txn.refunded_amount:
        return False
    txn.refunded_amount = total
    txn.save(update_fields=["refunded_amount", "updated_at"])
    return True


def charge_refunded(*, charge: dict) -> Transaction | None:
    """``charge.refunded``: Stripe's refunded total of the charge onto the transaction, and
    refunds made elsewhere (Stripe's dashboard) recorded as rows of their own."""
    intent_id = charge.get("payment_intent")
    if isinstance(intent_id, dict):
        intent_id = intent_id.get("id")
    if intent_id:
        transaction_for_intent(intent_id)  # a refund reported before the success
    rows = Transaction.objects.select_for_update()
    with transaction.atomic():
        txn = (intent_id and rows.filter(payment_intent_id=intent_id).first()) or rows.filter(
            charge_id=charge.get("id") or "-"
        ).first()
        if txn is None:
            return None
        known = set(
            txn.refunds.exclude(stripe_refund_id=None).values_list("stripe_refund_id", flat=True)
        )
        for data in (charge.get("refunds") or {}).get("data") or []:
            if data.get("id") in known or data.get("metadata", {}).get("refund_key"):
                continue
            Refund.objects.get_or_create(
                idempotency_key=f"stripe-{data['id']}",
                defaults={
                    "transaction": txn,
                    "stripe_refund_id": data["id"],
                    "amount": int(data["amount"]),
                    "currency": str(data.get("currency") or txn.currency).upper(),
                    "source": RefundSource.STRIPE,
                    "status": RefundStatus.SUCCEEDED,
                },
            )
        before = txn.refunded_amount
        if transaction_raise_refunded(txn, int(charge.get("amount_refunded") or 0)):
            trail(
                txn.booking_id,
                _("Stripe reports %(amount)s refunded in all (was %(before)s).")
                % {
                    "amount": _money(txn.refunded_amount, txn.currency),
                    "before": _money(before, txn.currency),
                },
            )
    return txn


def _demo_charge_refunded(payment_intent_id: str) -> None:
    """The demo's stand-in for Stripe's ``charge.refunded`` event, through the same intake."""
    from payments.demo import demo_charge_event

    demo_charge_event("charge.refunded", payment_intent_id)
