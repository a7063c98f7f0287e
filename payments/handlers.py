"""What each Stripe event type does: one table, ``HANDLERS``, filled by ``@handles``.

A handler gets the stored ``WebhookEvent`` (payload as Stripe sent it) inside the
transaction that marks the event processed, so its writes and the status commit together.
It must be idempotent (an admin can re-process an event) and harmless out of order. It
raises ``Ignore`` when the event turns out not to concern us. Types without a handler, events
of the other mode (live/test) and Connect events of accounts we do not know are ignored
before any handler runs.
"""

from __future__ import annotations

from collections.abc import Callable

from payments.gateway import Account, key_livemode
from payments.models import ConnectedAccount, WebhookEvent, WebhookStatus

Handler = Callable[[WebhookEvent], None]
HANDLERS: dict[str, Handler] = {}


class Ignore(Exception):
    """The event is not for us; the reason is kept on the event."""


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            if event_type in HANDLERS:
                raise ValueError(f"{event_type} already has a handler: {HANDLERS[event_type]}")
            HANDLERS[event_type] = handler
        return handler

    return register


def handled_types() -> list[str]:
    return sorted(HANDLERS)


def dispatch(event: WebhookEvent) -> tuple[str, str]:
    """(status, note) for the event: processed, or ignored and why."""
    if event.livemode != key_livemode():
        mode = "live" if event.livemode else "test"
        return WebhookStatus.IGNORED, f"A {mode}-mode event does not match our key's mode."
    if (
        event.account
        and not ConnectedAccount.objects.filter(stripe_account_id=event.account).exists()
    ):
        return WebhookStatus.IGNORED, f"Unknown connected account {event.account}."
    handler = HANDLERS.get(event.type)
    if handler is None:
        return WebhookStatus.IGNORED, f"No handler for {event.type}."
    try:
        handler(event)
    except Ignore as reason:
        return WebhookStatus.IGNORED, str(reason)
    return WebhookStatus.PROCESSED, ""


def event_object(event: WebhookEvent) -> dict:
    data = (event.payload.get("data") or {}).get("object")
    if not isinstance(data, dict):
        raise Ignore("The event has no data.object.")
    return data


@handles("account.updated")
def account_updated(event: WebhookEvent) -> None:
    """Keep the trainer's ConnectedAccount as Stripe has it (older events do not win)."""
    from payments.services import connected_account_apply

    account = Account.from_stripe(event_object(event))
    if connected_account_apply(account=account, as_of=event.stripe_created_at) is None:
        raise Ignore(f"Unknown connected account {account.id}.")


def _intent(event: WebhookEvent):
    from payments.gateway import PaymentIntent

    data = event_object(event)
    if data.get("object") not in (None, "payment_intent") or not data.get("id"):
        raise Ignore("The event's object is not a PaymentIntent.")
    return PaymentIntent.from_stripe(data)


@handles("payment_intent.succeeded")
def payment_intent_succeeded(event: WebhookEvent) -> None:
    """Record the Transaction and confirm the booking (or refund a payment that came too
    late for its seat): the same service the return page uses."""
    from payments.services.outcomes import NotOurs
    from payments.services.outcomes import payment_intent_succeeded as succeeded

    intent = _intent(event)
    if intent.status != "succeeded":
        raise Ignore(f"{intent.id} is {intent.status}, not succeeded.")
    try:
        succeeded(intent=intent)
    except NotOurs as reason:
        raise Ignore(str(reason)) from None


@handles("payment_intent.payment_failed", "payment_intent.canceled")
def payment_intent_ended(event: WebhookEvent) -> None:
    """Release the booking's unpaid hold (a confirmed booking is left alone)."""
    from payments.services.outcomes import NotOurs
    from payments.services.outcomes import payment_intent_ended as ended

    intent = _intent(event)
    try:
        ended(intent=intent, failed=event.type == "payment_intent.payment_failed")
    except NotOurs as reason:
        raise Ignore(str(reason)) from None


@handles("charge.refunded")
def charge_refunded(event: WebhookEvent) -> None:
    """Stripe's refunded total onto the transaction (refunds made anywhere)."""
    from payments.services.refunds import charge_refunded as apply

    charge = event_object(event)
    if apply(charge=charge) is None:
        raise Ignore(f"No transaction has charge {charge.get('id')}.")


@handles("charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed")
def charge_dispute(event: WebhookEvent) -> None:
    """Flag the transaction (kept out of payouts) and tell staff of a new dispute."""
    from payments.services.disputes import dispute_apply

    if dispute_apply(dispute=event_object(event), created=event.type.endswith(".created")) is None:
        raise Ignore("No transaction has the disputed charge.")
