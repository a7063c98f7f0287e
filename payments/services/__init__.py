"""Payments' services: every write that spans rows or calls Stripe.

``accounts``: trainers' Connect accounts and onboarding links. ``webhooks``: intake, storage
and processing of Stripe's events, the sweeper and the daily reconcile. ``checkout``: a
booking's PaymentIntent; ``outcomes``: what Stripe says of it, applied once; ``refunds``
and ``disputes``: money given back or contested; ``trail``: money on the booking's trail.
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
from .checkout import (
    Checkout,
    checkout_return,
    checkout_start,
    demo_payment_complete,
    intent_idempotency_key,
)
from .disputes import dispute_apply
from .outcomes import payment_intent_ended, payment_intent_succeeded, transaction_for_intent
from .refunds import (
    booking_refund_key,
    charge_refunded,
    refund_request,
    refund_send,
    refund_staff,
    refundable_amount,
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
    "Checkout",
    "Received",
    "account_idempotency_key",
    "booking_refund_key",
    "charge_refunded",
    "checkout_return",
    "checkout_start",
    "connected_account_apply",
    "connected_account_ensure",
    "connected_account_ensure_later",
    "connected_account_refresh",
    "demo_onboarding_finish",
    "demo_payment_complete",
    "dispute_apply",
    "intent_idempotency_key",
    "onboarding_link_create",
    "payment_intent_ended",
    "payment_intent_succeeded",
    "refund_request",
    "refund_send",
    "refund_staff",
    "refundable_amount",
    "transaction_for_intent",
    "webhook_event_process",
    "webhook_event_reprocess",
    "webhook_event_store",
    "webhook_events_reconcile",
    "webhook_events_requeue",
    "webhook_receive",
]
