"""The demo gateway: Stripe's interface without Stripe, for the embedded default.

No network and no money. Objects live in ``payments.DemoObject`` in Stripe's JSON shape (so
web and worker processes share them) and follow Stripe's idempotency rule: the same key
with the same parameters returns the first answer, with other parameters it is refused.
Onboarding links lead to a page of our own that finishes a demo account's onboarding.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .base import Gateway, metadata_matches
from .errors import AccountUnusable, IdempotencyConflict, InvalidRequest, ObjectNotFound
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

DEMO_REQUIREMENTS = [
    "external_account",
    "individual.dob.day",
    "individual.verification.document",
    "tos_acceptance.date",
]
LINK_LIFETIME = timedelta(minutes=5)


def demo_id(prefix: str) -> str:
    return f"{prefix}_demo_{secrets.token_hex(8)}"


def _now() -> int:
    return int(timezone.now().timestamp())


def _fingerprint(object_type: str, params: Mapping) -> str:
    canonical = json.dumps([object_type, params], sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class DemoGateway(Gateway):
    is_demo = True
    livemode = False

    # --- storage ---------------------------------------------------------------------------------
    def _create(
        self, object_type: str, prefix: str, data: dict, *, idempotency_key: str, params: Mapping
    ) -> dict:
        from payments.models import DemoObject

        fingerprint = _fingerprint(object_type, params)
        existing = DemoObject.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            object_id = demo_id(prefix)
            data = {"id": object_id, "object": object_type, "livemode": False, **data}
            data.setdefault("created", _now())
            try:
                with transaction.atomic():
                    DemoObject.objects.create(
                        id=object_id,
                        object_type=object_type,
                        data=data,
                        idempotency_key=idempotency_key,
                        request_fingerprint=fingerprint,
                    )
                return data
            except IntegrityError:
                existing = DemoObject.objects.get(idempotency_key=idempotency_key)
        if existing.request_fingerprint != fingerprint:
            raise IdempotencyConflict(
                f"Keys for idempotent requests can only be used with the same parameters "
                f"they were first used with (key {idempotency_key!r}).",
                code="idempotency_key_in_use",
                http_status=400,
            )
        return existing.data

    def _get(self, object_type: str, object_id: str) -> dict:
        from payments.models import DemoObject

        row = DemoObject.objects.filter(pk=object_id, object_type=object_type).first()
        if row is None:
            raise ObjectNotFound(
                f"No such {object_type}: '{object_id}'", code="resource_missing", http_status=404
            )
        return row.data

    def _all(self, object_type: str) -> list[dict]:
        from payments.models import DemoObject

        rows = DemoObject.objects.filter(object_type=object_type).order_by("-created_at", "-pk")
        return [row.data for row in rows]

    def update_object(self, object_type: str, object_id: str, **changes) -> dict:
        """Change a demo object (the demo's stand-in for what happens at Stripe)."""
        from payments.models import DemoObject

        with transaction.atomic():
            row = (
                DemoObject.objects.select_for_update()
                .filter(pk=object_id, object_type=object_type)
                .first()
            )
            if row is None:
                raise ObjectNotFound(f"No such {object_type}: '{object_id}'", http_status=404)
            row.data = {**row.data, **changes}
            row.save(update_fields=["data"])
        return row.data

    def record_event(self, payload: dict) -> None:
        """Keep a sent demo event, so the daily reconcile can list it like Stripe's events."""
        from payments.models import DemoObject

        DemoObject.objects.get_or_create(
            pk=payload["id"], defaults={"object_type": "event", "data": payload}
        )

    # --- Connect accounts ----------------------------------------------------------------------
    def create_account(
        self, *, email: str, country: str, metadata: Mapping[str, str], idempotency_key: str
    ) -> Account:
        params = {"type": "express", "country": country, "email": email, "metadata": metadata}
        data = {
            "type": "express",
            "country": country,
            "email": email,
            "metadata": dict(metadata),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "requirements": {
                "currently_due": list(DEMO_REQUIREMENTS),
                "eventually_due": list(DEMO_REQUIREMENTS),
                "past_due": [],
                "pending_verification": [],
                "disabled_reason": "requirements.past_due",
                "current_deadline": None,
            },
        }
        return Account.from_stripe(
            self._create("account", "acct", data, idempotency_key=idempotency_key, params=params)
        )

    def retrieve_account(self, account_id: str) -> Account:
        return Account.from_stripe(self._get("account", account_id))

    def find_account(
        self, *, metadata: Mapping[str, str], created_after: datetime | None = None
    ) -> Account | None:
        for data in self._all("account"):
            account = Account.from_stripe(data)
            if metadata_matches(account.metadata, metadata):
                return account
        return None

    def complete_onboarding(self, account_id: str) -> dict:
        """What Stripe's hosted onboarding does once the trainer has given every detail."""
        return self.update_object(
            "account",
            account_id,
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            requirements={
                "currently_due": [],
                "eventually_due": [],
                "past_due": [],
                "pending_verification": [],
                "disabled_reason": None,
                "current_deadline": None,
            },
        )

    def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str, idempotency_key: str
    ) -> AccountLink:
        self._get("account", account_id)
        return AccountLink(
            url=reverse("payments-demo-onboarding", args=[account_id]),
            expires_at=timezone.now() + LINK_LIFETIME,
        )

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
        params = {
            "amount": amount,
            "currency": currency.lower(),
            "metadata": metadata,
            "transfer_group": transfer_group,
            "description": description,
        }
        data = {
            "amount": amount,
            "amount_received": 0,
            "currency": currency.lower(),
            "metadata": dict(metadata),
            "transfer_group": transfer_group,
            "description": description,
            "status": "requires_payment_method",
            "latest_charge": None,
        }
        created = self._create(
            "payment_intent", "pi", data, idempotency_key=idempotency_key, params=params
        )
        if not created.get("client_secret"):
            created = self.update_object(
                "payment_intent",
                created["id"],
                client_secret=f"{created['id']}_secret_{secrets.token_hex(8)}",
            )
        return PaymentIntent.from_stripe(created)

    def retrieve_payment_intent(self, payment_intent_id: str) -> PaymentIntent:
        return PaymentIntent.from_stripe(self._get("payment_intent", payment_intent_id))

    def search_payment_intents(self, *, metadata: Mapping[str, str]) -> list[PaymentIntent]:
        intents = [PaymentIntent.from_stripe(data) for data in self._all("payment_intent")]
        return [intent for intent in intents if metadata_matches(intent.metadata, metadata)]

    def find_payment_intent(
        self, *, metadata: Mapping[str, str], created_after: datetime | None = None
    ) -> PaymentIntent | None:
        found = self.search_payment_intents(metadata=metadata)
        return found[0] if found else None

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
        intent = self._get("payment_intent", payment_intent_id)
        refunded = sum(r.amount for r in self.list_refunds(payment_intent_id=payment_intent_id))
        params = {"payment_intent": payment_intent_id, "amount": amount, "metadata": metadata}
        if amount <= 0 or refunded + amount > int(intent.get("amount_received") or 0):
            from payments.models import DemoObject

            if not DemoObject.objects.filter(idempotency_key=idempotency_key).exists():
                raise InvalidRequest(
                    "Refund amount is greater than what is left of the charge.",
                    code="amount_too_large",
                    param="amount",
                    http_status=400,
                )
        data = {
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": payment_intent_id,
            "charge": intent.get("latest_charge"),
            "metadata": dict(metadata),
            "reason": reason,
            "status": "succeeded",
        }
        return Refund.from_stripe(
            self._create("refund", "re", data, idempotency_key=idempotency_key, params=params)
        )

    def list_refunds(self, *, payment_intent_id: str) -> list[Refund]:
        return [
            Refund.from_stripe(data)
            for data in self._all("refund")
            if data.get("payment_intent") == payment_intent_id
        ]

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
        try:
            account = self._get("account", destination)
        except ObjectNotFound:
            raise AccountUnusable(
                f"No such destination: '{destination}'", code="account_invalid", http_status=400
            ) from None
        if not account.get("payouts_enabled"):
            raise AccountUnusable(
                "The destination account cannot receive transfers yet.",
                code="insufficient_capabilities_for_transfer",
                http_status=400,
            )
        params = {
            "amount": amount,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": metadata,
        }
        data = {
            "amount": amount,
            "amount_reversed": 0,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": dict(metadata),
            "reversed": False,
        }
        return Transfer.from_stripe(
            self._create("transfer", "tr", data, idempotency_key=idempotency_key, params=params)
        )

    def list_transfers(self, *, transfer_group: str) -> list[Transfer]:
        return [
            Transfer.from_stripe(data)
            for data in self._all("transfer")
            if data.get("transfer_group") == transfer_group
        ]

    def create_transfer_reversal(
        self,
        *,
        transfer_id: str,
        amount: int,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> TransferReversal:
        transfer = self._get("transfer", transfer_id)
        params = {"transfer": transfer_id, "amount": amount, "metadata": metadata}
        data = {
            "amount": amount,
            "currency": transfer["currency"],
            "transfer": transfer_id,
            "metadata": dict(metadata),
        }
        reversal = self._create(
            "transfer_reversal", "trr", data, idempotency_key=idempotency_key, params=params
        )
        reversed_total = sum(
            r.amount for r in self.list_transfer_reversals(transfer_id=transfer_id)
        )
        self.update_object(
            "transfer",
            transfer_id,
            amount_reversed=reversed_total,
            reversed=reversed_total >= int(transfer["amount"]),
        )
        return TransferReversal.from_stripe(reversal)

    def list_transfer_reversals(self, *, transfer_id: str) -> list[TransferReversal]:
        return [
            TransferReversal.from_stripe(data)
            for data in self._all("transfer_reversal")
            if data.get("transfer") == transfer_id
        ]

    # --- events and balance --------------------------------------------------------------------
    def list_events(
        self,
        *,
        created_after: datetime,
        types: list[str] | None = None,
        stripe_account: str | None = None,
    ) -> Iterator[Event]:
        since = int(created_after.timestamp())
        for data in self._all("event"):
            if int(data.get("created") or 0) < since:
                continue
            if types and data.get("type") not in types:
                continue
            if (data.get("account") or None) != stripe_account:
                continue
            yield Event.from_stripe(data)

    def retrieve_balance(self) -> Balance:
        available: dict[str, int] = {}

        def add(currency: str, amount: int) -> None:
            key = currency.upper()
            available[key] = available.get(key, 0) + amount

        for data in self._all("payment_intent"):
            add(data["currency"], int(data.get("amount_received") or 0))
        for data in self._all("refund"):
            add(data["currency"], -int(data["amount"]))
        for data in self._all("transfer"):
            add(data["currency"], -int(data["amount"]) + int(data.get("amount_reversed") or 0))
        return Balance(available=available, pending={})
