"""The demo gateway's events: built like Stripe's, signed with STRIPE_WEBHOOK_SECRET by the
SDK's scheme, and handed to the same intake service a real webhook reaches (in process,
not over HTTP). Only while the demo gateway is on: with a real key this would be forgery.
"""

from __future__ import annotations

import json

from django.utils import timezone

from payments.gateway import DemoGateway, is_demo
from payments.gateway import webhooks as signatures
from payments.gateway.demo import demo_id
from payments.models import WebhookEvent, WebhookSource

# The API version our demo payloads imitate (Stripe stamps each event with one).
DEMO_API_VERSION = "2025-01-27.acacia"


class DemoGatewayOff(RuntimeError):
    """Demo events are only made while STRIPE_SECRET_KEY is unset."""


def demo_event_payload(
    *,
    event_type: str,
    data_object: dict,
    account: str | None = None,
    previous_attributes: dict | None = None,
) -> dict:
    data = {"object": data_object}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    payload = {
        "id": demo_id("evt"),
        "object": "event",
        "api_version": DEMO_API_VERSION,
        "created": int(timezone.now().timestamp()),
        "data": data,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        payload["account"] = account
    return payload


def demo_event_send(
    *, event_type: str, data_object: dict, account: str | None = None
) -> WebhookEvent:
    """Build, sign and deliver one demo event; returns the stored event."""
    from payments.services import webhook_receive

    if not is_demo():
        raise DemoGatewayOff("Demo events are only sent while the demo gateway is on.")
    payload = demo_event_payload(event_type=event_type, data_object=data_object, account=account)
    DemoGateway().record_event(payload)
    body = json.dumps(payload, separators=(",", ":")).encode()
    received = webhook_receive(
        payload=body, signature=signatures.sign(body), source=WebhookSource.DEMO
    )
    return received.event


# --- the demo's card payments -----------------------------------------------------------------


def _demo_intent(payment_intent_id: str) -> dict:
    from payments.gateway import ObjectNotFound

    try:
        return DemoGateway()._get("payment_intent", payment_intent_id)
    except ObjectNotFound:
        raise DemoGatewayOff(f"No demo intent {payment_intent_id}") from None


def demo_charge(intent: dict) -> dict:
    """The charge of a paid demo intent in Stripe's shape, with its refunds so far."""
    refunds = [
        data for data in DemoGateway()._all("refund") if data.get("payment_intent") == intent["id"]
    ]
    refunded = sum(int(r["amount"]) for r in refunds)
    return {
        "id": intent.get("latest_charge"),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent.get("amount_received") or 0,
        "amount_refunded": refunded,
        "currency": intent["currency"],
        "livemode": False,
        "metadata": intent.get("metadata") or {},
        "paid": True,
        "payment_intent": intent["id"],
        "refunded": refunded >= intent["amount"],
        "refunds": {"object": "list", "data": refunds, "has_more": False},
        "status": "succeeded",
        "transfer_group": intent.get("transfer_group"),
    }


def demo_charge_event(event_type: str, payment_intent_id: str) -> WebhookEvent:
    return demo_event_send(
        event_type=event_type, data_object=demo_charge(_demo_intent(payment_intent_id))
    )


def demo_payment_succeed(payment_intent_id: str) -> WebhookEvent:
    """What Stripe does when the card is accepted: the intent succeeds with a charge, and a
    signed ``payment_intent.succeeded`` goes through the intake."""
    if not is_demo():
        raise DemoGatewayOff("The demo gateway is off.")
    intent = _demo_intent(payment_intent_id)
    if intent["status"] != "succeeded":
        intent = DemoGateway().update_object(
            "payment_intent",
            payment_intent_id,
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=demo_id("ch"),
            last_payment_error=None,
        )
    return demo_event_send(event_type="payment_intent.succeeded", data_object=intent)


def demo_payment_fail(payment_intent_id: str) -> WebhookEvent:
    """What Stripe does when the card is declined: ``payment_intent.payment_failed``."""
    if not is_demo():
        raise DemoGatewayOff("The demo gateway is off.")
    intent = _demo_intent(payment_intent_id)
    if intent["status"] != "succeeded":
        intent = DemoGateway().update_object(
            "payment_intent",
            payment_intent_id,
            status="requires_payment_method",
            last_payment_error={
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined (demo).",
            },
        )
    return demo_event_send(event_type="payment_intent.payment_failed", data_object=intent)
