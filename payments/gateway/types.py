"""What the gateway returns: small frozen dataclasses, the same for Stripe and the demo.

Built from Stripe's JSON shape (``from_stripe``), so the demo gateway, which keeps objects in
that shape too, and the SDK's objects (``to_dict()``) go through one constructor each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def from_timestamp(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value is not None else None


def _metadata(data: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in (data.get("metadata") or {}).items()}


def _id_of(value: Any) -> str | None:
    """An expandable field: the id, whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value


@dataclass(frozen=True)
class Requirements:
    currently_due: tuple[str, ...] = ()
    eventually_due: tuple[str, ...] = ()
    past_due: tuple[str, ...] = ()
    pending_verification: tuple[str, ...] = ()
    disabled_reason: str | None = None
    current_deadline: datetime | None = None

    @classmethod
    def from_stripe(cls, data: dict | None) -> Requirements:
        data = data or {}
        return cls(
            currently_due=tuple(data.get("currently_due") or ()),
            eventually_due=tuple(data.get("eventually_due") or ()),
            past_due=tuple(data.get("past_due") or ()),
            pending_verification=tuple(data.get("pending_verification") or ()),
            disabled_reason=data.get("disabled_reason"),
            current_deadline=from_timestamp(data.get("current_deadline")),
        )

    def as_json(self) -> dict:
        return {
            "currently_due": list(self.currently_due),
            "eventually_due": list(self.eventually_due),
            "past_due": list(self.past_due),
            "pending_verification": list(self.pending_verification),
            "disabled_reason": self.disabled_reason,
            "current_deadline": (
                int(self.current_deadline.timestamp()) if self.current_deadline else None
            ),
        }


@dataclass(frozen=True)
class Account:
    id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements: Requirements
    country: str | None = None
    email: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    created: datetime | None = None

    @classmethod
    def from_stripe(cls, data: dict) -> Account:
        return cls(
            id=data["id"],
            charges_enabled=bool(data.get("charges_enabled")),
            payouts_enabled=bool(data.get("payouts_enabled")),
            details_submitted=bool(data.get("details_submitted")),
            requirements=Requirements.from_stripe(data.get("requirements")),
            country=data.get("country"),
            email=data.get("email"),
            metadata=_metadata(data),
            created=from_timestamp(data.get("created")),
        )


@dataclass(frozen=True)
class AccountLink:
    url: str
    expires_at: datetime | None

    @classmethod
    def from_stripe(cls, data: dict) -> AccountLink:
        return cls(url=data["url"], expires_at=from_timestamp(data.get("expires_at")))


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    amount_received: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    transfer_group: str | None = None
    latest_charge: str | None = None
    livemode: bool = False
    created: datetime | None = None

    @classmethod
    def from_stripe(cls, data: dict) -> PaymentIntent:
        return cls(
            id=data["id"],
            status=data["status"],
            amount=int(data["amount"]),
            currency=str(data["currency"]).upper(),
            client_secret=data.get("client_secret"),
            amount_received=int(data.get("amount_received") or 0),
            metadata=_metadata(data),
            transfer_group=data.get("transfer_group"),
            latest_charge=_id_of(data.get("latest_charge")),
            livemode=bool(data.get("livemode")),
            created=from_timestamp(data.get("created")),
        )


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    currency: str
    status: str | None
    payment_intent: str | None
    charge: str | None
    reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_stripe(cls, data: dict) -> Refund:
        return cls(
            id=data["id"],
            amount=int(data["amount"]),
            currency=str(data["currency"]).upper(),
            status=data.get("status"),
            payment_intent=_id_of(data.get("payment_intent")),
            charge=_id_of(data.get("charge")),
            reason=data.get("reason"),
            metadata=_metadata(data),
        )


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: int
    currency: str
    destination: str | None
    transfer_group: str | None
    amount_reversed: int = 0
    reversed: bool = False
    metadata: dict[str, str] = field(default_factory=dict)
    created: datetime | None = None

    @classmethod
    def from_stripe(cls, data: dict) -> Transfer:
        return cls(
            id=data["id"],
            amount=int(data["amount"]),
            currency=str(data["currency"]).upper(),
            destination=_id_of(data.get("destination")),
            transfer_group=data.get("transfer_group"),
            amount_reversed=int(data.get("amount_reversed") or 0),
            reversed=bool(data.get("reversed")),
            metadata=_metadata(data),
            created=from_timestamp(data.get("created")),
        )


@dataclass(frozen=True)
class TransferReversal:
    id: str
    amount: int
    currency: str
    transfer: str
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_stripe(cls, data: dict) -> TransferReversal:
        return cls(
            id=data["id"],
            amount=int(data["amount"]),
            currency=str(data["currency"]).upper(),
            transfer=_id_of(data.get("transfer")) or "",
            metadata=_metadata(data),
        )


@dataclass(frozen=True)
class Event:
    """A Stripe event; ``payload`` is the whole event as Stripe sent it (stored as is)."""

    id: str
    type: str
    livemode: bool
    account: str | None
    created: datetime | None
    payload: dict

    @classmethod
    def from_stripe(cls, data: dict) -> Event:
        return cls(
            id=data["id"],
            type=data["type"],
            livemode=bool(data.get("livemode")),
            account=data.get("account"),
            created=from_timestamp(data.get("created")),
            payload=data,
        )


@dataclass(frozen=True)
class Balance:
    """Amounts per currency (upper case), in minor units."""

    available: dict[str, int]
    pending: dict[str, int]

    @classmethod
    def from_stripe(cls, data: dict) -> Balance:
        def per_currency(entries) -> dict[str, int]:
            totals: dict[str, int] = {}
            for entry in entries or ():
                currency = str(entry["currency"]).upper()
                totals[currency] = totals.get(currency, 0) + int(entry["amount"])
            return totals

        return cls(
            available=per_currency(data.get("available")),
            pending=per_currency(data.get("pending")),
        )
