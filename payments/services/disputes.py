"""Disputes (chargebacks): the transaction is flagged, so payouts leave it out, and staff
are told of a new one by email."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from payments.models import DisputeStatus, Transaction

from .outcomes import transaction_for_intent
from .trail import money_text as _money
from .trail import trail

logger = logging.getLogger(__name__)
FINAL = frozenset({DisputeStatus.WON, DisputeStatus.LOST, DisputeStatus.WARNING_CLOSED})


def dispute_apply(*, dispute: dict, created: bool) -> Transaction | None:
    """A dispute's state onto its transaction (found by PaymentIntent, else by charge).

    The flag stays until the dispute is won; a lost one stays flagged (the money is gone).
    The staff email goes out once, for the event that first flags it.
    """
    intent_id = dispute.get("payment_intent")
    charge_id = dispute.get("charge")
    if isinstance(charge_id, dict):
        charge_id = charge_id.get("id")
    if isinstance(intent_id, str) and intent_id:
        transaction_for_intent(intent_id)  # a dispute reported before the success
    rows = Transaction.objects.select_for_update()
    with transaction.atomic():
        txn = (intent_id and rows.filter(payment_intent_id=intent_id).first()) or (
            charge_id and rows.filter(charge_id=charge_id).first()
        )
        if not txn:
            return None
        status = dispute.get("status") or ""
        if status not in DisputeStatus.values:
            status = DisputeStatus.NEEDS_RESPONSE if created else txn.dispute_status
        if txn.dispute_status in FINAL and status not in FINAL:
            status = txn.dispute_status  # a late "created" does not reopen a closed dispute
        newly_flagged = not txn.disputed and not txn.dispute_id
        txn.dispute_id = dispute.get("id") or txn.dispute_id
        txn.dispute_status = status
        txn.disputed = status != DisputeStatus.WON
        txn.save(update_fields=["dispute_id", "dispute_status", "disputed", "updated_at"])
        trail(
            txn.booking_id,
            _("Dispute %(dispute)s over %(amount)s: %(status)s.")
            % {
                "dispute": txn.dispute_id,
                "amount": _money(int(dispute.get("amount") or txn.gross_amount), txn.currency),
                "status": DisputeStatus(status).label if status else "-",
            },
        )
        if newly_flagged:
            pk = txn.pk
            transaction.on_commit(lambda: _queue_staff_email(pk))
    return txn


def _queue_staff_email(transaction_pk: int) -> None:
    from payments.tasks import email_staff_about_dispute

    try:
        email_staff_about_dispute.delay(transaction_pk)
    except Exception:
        logger.exception("Could not queue the dispute email for transaction %s", transaction_pk)
