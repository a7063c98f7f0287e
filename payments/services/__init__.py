"""Payments' services: every write that spans rows or calls Stripe.

``accounts``: trainers' Connect accounts and onboarding links. ``webhooks``: intake, storage
and processing of Stripe's events, the sweeper and the daily reconcile.
"""

from .accounts import (
    account_idempotency_key,
    connected_account_apply,
    connected_account_ensure,
    connected_account_ensure_later,
    connected_account_refresh,
    demo_onboarding_finish,
    onboarding_link_create,
)
from .webhooks import (
    Received,
    webhook_event_process,
    webhook_event_reprocess,
    webhook_event_store,
    webhook_events_reconcile,
    webhook_events_requeue,
    webhook_receive,
)

__all__ = [
    "Received",
    "account_idempotency_key",
    "connected_account_apply",
    "connected_account_ensure",
    "connected_account_ensure_later",
    "connected_account_refresh",
    "demo_onboarding_finish",
    "onboarding_link_create",
    "webhook_event_process",
    "webhook_event_reprocess",
    "webhook_event_store",
    "webhook_events_reconcile",
    "webhook_events_requeue",
    "webhook_receive",
]
