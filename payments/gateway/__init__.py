"""The payment gateway: ``get_gateway()`` is Stripe when STRIPE_SECRET_KEY is set, else the
demo gateway. Nothing outside this package imports the ``stripe`` SDK for API calls."""

from django.conf import settings

from .base import Gateway
from .demo import DemoGateway
from .errors import (
    AccountUnusable,
    CardDeclined,
    GatewayError,
    GatewayMisconfigured,
    GatewayUnavailable,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    ObjectNotFound,
    RateLimited,
    TransientGatewayError,
)
from .stripe_gateway import StripeGateway, stripe_gateway
from .types import (
    Account,
    AccountLink,
    Balance,
    Event,
    PaymentIntent,
    Refund,
    Requirements,
    Transfer,
    TransferReversal,
)

__all__ = [
    "Account",
    "AccountLink",
    "AccountUnusable",
    "Balance",
    "CardDeclined",
    "DemoGateway",
    "Event",
    "Gateway",
    "GatewayError",
    "GatewayMisconfigured",
    "GatewayUnavailable",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidRequest",
    "ObjectNotFound",
    "PaymentIntent",
    "RateLimited",
    "Refund",
    "Requirements",
    "StripeGateway",
    "Transfer",
    "TransferReversal",
    "TransientGatewayError",
    "get_gateway",
    "is_demo",
    "key_livemode",
]


def get_gateway() -> Gateway:
    if not settings.STRIPE_SECRET_KEY:
        return DemoGateway()
    return stripe_gateway(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_MAX_NETWORK_RETRIES,
        settings.STRIPE_TIMEOUT_SECONDS,
    )


def is_demo() -> bool:
    return not settings.STRIPE_SECRET_KEY


def key_livemode() -> bool:
    """Whether our key is a live one: events of the other mode are not for us."""
    return settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))
