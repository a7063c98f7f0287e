"""The gateway's own exception types: callers (and Celery's ``autoretry_for``) name these,
never the SDK's. ``stripe_gateway.translate_errors`` is the one place Stripe's errors are
mapped onto them; the demo gateway raises them directly.
"""

from __future__ import annotations


class GatewayError(Exception):
    """A payment provider call failed. ``code`` is the provider's error code, if any."""

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        param: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
    ):
        super().__init__(message or type(self).__name__)
        self.message = message
        self.code = code
        self.param = param
        self.http_status = http_status
        self.request_id = request_id


class TransientGatewayError(GatewayError):
    """Worth retrying later with the same idempotency key: the request may or may not have
    taken effect, so a retry of a create first looks the object up (the ``find_*`` helpers)."""


class GatewayUnavailable(TransientGatewayError):
    """No answer, a dropped connection, or a 5xx from the provider."""


class RateLimited(TransientGatewayError):
    """Too many requests (429): back off."""


class CardDeclined(GatewayError):
    """The card was refused; ``decline_code`` says why (insufficient_funds, lost_card ...)."""

    def __init__(self, message: str = "", *, decline_code: str | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.decline_code = decline_code


class InvalidRequest(GatewayError):
    """The provider refused the parameters: a bug or a state we did not expect; no retry."""


class ObjectNotFound(InvalidRequest):
    """No such object (404 resource_missing)."""


class IdempotencyConflict(GatewayError):
    """Our idempotency key was used before with other parameters (or is still in flight)."""


class InsufficientFunds(GatewayError):
    """The platform balance cannot cover a transfer: wait for funds, then try again."""


class AccountUnusable(GatewayError):
    """The connected account is closed, unknown, or cannot receive transfers."""


class GatewayMisconfigured(GatewayError):
    """Authentication or permission refused: our API key is wrong or lacks a permission."""
