"""Money that goes back to a trainee after the trainer was paid it: a transfer reversal of
the trainer's share, or, when Stripe cannot take it back (the trainer's Stripe balance is
empty), a debt that the next payout deducts.

``payout_money_returned`` is what the refund and dispute code call (after their own change
is saved): it is idempotent, since the amount due is what the payout counted less what the
trainer may keep now less what was already taken back. Webhooks ``transfer.reversed`` and
``transfer.updated`` keep the payout's reversed amount current (``payout_transfer_apply``).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Sum

from payments.gateway import (
    GatewayError,
    Transfer,
    TransientGatewayError,
    get_gateway,
)
from payments.models import DisputeStatus, PayoutStatus, Transaction
from payments.payouts_models import (
    Payout,
    PayoutReversal,
    PayoutState,
    ReversalReason,
    ReversalStatus,
)

logger = logging.getLogger(__name__)


def describe_gateway_error(exc: GatewayError) -> str:
    code = f" ({exc.code})" if exc.code else ""
    return f"{type(exc).__name__}{code}: {exc.message or exc}"


def payout_money_returned(*, transaction_id: int) -> PayoutReversal | None:
    """Take back from the trainer what a refund or a lost dispute removed from a paid-out
    transaction. None when nothing is due (not in a payout yet, or already taken back)."""
    with transaction.atomic():
        txn = Transaction.objects.select_for_update().get(pk=transaction_id)
        if txn.payout_id is None or txn.payout_share is None:
            return None  # no payout counted it yet: the next run pays what was kept
        lost = txn.dispute_status == DisputeStatus.LOST
        may_keep = 0 if lost else txn.trainer_payable_amount
        taken_back = (
            PayoutReversal.objects.filter(transaction=txn).aggregate(total=Sum("amount"))["total"]
            or 0
        )
        due = txn.payout_share - may_keep - taken_back
        if due <= 0:
            return None
        payout = Payout.objects.get(pk=txn.payout_id)
        reversal = PayoutReversal.objects.create(
            payout=payout,
            transaction=txn,
            trainer_id=txn.trainer_id,
            currency=txn.currency,
            amount=due,
            reason=ReversalReason.DISPUTE_LOST if lost else ReversalReason.REFUND,
        )
        reversal.idempotency_key = f"reversal-{reversal.pk}"
        reversal.save(update_fields=["idempotency_key", "updated_at"])
        ready = payout.status == PayoutState.PAID
    if ready:
        return payout_reversal_execute(reversal_id=reversal.pk)
    return reversal  # the payout is still being paid: _mark_paid runs it afterwards


def payout_reversal_execute(*, reversal_id: int) -> PayoutReversal:
    """Ask Stripe to reverse the amount; a refusal turns it into a debt.

    Raises TransientGatewayError when Stripe did not answer (the row stays pending with its
    key, a retry repeats the same request after looking for it)."""
    reversal = PayoutReversal.objects.select_related("payout").get(pk=reversal_id)
    if reversal.status != ReversalStatus.PENDING:
        return reversal
    payout = reversal.payout
    if payout.status != PayoutState.PAID:
        return reversal
    if not payout.stripe_transfer_id:  # paid by settling debts, no transfer to reverse
        return _carry_as_debt(reversal, "The payout had no transfer to reverse.")
    gateway = get_gateway()
    try:
        found = None
        if reversal.error:  # an earlier attempt may have reached Stripe
            found = gateway.find_transfer_reversal(
                transfer_id=payout.stripe_transfer_id,
                metadata={"payout_reversal_id": str(reversal.pk)},
            )
        stripe_reversal = found or gateway.create_transfer_reversal(
            transfer_id=payout.stripe_transfer_id,
            amount=reversal.amount,
            metadata={
                "payout_reversal_id": str(reversal.pk),
                "payout_id": str(payout.pk),
                "transaction_id": str(reversal.transaction_id),
            },
            idempotency_key=reversal.idempotency_key,
        )
    except TransientGatewayError as exc:
        PayoutReversal.objects.filter(pk=reversal.pk).update(error=str(exc)[:1000])
        raise
    except GatewayError as exc:
        return _carry_as_debt(reversal, describe_gateway_error(exc))
    with transaction.atomic():
        updated = PayoutReversal.objects.filter(
            pk=reversal.pk, status=ReversalStatus.PENDING
        ).update(status=ReversalStatus.REVERSED, stripe_reversal_id=stripe_reversal.id, error="")
        if updated:
            _refresh_amount_reversed(payout.pk)
    reversal.refresh_from_db()
    return reversal


def _carry_as_debt(reversal: PayoutReversal, error: str) -> PayoutReversal:
    PayoutReversal.objects.filter(pk=reversal.pk, status=ReversalStatus.PENDING).update(
        status=ReversalStatus.DEBT, error=error[:1000]
    )
    reversal.refresh_from_db()
    logger.info("Reversal %s carried as a debt: %s", reversal.pk, error)
    return reversal


def _refresh_amount_reversed(payout_id: int) -> None:
    ours = (
        PayoutReversal.objects.filter(
            payout_id=payout_id, status=ReversalStatus.REVERSED
        ).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    payout = Payout.objects.select_for_update().get(pk=payout_id)
    if ours > payout.amount_reversed:
        payout.amount_reversed = ours
        payout.save(update_fields=["amount_reversed", "updated_at"])


def payout_transfer_apply(*, transfer: Transfer) -> Payout | None:
    """Stripe's view of a payout's transfer (``transfer.reversed`` / ``transfer.updated``).

    A transfer reversed in full by something other than our own reversals (staff in
    Stripe's dashboard) reverses the payout: its transactions wait for a payout again."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().filter(stripe_transfer_id=transfer.id).first()
        if payout is None:
            return None
        if transfer.amount_reversed > payout.amount_reversed:
            payout.amount_reversed = transfer.amount_reversed
        ours = (
            PayoutReversal.objects.filter(payout=payout, status=ReversalStatus.REVERSED).aggregate(
                total=Sum("amount")
            )["total"]
            or 0
        )
        reversed_by_others = transfer.reversed and transfer.amount_reversed > ours
        if reversed_by_others and payout.status == PayoutState.PAID:
            payout.status = PayoutState.REVERSED
            count = Transaction.objects.filter(payout=payout).update(
                payout=None,
                payout_share=None,
                payout_status=PayoutStatus.PENDING,
                stripe_transfer_id="",
                payout_date=None,
            )
            payout.note = (
                f"Transfer {transfer.id} was reversed at Stripe; its {count} transactions "
                "wait for the next payout."
            )
        payout.save()
    return payout
