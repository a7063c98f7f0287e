"""An HTTP test double of the parts of Stripe's API that Traino uses, for the real SDK.

Response bodies start from Stripe's own fixtures (``fixtures3.json``, see README.md) with
the request's values filled in. The double keeps state (what is created can be retrieved,
listed, searched by metadata and by transfer_group), follows Stripe's idempotency rules
(same key + same parameters: the saved answer is replayed, errors included; same key +
other parameters: 400 ``idempotency_error``; keys are forgotten after ``idempotency_ttl``
of the double's clock), records every request, and fails on demand (``fail_next``).
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

FIXTURES = Path(__file__).with_name("fixtures3.json")

# Failures tests can ask for with fail_next(). "*_after_create" happen once the object exists
# at the double (a crash between Stripe and our database, seen from our side).
CARD_DECLINED = "card_declined"
INSUFFICIENT_BALANCE = "insufficient_balance"
ACCOUNT_CLOSED = "account_closed"
RATE_LIMIT = "rate_limit"
SERVER_ERROR = "server_error"
SERVER_ERROR_AFTER_CREATE = "server_error_after_create"
NETWORK_DROP_AFTER_CREATE = "network_drop_after_create"
FAILURES = {
    CARD_DECLINED,
    INSUFFICIENT_BALANCE,
    ACCOUNT_CLOSED,
    RATE_LIMIT,
    SERVER_ERROR,
    SERVER_ERROR_AFTER_CREATE,
    NETWORK_DROP_AFTER_CREATE,
}


class DropConnection(Exception):
    """Raised by the app: close the socket without answering."""


class ApiError(Exception):
    """An error answer. ``saved``: whether Stripe keeps it for the idempotency key (errors
    raised while the request executed are; parameter validation failures are not)."""

    def __init__(self, status: int, error: dict, *, saved: bool = True):
        super().__init__(error.get("message"))
        self.status = status
        self.error = error
        self.saved = saved


def invalid(message: str, *, param: str | None = None, code: str = "parameter_invalid_empty"):
    return ApiError(
        400,
        {"type": "invalid_request_error", "code": code, "message": message, "param": param},
        saved=False,
    )


def missing(object_type: str, object_id: str, param: str = "id") -> ApiError:
    return ApiError(
        404,
        {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": f"No such {object_type}: '{object_id}'",
            "param": param,
        },
        saved=False,
    )


def decode_form(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``metadata[k]=v``, ``types[0]=a``) -> nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head] + (re.findall(r"([^\[\]]*)\]", "[" + rest) if rest else [])
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {key: _lists(value) for key, value in node.items()}
        if node and all(key.isdigit() for key in node):
            return [node[key] for key in sorted(node, key=int)]
    return node


def _int(params: dict, name: str, *, required: bool = True) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        if required:
            raise invalid(f"Missing required param: {name}.", param=name, code="parameter_missing")
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise invalid(
            f"Invalid integer: {raw}", param=name, code="parameter_invalid_integer"
        ) from None


def _bool(value) -> bool:
    return str(value).lower() == "true"


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    headers: dict[str, str]

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    @property
    def stripe_account(self) -> str | None:
        return self.headers.get("stripe-account")


@dataclass
class _Injection:
    method: str
    path: str
    failure: str
    times: int

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and fnmatch.fnmatchcase(path, self.path)


@dataclass
class _Saved:
    at: datetime
    method: str
    path: str
    params: dict
    status: int
    body: dict


@dataclass
class _State:
    objects: dict[str, dict[str, dict]] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    saved: dict[tuple[str, str], _Saved] = field(default_factory=dict)
    injections: list[_Injection] = field(default_factory=list)
    closed_accounts: set[str] = field(default_factory=set)


class StripeDouble:
    """The WSGI app and its state. ``url`` is set once ``serve()`` runs it in a thread."""

    def __init__(self, fixtures: Path = FIXTURES):
        self.fixtures = json.loads(fixtures.read_text())["resources"]
        self.lock = threading.RLock()
        self.url = ""
        self.reset()

    # --- configuration and inspection, for tests ------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.state = _State()
            self.idempotency_ttl = timedelta(hours=24)
            self.clock_offset = timedelta(0)
            self.balance = {"sek": 10**10, "eur": 10**10, "usd": 10**10}
            self.api_key_prefixes = ("sk_test_", "sk_live_", "rk_test_", "rk_live_")

    def now(self) -> datetime:
        return datetime.now(tz=UTC) + self.clock_offset

    def timestamp(self) -> int:
        return int(self.now().timestamp())

    def advance(self, **delta) -> None:
        """Move the double's clock (e.g. hours=25: every idempotency key is forgotten)."""
        with self.lock:
            self.clock_offset += timedelta(**delta)

    def fail_next(self, method: str, path: str, failure: str, *, times: int = 1) -> None:
        """Make the next ``times`` requests to ``method path`` (fnmatch pattern) fail so."""
        if failure not in FAILURES:
            raise ValueError(f"unknown failure {failure!r}")
        with self.lock:
            self.state.injections.append(_Injection(method.upper(), path, failure, times))

    @property
    def requests(self) -> list[RecordedRequest]:
        with self.lock:
            return list(self.state.requests)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if r.method == method.upper() and fnmatch.fnmatchcase(r.path, path)
        ]

    def objects(self, object_type: str) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(o) for o in self.state.objects.get(object_type, {}).values()]

    def get(self, object_type: str, object_id: str) -> dict:
        with self.lock:
            return copy.deepcopy(self.state.objects[object_type][object_id])

    def update(self, object_type: str, object_id: str, **changes) -> dict:
        with self.lock:
            self.state.objects[object_type][object_id].update(copy.deepcopy(changes))
            return self.get(object_type, object_id)

    def close_account(self, account_id: str) -> None:
        with self.lock:
            self.state.closed_accounts.add(account_id)

    def enable_account(self, account_id: str) -> dict:
        """What Stripe's onboarding does when the trainer has given every detail."""
        return self.update(
            "account",
            account_id,
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            capabilities={"card_payments": "active", "transfers": "active"},
            requirements={
                **self.get("account", account_id)["requirements"],
                "currently_due": [],
                "eventually_due": [],
                "past_due": [],
                "disabled_reason": None,
            },
        )

    def add_event(
        self,
        event_type: str,
        data_object: dict,
        *,
        account: str | None = None,
        created: int | None = None,
        livemode: bool = False,
    ) -> dict:
        """An event as Stripe would log it (listed by GET /v1/events)."""
        with self.lock:
            event = copy.deepcopy(self.fixtures["event"])
            event.update(
                {
                    "id": self._new_id("evt"),
                    "type": event_type,
                    "created": created if created is not None else self.timestamp(),
                    "livemode": livemode,
                    "data": {"object": copy.deepcopy(data_object)},
                    "pending_webhooks": 1,
                    "api_version": "2025-01-01",
                }
            )
            if account:
                event["account"] = account
            self.state.events.append(event)
            return copy.deepcopy(event)

    @property
    def events(self) -> list[dict]:
        with self.lock:
            return copy.deepcopy(self.state.events)

    # --- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"].upper()
        path = environ.get("PATH_INFO", "")
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode() if length else ""
        raw = body if method == "POST" else environ.get("QUERY_STRING", "")
        params = decode_form(parse_qsl(raw, keep_blank_values=True))

        with self.lock:
            self.state.requests.append(RecordedRequest(method, path, params, headers))
            status, answer, extra = self._answer(method, path, params, headers)
            drop = status < 400 and self._take_injection(method, path, {NETWORK_DROP_AFTER_CREATE})
        if drop:
            raise DropConnection()
        response_headers = [
            ("Content-Type", "application/json"),
            ("Request-Id", self._new_id("req")),
            *extra,
        ]
        start_response(f"{status} {_REASONS.get(status, 'Status')}", response_headers)
        return [json.dumps(answer).encode()]

    def _answer(self, method, path, params, headers) -> tuple[int, dict, list]:
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].startswith(self.api_key_prefixes):
            return 401, {"error": {"type": "invalid_request_error", "message": "No API key"}}, []
        key = headers.get("idempotency-key") if method == "POST" else None
        scope = (headers.get("stripe-account") or "", key or "")
        extra = [("Idempotency-Key", key)] if key else []
        self._forget_expired_keys()

        if key and scope in self.state.saved:
            saved = self.state.saved[scope]
            if (saved.method, saved.path, saved.params) != (method, path, params):
                return (
                    400,
                    _error(
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                        code="idempotency_key_in_use",
                    ),
                    extra,
                )
            return (
                saved.status,
                copy.deepcopy(saved.body),
                [*extra, ("Idempotent-Replayed", "true")],
            )

        injected = self._take_injection(
            method,
            path,
            {CARD_DECLINED, INSUFFICIENT_BALANCE, ACCOUNT_CLOSED, RATE_LIMIT, SERVER_ERROR},
        )
        try:
            if injected:
                raise _injected_error(injected)
            status, answer = 200, self._route(method, path, params, headers)
        except ApiError as exc:
            status, answer = exc.status, {"error": exc.error}
            if not exc.saved:
                return status, answer, extra
        if status == 200 and self._take_injection(method, path, {SERVER_ERROR_AFTER_CREATE}):
            status, answer = 500, _error("api_error", "An unknown error occurred.")
        if key:
            self.state.saved[scope] = _Saved(
                self.now(), method, path, params, status, copy.deepcopy(answer)
            )
        return status, answer, extra

    def _take_injection(self, method: str, path: str, kinds: set[str]) -> str | None:
        for injection in self.state.injections:
            if (
                injection.failure in kinds
                and injection.times > 0
                and injection.matches(method, path)
            ):
                injection.times -= 1
                return injection.failure
        return None

    def _forget_expired_keys(self) -> None:
        horizon = self.now() - self.idempotency_ttl
        for scope, saved in list(self.state.saved.items()):
            if saved.at <= horizon:
                del self.state.saved[scope]

    # --- routing ---------------------------------------------------------------------------------
    def _route(self, method: str, path: str, params: dict, headers: dict) -> dict:
        for route_method, pattern, handler in _ROUTES:
            if route_method != method:
                continue
            match = re.fullmatch(pattern, path)
            if match:
                return handler(self, params, headers, *match.groups())
        raise ApiError(
            404,
            {"type": "invalid_request_error", "message": f"Unrecognized request URL ({path})."},
            saved=False,
        )

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    def _fixture(self, object_type: str, **values) -> dict:
        obj = copy.deepcopy(self.fixtures[object_type])
        obj.update(values)
        return obj

    def _store(self, object_type: str, obj: dict) -> dict:
        self.state.objects.setdefault(object_type, {})[obj["id"]] = obj
        return copy.deepcopy(obj)

    def _find(self, object_type: str, object_id: str, param: str = "id") -> dict:
        try:
            return self.state.objects[object_type][object_id]
        except KeyError:
            raise missing(object_type, object_id, param) from None

    def _emit(self, event_type: str, obj: dict, account: str | None = None) -> None:
        self.add_event(event_type, obj, account=account)

    def _list(self, object_type: str, params: dict, url: str, keep=lambda obj: True) -> dict:
        items = [o for o in self.state.objects.get(object_type, {}).values() if keep(o)]
        items = [o for o in items if _created_matches(o.get("created"), params.get("created"))]
        items.sort(key=lambda o: o.get("created") or 0, reverse=True)
        return _page(items, params, url)

    # accounts
    def create_account(self, params, headers) -> dict:
        if params.get("type") not in {"express", "standard", "custom", None}:
            raise invalid(f"Invalid type: {params.get('type')}", param="type")
        requested = params.get("capabilities") or {}
        account = self._fixture(
            "account",
            id=self._new_id("acct"),
            type=params.get("type", "standard"),
            country=params.get("country", "US"),
            email=params.get("email"),
            metadata=params.get("metadata") or {},
            created=self.timestamp(),
            charges_enabled=False,
            payouts_enabled=False,
            details_submitted=False,
            capabilities=dict.fromkeys(requested, "inactive"),
        )
        account["external_accounts"]["url"] = f"/v1/accounts/{account['id']}/external_accounts"
        return self._store("account", account)

    def retrieve_account(self, params, headers, account_id) -> dict:
        return copy.deepcopy(self._find("account", account_id))

    def list_accounts(self, params, headers) -> dict:
        return self._list("account", params, "/v1/accounts")

    def create_account_link(self, params, headers) -> dict:
        account_id = params.get("account") or ""
        self._find("account", account_id, "account")
        for name in ("refresh_url", "return_url"):
            if not params.get(name):
                raise invalid(f"Missing required param: {name}.", param=name)
        return self._fixture(
            "account_link",
            created=self.timestamp(),
            expires_at=self.timestamp() + 300,
            url=f"https://connect.stripe.com/setup/e/{account_id}/{secrets.token_hex(8)}",
        )

    # payment intents
    def create_payment_intent(self, params, headers) -> dict:
        amount = _int(params, "amount")
        if not params.get("currency"):
            raise invalid("Missing required param: currency.", param="currency")
        intent_id = self._new_id("pi")
        intent = self._fixture(
            "payment_intent",
            id=intent_id,
            amount=amount,
            amount_received=0,
            currency=params["currency"].lower(),
            client_secret=f"{intent_id}_secret_{secrets.token_hex(8)}",
            status="requires_payment_method",
            metadata=params.get("metadata") or {},
            transfer_group=params.get("transfer_group"),
            description=params.get("description"),
            automatic_payment_methods={
                "enabled": _bool((params.get("automatic_payment_methods") or {}).get("enabled"))
            },
            created=self.timestamp(),
            canceled_at=None,
            last_payment_error=None,
            next_action=None,
            processing=None,
            latest_charge=None,
            transfer_data=None,
        )
        self._emit("payment_intent.created", intent)
        return self._store("payment_intent", intent)

    def retrieve_payment_intent(self, params, headers, intent_id) -> dict:
        return copy.deepcopy(self._find("payment_intent", intent_id))

    def list_payment_intents(self, params, headers) -> dict:
        return self._list("payment_intent", params, "/v1/payment_intents")

    def search_payment_intents(self, params, headers) -> dict:
        wanted = _parse_metadata_query(params.get("query", ""))
        items = [
            copy.deepcopy(o)
            for o in self.state.objects.get("payment_intent", {}).values()
            if all(o.get("metadata", {}).get(k) == v for k, v in wanted.items())
        ]
        items.sort(key=lambda o: o.get("created") or 0, reverse=True)
        return {
            "object": "search_result",
            "data": items,
            "has_more": False,
            "next_page": None,
            "url": "/v1/payment_intents/search",
        }

    def confirm_payment_intent(self, params, headers, intent_id) -> dict:
        """pm_card_visa succeeds, pm_card_chargeDeclined is declined (Stripe's test cards)."""
        intent = self._find("payment_intent", intent_id)
        method = params.get("payment_method") or "pm_card_visa"
        if method == "pm_card_chargeDeclined":
            intent.update(
                status="requires_payment_method",
                last_payment_error={"type": "card_error", "code": "card_declined"},
            )
            self._emit("payment_intent.payment_failed", intent)
            raise _injected_error(CARD_DECLINED)
        return self.succeed_payment_intent(intent_id)

    def succeed_payment_intent(self, intent_id: str) -> dict:
        """The intent is paid: a charge, the balance credited, payment_intent.succeeded."""
        with self.lock:
            intent = self._find("payment_intent", intent_id)
            charge = self._fixture(
                "charge",
                id=self._new_id("ch"),
                amount=intent["amount"],
                amount_captured=intent["amount"],
                amount_refunded=0,
                currency=intent["currency"],
                payment_intent=intent_id,
                metadata=copy.deepcopy(intent["metadata"]),
                transfer_group=intent.get("transfer_group"),
                captured=True,
                paid=True,
                refunded=False,
                status="succeeded",
                created=self.timestamp(),
                transfer_data=None,
            )
            self._store("charge", charge)
            intent.update(
                status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"]
            )
            self._emit("payment_intent.succeeded", intent)
            return copy.deepcopy(intent)

    # refunds
    def create_refund(self, params, headers) -> dict:
        intent_id = params.get("payment_intent") or ""
        intent = self._find("payment_intent", intent_id, "payment_intent")
        if intent["status"] != "succeeded":
            raise failure(
                400, "This PaymentIntent has no charge to refund.", code="charge_not_refundable"
            )
        refunded = sum(
            r["amount"]
            for r in self.state.objects.get("refund", {}).values()
            if r["payment_intent"] == intent_id
        )
        left = intent["amount_received"] - refunded
        amount = _int(params, "amount", required=False)
        amount = left if amount is None else amount
        if left <= 0:
            raise failure(
                400,
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
            )
        if amount <= 0 or amount > left:
            raise failure(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                code="amount_too_large",
            )
        refund = self._fixture(
            "refund",
            id=self._new_id("re"),
            amount=amount,
            currency=intent["currency"],
            charge=intent["latest_charge"],
            payment_intent=intent_id,
            metadata=params.get("metadata") or {},
            reason=params.get("reason"),
            status="succeeded",
            created=self.timestamp(),
        )
        self._store("refund", refund)
        charge = self.state.objects["charge"][intent["latest_charge"]]
        charge.update(
            amount_refunded=refunded + amount, refunded=refunded + amount >= charge["amount"]
        )
        self.balance[intent["currency"]] = self.balance.get(intent["currency"], 0) - amount
        self._emit("refund.created", refund)
        self._emit("charge.refunded", charge)
        return copy.deepcopy(refund)

    def list_refunds(self, params, headers) -> dict:
        wanted = params.get("payment_intent")
        return self._list(
            "refund", params, "/v1/refunds", lambda r: not wanted or r["payment_intent"] == wanted
        )

    # transfers
    def create_transfer(self, params, headers) -> dict:
        amount = _int(params, "amount")
        currency = (params.get("currency") or "").lower()
        if not currency:
            raise invalid("Missing required param: currency.", param="currency")
        destination = params.get("destination") or ""
        if destination not in self.state.objects.get("account", {}):
            raise failure(
                400,
                f"No such destination: '{destination}'",
                code="resource_missing",
                param="destination",
            )
        if destination in self.state.closed_accounts:
            raise _injected_error(ACCOUNT_CLOSED)
        if self.balance.get(currency, 0) < amount:
            raise _injected_error(INSUFFICIENT_BALANCE)
        self.balance[currency] -= amount
        transfer_id = self._new_id("tr")
        transfer = self._fixture(
            "transfer",
            id=transfer_id,
            amount=amount,
            amount_reversed=0,
            currency=currency,
            destination=destination,
            transfer_group=params.get("transfer_group"),
            metadata=params.get("metadata") or {},
            created=self.timestamp(),
            reversed=False,
            reversals={
                "data": [],
                "has_more": False,
                "object": "list",
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },
        )
        self._emit("transfer.created", transfer)
        return self._store("transfer", transfer)

    def retrieve_transfer(self, params, headers, transfer_id) -> dict:
        return copy.deepcopy(self._find("transfer", transfer_id))

    def list_transfers(self, params, headers) -> dict:
        group = params.get("transfer_group")
        return self._list(
            "transfer", params, "/v1/transfers", lambda t: not group or t["transfer_group"] == group
        )

    def create_transfer_reversal(self, params, headers, transfer_id) -> dict:
        transfer = self._find("transfer", transfer_id)
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = _int(params, "amount", required=False)
        amount = left if amount is None else amount
        if amount <= 0 or amount > left:
            raise failure(
                400,
                f"Reversal amount ({amount}) is more than is left of the transfer ({left}).",
                code="amount_too_large",
                param="amount",
            )
        reversal = self._fixture(
            "transfer_reversal",
            id=self._new_id("trr"),
            amount=amount,
            currency=transfer["currency"],
            transfer=transfer_id,
            metadata=params.get("metadata") or {},
            created=self.timestamp(),
        )
        self._store("transfer_reversal", reversal)
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] >= transfer["amount"]
        self.balance[transfer["currency"]] = self.balance.get(transfer["currency"], 0) + amount
        self._emit("transfer.reversed", transfer)
        return copy.deepcopy(reversal)

    def list_transfer_reversals(self, params, headers, transfer_id) -> dict:
        self._find("transfer", transfer_id)
        return self._list(
            "transfer_reversal",
            params,
            f"/v1/transfers/{transfer_id}/reversals",
            lambda r: r["transfer"] == transfer_id,
        )

    # events and balance
    def list_events(self, params, headers) -> dict:
        account = headers.get("stripe-account")
        types = set(params.get("types") or ([params["type"]] if params.get("type") else []))
        items = [
            e
            for e in self.state.events
            if e.get("account") == account
            and (not types or e["type"] in types)
            and _created_matches(e["created"], params.get("created"))
        ]
        items.sort(key=lambda e: e["created"], reverse=True)
        return _page(copy.deepcopy(items), params, "/v1/events")

    def retrieve_event(self, params, headers, event_id) -> dict:
        for event in self.state.events:
            if event["id"] == event_id:
                return copy.deepcopy(event)
        raise missing("event", event_id)

    def retrieve_balance(self, params, headers) -> dict:
        return self._fixture(
            "balance",
            available=[
                {"amount": amount, "currency": currency, "source_types": {"card": amount}}
                for currency, amount in sorted(self.balance.items())
            ],
            pending=[
                {"amount": 0, "currency": currency, "source_types": {"card": 0}}
                for currency in sorted(self.balance)
            ],
        )


_ID = r"([A-Za-z0-9_]+)"
_ROUTES = [
    ("POST", r"/v1/accounts", StripeDouble.create_account),
    ("GET", r"/v1/accounts", StripeDouble.list_accounts),
    ("GET", rf"/v1/accounts/{_ID}", StripeDouble.retrieve_account),
    ("POST", r"/v1/account_links", StripeDouble.create_account_link),
    ("POST", r"/v1/payment_intents", StripeDouble.create_payment_intent),
    ("GET", r"/v1/payment_intents", StripeDouble.list_payment_intents),
    ("GET", r"/v1/payment_intents/search", StripeDouble.search_payment_intents),
    ("GET", rf"/v1/payment_intents/{_ID}", StripeDouble.retrieve_payment_intent),
    ("POST", rf"/v1/payment_intents/{_ID}/confirm", StripeDouble.confirm_payment_intent),
    ("POST", r"/v1/refunds", StripeDouble.create_refund),
    ("GET", r"/v1/refunds", StripeDouble.list_refunds),
    ("POST", r"/v1/transfers", StripeDouble.create_transfer),
    ("GET", r"/v1/transfers", StripeDouble.list_transfers),
    ("GET", rf"/v1/transfers/{_ID}", StripeDouble.retrieve_transfer),
    ("POST", rf"/v1/transfers/{_ID}/reversals", StripeDouble.create_transfer_reversal),
    ("GET", rf"/v1/transfers/{_ID}/reversals", StripeDouble.list_transfer_reversals),
    ("GET", r"/v1/events", StripeDouble.list_events),
    ("GET", rf"/v1/events/{_ID}", StripeDouble.retrieve_event),
    ("GET", r"/v1/balance", StripeDouble.retrieve_balance),
]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def failure(status: int, message: str, *, code: str, param: str | None = None) -> ApiError:
    """An error raised while the request executed: saved for its idempotency key."""
    return ApiError(
        status, _error("invalid_request_error", message, code=code, param=param)["error"]
    )


def _error(
    error_type: str, message: str, *, code: str | None = None, param: str | None = None
) -> dict:
    error = {"type": error_type, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return {"error": error}


def _injected_error(failure: str) -> ApiError:
    if failure == CARD_DECLINED:
        return ApiError(
            402,
            {
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
            },
        )
    if failure == INSUFFICIENT_BALANCE:
        return ApiError(
            400,
            _error(
                "invalid_request_error",
                "You have insufficient available funds in your Stripe account.",
                code="balance_insufficient",
            )["error"],
        )
    if failure == ACCOUNT_CLOSED:
        return ApiError(
            400,
            _error(
                "invalid_request_error",
                "The destination account has been closed.",
                code="account_closed",
                param="destination",
            )["error"],
        )
    if failure == RATE_LIMIT:
        return ApiError(
            429,
            _error("invalid_request_error", "Too many requests.", code="rate_limit")["error"],
            saved=False,
        )
    return ApiError(500, _error("api_error", "An unknown error occurred.")["error"], saved=False)


def _created_matches(created: int | None, condition) -> bool:
    if condition in (None, ""):
        return True
    if not isinstance(condition, dict):
        return created == int(condition)
    created = created or 0
    checks = {
        "gte": lambda bound: created >= bound,
        "gt": lambda bound: created > bound,
        "lte": lambda bound: created <= bound,
        "lt": lambda bound: created < bound,
    }
    return all(checks[op](int(bound)) for op, bound in condition.items() if op in checks)


def _page(items: list[dict], params: dict, url: str) -> dict:
    limit = min(int(params.get("limit") or 10), 100)
    after = params.get("starting_after")
    if after:
        ids = [item["id"] for item in items]
        items = items[ids.index(after) + 1 :] if after in ids else []
    return {
        "object": "list",
        "data": [copy.deepcopy(item) for item in items[:limit]],
        "has_more": len(items) > limit,
        "url": url,
    }


_QUERY_CLAUSE = re.compile(r"metadata\['((?:[^'\\]|\\.)*)'\]:'((?:[^'\\]|\\.)*)'")


def _parse_metadata_query(query: str) -> dict[str, str]:
    """Stripe's search language, the part we use: metadata['k']:'v' AND ..."""
    wanted = {}
    for clause in (c.strip() for c in query.split(" AND ")):
        match = _QUERY_CLAUSE.fullmatch(clause)
        if not match:
            raise invalid(
                f"Unsupported search query: {query}", param="query", code="parameter_invalid"
            )
        key, value = (re.sub(r"\\(.)", r"\1", part) for part in match.groups())
        wanted[key] = value
    return wanted


# --- serving -------------------------------------------------------------------------------------


class _DroppingServerHandler(ServerHandler):
    def handle_error(self):
        if isinstance(sys.exc_info()[1], DropConnection):
            self.request_handler.close_connection = True
            return  # write nothing: the client sees the connection closed without an answer
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass

    def handle(self):
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536 or not self.parse_request():
            return
        handler = _DroppingServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self
        handler.run(self.server.get_app())


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class RunningDouble:
    """The double served on 127.0.0.1 on a free port, in a daemon thread."""

    def __init__(self, double: StripeDouble):
        self.double = double
        self.server = _Server(("127.0.0.1", 0), _RequestHandler)
        self.server.set_app(double)
        double.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StripeDouble:
        self.thread.start()
        return self.double

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(double: StripeDouble | None = None) -> RunningDouble:
    return RunningDouble(double or StripeDouble())


if __name__ == "__main__":  # pragma: no cover - run by hand: python -m tests.stripe_double.server
    with serve() as running:
        print(f"Stripe double at {running.url}")
        while True:
            time.sleep(3600)
