"""The only module that talks to Stripe: the official SDK's ``StripeClient``.

Every write sends our idempotency key; the SDK's own retries (network errors, 409, 5xx)
reuse it, since the key is a header of the request it repeats. Stripe's errors become the
gateway's types in ``translate_errors``, the one place they are named.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime

import stripe

from .base import Gateway, metadata_matches
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
)
from .types import (
    Account,
    AccountLink,
    Balance,
    Event,
    PaymentIntent,
    Refund,
    Transfer,
    TransferReversal,
)

# Stripe's error codes for a platform balance that cannot cover a transfer.
INSUFFICIENT_FUNDS_CODES = frozenset({"balance_insufficient", "insufficient_funds"})
# ... and for a destination that cannot receive one (closed, unknown, no transfers capability).
UNUSABLE_ACCOUNT_CODES = frozenset(
    {
        "account_closed",
        "account_invalid",
        "no_account",
        "transfers_not_allowed",
        "insufficient_capabilities_for_transfer",
        "invalid_destination",
    }
)
LIST_PAGE_SIZE = 100


def _details(exc: stripe.StripeError) -> dict:
    return {
        "code": exc.code,
        "http_status": exc.http_status,
        "request_id": exc.request_id,
        "param": getattr(exc, "param", None),
    }


@contextmanager
def translate_errors():
    """Stripe's exceptions -> ours (payments.gateway.errors), with the SDK's as the cause."""
    try:
        yield
    except stripe.CardError as exc:
        decline_code = exc.error.decline_code if exc.error else None
        raise CardDeclined(
            exc.user_message or str(exc), decline_code=decline_code, **_details(exc)
        ) from exc
    except stripe.IdempotencyError as exc:
        raise IdempotencyConflict(exc.user_message or str(exc), **_details(exc)) from exc
    except stripe.RateLimitError as exc:
        raise RateLimited(exc.user_message or str(exc), **_details(exc)) from exc
    except stripe.APIConnectionError as exc:
        raise GatewayUnavailable(exc.user_message or str(exc), **_details(exc)) from exc
    except stripe.InvalidRequestError as exc:
        message = exc.user_message or str(exc)
        if exc.code in INSUFFICIENT_FUNDS_CODES:
            raise InsufficientFunds(message, **_details(exc)) from exc
        if exc.code in UNUSABLE_ACCOUNT_CODES or (
            exc.code == "resource_missing" and exc.param == "destination"
        ):
            raise AccountUnusable(message, **_details(exc)) from exc
        if exc.http_status == 404 or exc.code == "resource_missing":
            raise ObjectNotFound(message, **_details(exc)) from exc
        raise InvalidRequest(message, **_details(exc)) from exc
    except stripe.PermissionError as exc:
        if exc.code in UNUSABLE_ACCOUNT_CODES:
            raise AccountUnusable(exc.user_message or str(exc), **_details(exc)) from exc
        raise GatewayMisconfigured(exc.user_message or str(exc), **_details(exc)) from exc
    except stripe.AuthenticationError as exc:
        raise GatewayMisconfigured(exc.user_message or str(exc), **_details(exc)) from exc
    except stripe.APIError as exc:
        raise GatewayUnavailable(exc.user_message or str(exc), **_details(exc)) from exc
    except stripe.StripeError as exc:
        raise GatewayError(exc.user_message or str(exc), **_details(exc)) from exc


def _plain(obj) -> dict:
    return obj.to_dict(recursive=True)


def _timestamp(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


class StripeGateway(Gateway):
    is_demo = False

    def __init__(
        self, *, secret_key: str, api_base: str, max_network_retries: int, timeout: int
    ) -> None:
        self.livemode = secret_key.startswith(("sk_live_", "rk_live_"))
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base},
            max_network_retries=max_network_retries,
            http_client=stripe.RequestsClient(timeout=timeout),
        )

    # --- Connect accounts ----------------------------------------------------------------------
    def create_account(
        self, *, email: str, country: str, metadata: Mapping[str, str], idempotency_key: str
    ) -> Account:
        params = {
            "type": "express",
            "country": country,
            "email": email,
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
            "metadata": dict(metadata),
        }
        with translate_errors():
            account = self.client.v1.accounts.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return Account.from_stripe(_plain(account))

    def retrieve_account(self, account_id: str) -> Account:
        with translate_errors():
            return Account.from_stripe(_plain(self.client.v1.accounts.retrieve(account_id)))

    def find_account(
        self, *, metadata: Mapping[str, str], created_after: datetime | None = None
    ) -> Account | None:
        params: dict = {"limit": LIST_PAGE_SIZE}
        if created_after is not None:
            params["created"] = {"gte": _timestamp(created_after)}
        with translate_errors():
            for account in self.client.v1.accounts.list(params=params).auto_paging_iter():
                found = Account.from_stripe(_plain(account))
                if metadata_matches(found.metadata, metadata):
                    return found
        return None

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str, idempotency_key: str
    ) -> AccountLink:
        params = {
            "account": account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        }
        with translate_errors():
            link = self.client.v1.account_links.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return AccountLink.from_stripe(_plain(link))

    # --- PaymentIntents --------------------------------------------------------------------------
    def create_payment_intent(
        self,
        *,
        amount: int,
        currency: str,
        metadata: Mapping[str, str],
        transfer_group: str | None,
        idempotency_key: str,
        description: str | None = None,
    ) -> PaymentIntent:
        params: dict = {
            "amount": amount,
            "currency": currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "metadata": dict(metadata),
        }
        if transfer_group:
            params["transfer_group"] = transfer_group
        if description:
            params["description"] = description
        with translate_errors():
            intent = self.client.v1.payment_intents.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return PaymentIntent.from_stripe(_plain(intent))

    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent:
        with translate_errors():
            intent = self.client.v1.payment_intents.retrieve(payment_intent_id)
        return PaymentIntent.from_stripe(_plain(intent))

    def search_payment_intents(self, *, metadata: Mapping[str, str]) -> list[PaymentIntent]:
        query = " AND ".join(
            f"metadata['{_quote(key)}']:'{_quote(str(value))}'" for key, value in metadata.items()
        )
        with translate_errors():
            result = self.client.v1.payment_intents.search(params={"query": query, "limit": 100})
            return [PaymentIntent.from_stripe(_plain(intent)) for intent in result.data]

    def find_payment_intent(
        self, *, metadata: Mapping[str, str], created_after: datetime | None = None
    ) -> PaymentIntent | None:
        params: dict = {"limit": LIST_PAGE_SIZE}
        if created_after is not None:
            params["created"] = {"gte": _timestamp(created_after)}
        with translate_errors():
            for intent in self.client.v1.payment_intents.list(params=params).auto_paging_iter():
                found = PaymentIntent.from_stripe(_plain(intent))
                if metadata_matches(found.metadata, metadata):
                    return found
        return None

    # --- refunds -------------------------------------------------------------------------------
    def create_refund(
        self,
        *,
        payment_intent_id: str,
        amount: int,
        metadata: Mapping[str, str],
        idempotency_key: str,
        reason: str | None = None,
    ) -> Refund:
        params: dict = {
            "payment_intent": payment_intent_id,
            "amount": amount,
            "metadata": dict(metadata),
        }
        if reason:
            params["reason"] = reason
        with translate_errors():
            refund = self.client.v1.refunds.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return Refund.from_stripe(_plain(refund))

    def list_refunds(self, *, payment_intent_id: str) -> list[Refund]:
        params = {"payment_intent": payment_intent_id, "limit": LIST_PAGE_SIZE}
        with translate_errors():
            pages = self.client.v1.refunds.list(params=params).auto_paging_iter()
            return [Refund.from_stripe(_plain(refund)) for refund in pages]

    # --- transfers -----------------------------------------------------------------------------
    def create_transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        transfer_group: str | None,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> Transfer:
        params: dict = {
            "amount": amount,
            "currency": currency.lower(),
            "destination": destination,
            "metadata": dict(metadata),
        }
        if transfer_group:
            params["transfer_group"] = transfer_group
        with translate_errors():
            transfer = self.client.v1.transfers.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        return Transfer.from_stripe(_plain(transfer))

    def list_transfers(self, *, transfer_group: str) -> list[Transfer]:
        params = {"transfer_group": transfer_group, "limit": LIST_PAGE_SIZE}
        with translate_errors():
            pages = self.client.v1.transfers.list(params=params).auto_paging_iter()
            return [Transfer.from_stripe(_plain(transfer)) for transfer in pages]

    def create_transfer_reversal(
        self,
        *,
        transfer_id: str,
        amount: int,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> TransferReversal:
        params = {"amount": amount, "metadata": dict(metadata)}
        with translate_errors():
            reversal = self.client.v1.transfers.reversals.create(
                transfer_id, params=params, options={"idempotency_key": idempotency_key}
            )
        return TransferReversal.from_stripe(_plain(reversal))

    def list_transfer_reversals(self, *, transfer_id: str) -> list[TransferReversal]:
        with translate_errors():
            pages = self.client.v1.transfers.reversals.list(
                transfer_id, params={"limit": LIST_PAGE_SIZE}
            ).auto_paging_iter()
            return [TransferReversal.from_stripe(_plain(reversal)) for reversal in pages]

    # --- events and balance --------------------------------------------------------------------
    def list_events(
        self,
        *,
        created_after: datetime,
        types: list[str] | None = None,
        stripe_account: str | None = None,
    ) -> Iterator[Event]:
        params: dict = {"created": {"gte": _timestamp(created_after)}, "limit": LIST_PAGE_SIZE}
        if types:
            params["types"] = list(types)
        options = {"stripe_account": stripe_account} if stripe_account else {}
        with translate_errors():
            pages = self.client.v1.events.list(params=params, options=options).auto_paging_iter()
            for event in pages:
                data = _plain(event)
                if stripe_account and not data.get("account"):
                    data["account"] = stripe_account
                yield Event.from_stripe(data)

    def retrieve_balance(self) -> Balance:
        with translate_errors():
            return Balance.from_stripe(_plain(self.client.v1.balance.retrieve()))


def _quote(value: str) -> str:
    """A value inside single quotes of Stripe's search language."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


@functools.lru_cache(maxsize=4)
def stripe_gateway(
    secret_key: str, api_base: str, max_network_retries: int, timeout: int
) -> StripeGateway:
    """One client (and HTTP connection pool) per configuration, reused across calls."""
    return StripeGateway(
        secret_key=secret_key,
        api_base=api_base,
        max_network_retries=max_network_retries,
        timeout=timeout,
    )
