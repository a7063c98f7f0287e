"""The payment provider's interface: what Traino asks of Stripe, nothing more.

Every write takes a required ``idempotency_key`` derived from our own row and stored before
the call, so a Celery retry or a re-run after a crash repeats the very same request. Stripe
keeps a key for about 24 hours and replays a saved *error* too, so after a failure callers
look the object up (``find_*``) before creating it again.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping
from datetime import datetime

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


def metadata_matches(metadata: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(metadata.get(key) == str(value) for key, value in wanted.items())


class Gateway(abc.ABC):
    """Stripe (``StripeGateway``) or the demo stand-in (``DemoGateway``)."""

    is_demo: bool
    livemode: bool

    # --- Connect accounts ----------------------------------------------------------------------
    @abc.abstractmethod
    def create_account(
        self, *, email: str, country: str, metadata: Mapping[str, str], idempotency_key: str
    ) -> Account:
        """An Express account that can take card payments and receive transfers."""

    @abc.abstractmethod
    def retrieve_account(self, account_id: str) -> Account: ...

    @abc.abstractmethod
    def find_account(
        self, *, metadata: Mapping[str, str], created_after: datetime | None = None
    ) -> Account | None:
        """The connected account whose metadata has these values (newest first), if any."""

    @abc.abstractmethod
    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str, idempotency_key: str
    ) -> AccountLink:
        """A single-use onboarding link; it expires after a few minutes."""

    # --- PaymentIntents --------------------------------------------------------------------------
    @abc.abstractmethod
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
        """On the platform account, with automatic payment methods."""

    @abc.abstractmethod
    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent: ...

    @abc.abstractmethod
    def search_payment_intents(self, *, metadata: Mapping[str, str]) -> list[PaymentIntent]:
        """Stripe's search: may lag a write by about a minute, so not for crash recovery."""

    @abc.abstractmethod
    def find_payment_intent(
        self, *, metadata: Mapping[str, str], created_after: datetime | None = None
    ) -> PaymentIntent | None:
        """Listing (read-after-write safe), filtered by metadata: for recovery after an error."""

    # --- refunds -------------------------------------------------------------------------------
    @abc.abstractmethod
    def create_refund(
        self,
        *,
        payment_intent_id: str,
        amount: int,
        metadata: Mapping[str, str],
        idempotency_key: str,
        reason: str | None = None,
    ) -> Refund: ...

    @abc.abstractmethod
    def list_refunds(self, *, payment_intent_id: str) -> list[Refund]: ...

    def find_refund(self, *, payment_intent_id: str, metadata: Mapping[str, str]) -> Refund | None:
        return next(
            (
                refund
                for refund in self.list_refunds(payment_intent_id=payment_intent_id)
                if metadata_matches(refund.metadata, metadata)
            ),
            None,
        )

    # --- transfers -----------------------------------------------------------------------------
    @abc.abstractmethod
    def create_transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        transfer_group: str | None,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> Transfer: ...

    @abc.abstractmethod
    def list_transfers(self, *, transfer_group: str) -> list[Transfer]: ...

    def find_transfer(
        self, *, transfer_group: str, metadata: Mapping[str, str] | None = None
    ) -> Transfer | None:
        return next(
            (
                transfer
                for transfer in self.list_transfers(transfer_group=transfer_group)
                if metadata_matches(transfer.metadata, metadata or {})
            ),
            None,
        )

    @abc.abstractmethod
    def create_transfer_reversal(
        self,
        *,
        transfer_id: str,
        amount: int,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> TransferReversal: ...

    @abc.abstractmethod
    def list_transfer_reversals(self, *, transfer_id: str) -> list[TransferReversal]: ...

    def find_transfer_reversal(
        self, *, transfer_id: str, metadata: Mapping[str, str]
    ) -> TransferReversal | None:
        return next(
            (
                reversal
                for reversal in self.list_transfer_reversals(transfer_id=transfer_id)
                if metadata_matches(reversal.metadata, metadata)
            ),
            None,
        )

    # --- events and balance --------------------------------------------------------------------
    @abc.abstractmethod
    def list_events(
        self,
        *,
        created_after: datetime,
        types: list[str] | None = None,
        stripe_account: str | None = None,
    ) -> Iterator[Event]:
        """Events since ``created_after`` (Stripe keeps 30 days), newest first; with
        ``stripe_account``, that connected account's events."""

    @abc.abstractmethod
    def retrieve_balance(self) -> Balance: ...
