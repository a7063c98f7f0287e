"""Stripe-shaped events and real signatures for the webhook tests.

The signature is computed here by hand (HMAC-SHA256 over "<t>.<body>"), independently of the
SDK that verifies it, so a test proves the scheme rather than the SDK agreeing with itself.
"""

import hashlib
import hmac
import itertools
import json
import time

from django.conf import settings

_ids = itertools.count(1)


def stripe_event(
    event_type="account.updated",
    data_object=None,
    *,
    account=None,
    livemode=False,
    created=None,
    event_id=None,
) -> dict:
    event = {
        "id": event_id or f"evt_test_{next(_ids):06d}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": created if created is not None else int(time.time()),
        "data": {"object": data_object if data_object is not None else {"id": "obj_1"}},
        "livemode": livemode,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        event["account"] = account
    return event


def account_object(account_id: str, *, enabled: bool, due=("external_account",)) -> dict:
    return {
        "id": account_id,
        "object": "account",
        "charges_enabled": enabled,
        "payouts_enabled": enabled,
        "details_submitted": enabled,
        "requirements": {
            "currently_due": [] if enabled else list(due),
            "eventually_due": [] if enabled else list(due),
            "past_due": [],
            "pending_verification": [],
            "disabled_reason": None if enabled else "requirements.past_due",
            "current_deadline": None,
        },
        "metadata": {},
    }


def signature(body: bytes, *, secret: str | None = None, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = settings.STRIPE_WEBHOOK_SECRET if secret is None else secret
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def body_of(event: dict) -> bytes:
    return json.dumps(event).encode()


def deliver(client, event: dict, **signing):
    """POST the event as Stripe does: raw JSON with its Stripe-Signature header."""
    body = body_of(event)
    return client.post(
        "/api/stripe/webhook",
        data=body,
        content_type="application/json; charset=utf-8",
        HTTP_STRIPE_SIGNATURE=signature(body, **signing),
    )


def held_booking(trainee=None, *, days_ahead: int = 10, **schedule_fields):
    """A pending booking, held from now, of a weekly session ``days_ahead`` days away."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from bookings import booking_services, recurrence
    from bookings.recurrence import WEEKDAYS
    from tests.factories import ScheduleFactory, UserFactory

    first = timezone.localdate(timezone=ZoneInfo("Europe/Stockholm")) + dt.timedelta(
        days=days_ahead
    )
    schedule_fields.setdefault("rrule", f"FREQ=WEEKLY;BYDAY={WEEKDAYS[first.weekday()]}")
    schedule = ScheduleFactory(starts_on=first, **schedule_fields)
    return booking_services.book_slot(
        trainee=trainee or UserFactory(),
        schedule_id=schedule.pk,
        start=recurrence.first_start(schedule),
    )


def payment_path(booking) -> str:
    return f"/api/bookings/{booking.pk}/payment"
