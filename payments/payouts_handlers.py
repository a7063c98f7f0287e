"""Stripe events about payouts' transfers, in the webhook handler table (payments.handlers)."""

from __future__ import annotations

from payments.handlers import Ignore, event_object, handles
from payments.models import WebhookEvent


@handles("transfer.reversed", "transfer.updated")
def transfer_changed(event: WebhookEvent) -> None:
    """Keep a payout's reversed amount current; a transfer reversed in full outside our own
    reversals reverses the payout (services.payouts_reversals)."""
    from payments.gateway import Transfer
    from payments.services.payouts_reversals import payout_transfer_apply

    transfer = Transfer.from_stripe(event_object(event))
    if payout_transfer_apply(transfer=transfer) is None:
        raise Ignore(f"Transfer {transfer.id} is no payout of ours.")
