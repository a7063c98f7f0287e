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
