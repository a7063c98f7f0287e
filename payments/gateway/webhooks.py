"""Stripe's webhook signatures, through the SDK: verify what arrives, sign what the demo sends.

The scheme is Stripe's: ``Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.body">`` with
the endpoint's secret (STRIPE_WEBHOOK_SECRET).
"""

from __future__ import annotations

import stripe
from django.conf import settings

from traino.parsers import load_json


class SignatureInvalid(Exception):
    """Missing, malformed, wrong or older than the tolerance."""


class PayloadInvalid(Exception):
    """Correctly signed, but not a Stripe event."""


def verify(payload: bytes, signature: str | None) -> dict:
    """The event as a plain dict, once its signature checks out (tolerance 300 s).

    ``WebhookSignature.verify_header`` is the check ``stripe.Webhook.construct_event`` makes;
    the body is then parsed here, so that any JSON that is not an event object is refused
    cleanly instead of failing inside the SDK's Event constructor.
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        raise SignatureInvalid(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise PayloadInvalid(str(exc)) from exc
    try:
        data = load_json(payload)
    except ValueError as exc:  # malformed, or nested too deeply
        raise PayloadInvalid(str(exc)) from exc
    if not isinstance(data, dict):
        raise PayloadInvalid("The payload is not a JSON object.")
    return data


def sign(payload: bytes, *, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` with our endpoint secret."""
    return stripe.WebhookSignature.generate_signature_header(
        payload.decode(), settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )
