"""Idempotency-Key for POST requests that create something (POST /api/bookings).

A client that retries a request (a timeout, a lost answer) sends the same key and gets the
first answer again, status and body, without a second booking. The key is scoped to the
user. The same key with a different request (method, path or body) is refused with 422
IDEMPOTENCY_KEY_REUSED. Refusals (4xx) are stored and replayed like successes; a crash
(5xx) stores nothing, so a retry does the work.

The key row is written in the same transaction as the work. Two concurrent requests with
one key: on PostgreSQL the second one's insert waits on the unique index until the first
commits, then fails, and the second replays the stored answer; on SQLite the first holds
the write lock throughout. Either way the work is done once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.models import User
from traino.errors import error_body
from traino.exceptions import DomainError

from .errors import IdempotencyKeyReused, InvalidIdempotencyKey
from .models import IdempotencyKey

IDEMPOTENCY_KEY_HOURS = 24
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # visible ASCII; the schema declares the same
_KEY = re.compile(KEY_PATTERN)


def fingerprint(*, method: str, path: str, body) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (sorted keys)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode()).hexdigest()


def check_key(key: str) -> str:
    if not _KEY.match(key or ""):
        raise InvalidIdempotencyKey(
            fields={"Idempotency-Key": [str(InvalidIdempotencyKey.message)]}
        )
    return key


def run_once(
    *, user: User, key: str, fingerprint: str, action: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """(status, body, replayed). ``action`` returns (status, body) or raises a DomainError,
    which is stored as its error body. Raises IdempotencyKeyReused for a different request."""
    check_key(key)
    with transaction.atomic():
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user, key=key, fingerprint=fingerprint, response_status=0, response_body={}
                )
        except IntegrityError:
            # The same key committed a moment ago (we waited for it on the unique index).
            return _replay(IdempotencyKey.objects.get(user=user, key=key), fingerprint)
        try:
            with transaction.atomic():
                status, body = action()
        except DomainError as exc:
            status, body = exc.status, error_body(exc.code, exc.message, exc.field_messages())
        row.response_status = status
        row.response_body = json.loads(json.dumps(body, default=str))
        row.save(update_fields=["response_status", "response_body"])
    return status, body, False


def _replay(stored: IdempotencyKey, fingerprint: str) -> tuple[int, dict, bool]:
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return stored.response_status, stored.response_body, True


def idempotency_keys_delete_old(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    cutoff = now - timedelta(hours=IDEMPOTENCY_KEY_HOURS)
    deleted, _per_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
