"""Stripe's events: stored first, acknowledged at once, processed by a Celery task.

Intake verifies the signature, stores the event under its unique Stripe id and queues its
processing after commit; a broker that is down costs nothing but a log line, since the
sweeper (``webhook_events_requeue``) queues events left ``received`` again. Processing
claims the row under a lock, so a redelivered or re-queued event is applied once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from payments import handlers
from payments.errors import InvalidEvent, InvalidSignature
from payments.gateway import TransientGatewayError, get_gateway
from payments.gateway import webhooks as signatures
from payments.gateway.types import from_timestamp
from payments.models import ConnectedAccount, WebhookEvent, WebhookSource, WebhookStatus

logger = logging.getLogger(__name__)
REQUEUE_BATCH = 500


@dataclass(frozen=True)
class Received:
    event: WebhookEvent
    created: bool


def webhook_receive(
    *, payload: bytes, signature: str | None, source: str = WebhookSource.WEBHOOK
) -> Received:
    """A webhook delivery: verified with STRIPE_WEBHOOK_SECRET, then stored and queued.

    Missing, wrong or stale signatures and bodies that are not events are refused and
    nothing is stored. The same event again is recognised by its id.
    """
    try:
        data = signatures.verify(payload, signature)
    except signatures.SignatureInvalid as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        raise InvalidSignature() from exc
    except signatures.PayloadInvalid as exc:
        raise InvalidEvent() from exc
    return webhook_event_store(data=data, source=source)


def _text(data: dict, name: str, limit: int) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidEvent(fields={name: [InvalidEvent.message]})
    return value


def webhook_event_store(*, data: dict, source: str) -> Received:
    """Store an event once (its Stripe id is unique) and queue it while it is unprocessed."""
    event_id = _text(data, "id", 255)
    event_type = _text(data, "type", 100)
    if data.get("object") not in (None, "event"):
        raise InvalidEvent()
    account = data.get("account") or ""
    if not isinstance(account, str) or len(account) > 255:
        raise InvalidEvent(fields={"account": [InvalidEvent.message]})
    created_at = data.get("created")
    with transaction.atomic():
        event, created = WebhookEvent.objects.get_or_create(
            stripe_event_id=event_id,
            defaults={
                "type": event_type,
                "livemode": bool(data.get("livemode")),
                "account": account,
                "stripe_created_at": (
                    from_timestamp(created_at) if isinstance(created_at, int) else None
                ),
                "payload": data,
                "source": source,
            },
        )
        if event.status == WebhookStatus.RECEIVED:
            pk = event.pk
            transaction.on_commit(lambda: enqueue(pk))
    return Received(event=event, created=created)


def enqueue(event_pk: int) -> bool:
    """Queue the event's processing. A broker that is down (or, run eagerly, a processing
    error) is logged, not raised: the event is stored and the sweeper queues it again."""
    from payments.tasks import process_webhook_event

    try:
        process_webhook_event.delay(event_pk)
    except Exception:
        logger.exception("Webhook event %s could not be queued; the sweeper will retry", event_pk)
        return False
    return True


def webhook_event_process(*, event_pk: int, final_attempt: bool = True) -> str:
    """Apply one stored event, once: the row is locked and only a ``received`` one is handled.

    A transient gateway error is recorded and raised again (the task retries it with
    backoff; on the final attempt the event is marked failed). Any other error marks it
    failed at once, with the error, for staff to look at and re-process.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.select_for_update().filter(pk=event_pk).first()
            if event is None:
                return "missing"
            if event.status != WebhookStatus.RECEIVED:
                return event.status
            status, note = handlers.dispatch(event)
            event.status = status
            event.note = note[:255]
            event.last_error = ""
            event.attempts += 1
            event.last_attempt_at = now
            event.processed_at = now
            event.save(
                update_fields=[
                    "status",
                    "note",
                    "last_error",
                    "attempts",
                    "last_attempt_at",
                    "processed_at",
                ]
            )
            return status
    except TransientGatewayError as exc:
        _record_failure(event_pk, exc, failed=final_attempt)
        raise
    except Exception as exc:
        logger.exception("Webhook event %s failed", event_pk)
        _record_failure(event_pk, exc, failed=True)
        return WebhookStatus.FAILED


def _record_failure(event_pk: int, exc: Exception, *, failed: bool) -> None:
    WebhookEvent.objects.filter(pk=event_pk, status=WebhookStatus.RECEIVED).update(
        attempts=F("attempts") + 1,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        last_attempt_at=timezone.now(),
        status=WebhookStatus.FAILED if failed else WebhookStatus.RECEIVED,
    )


def webhook_event_reprocess(*, event_pk: int) -> WebhookEvent:
    """Staff's "process again": back to ``received`` and queued (handlers are idempotent)."""
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
        event.status = WebhookStatus.RECEIVED
        event.processed_at = None
        event.note = ""
        event.save(update_fields=["status", "processed_at", "note"])
        transaction.on_commit(lambda: enqueue(event_pk))
    event.refresh_from_db()
    return event


def webhook_events_requeue() -> int:
    """Queue again events left ``received`` since before WEBHOOK_REQUEUE_AFTER (the broker
    was down at intake, or a worker died). Returns how many were queued."""
    cutoff = timezone.now() - settings.WEBHOOK_REQUEUE_AFTER
    stale = list(
        WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED)
        .filter(
            Q(last_attempt_at__lt=cutoff) | Q(last_attempt_at__isnull=True, received_at__lt=cutoff)
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    queued = 0
    for pk in stale:
        if not enqueue(pk):
            break  # the broker is still down: the next sweep tries again
        queued += 1
    return queued


def webhook_events_reconcile(*, days: int | None = None) -> int:
    """Ask Stripe for the last days' events of the types we handle, on the platform and on
    each connected account, and store (and process) any we never received."""
    days = settings.WEBHOOK_RECONCILE_DAYS if days is None else days
    since = timezone.now() - timedelta(days=days)
    gateway = get_gateway()
    types = handlers.handled_types()
    accounts = ConnectedAccount.objects.exclude(stripe_account_id=None).filter(
        is_demo=gateway.is_demo, livemode=gateway.livemode
    )
    scopes = [None, *accounts.values_list("stripe_account_id", flat=True)]
    stored = 0
    for scope in scopes:
        for found in gateway.list_events(created_after=since, types=types, stripe_account=scope):
            if WebhookEvent.objects.filter(stripe_event_id=found.id).exists():
                continue
            if webhook_event_store(data=found.payload, source=WebhookSource.RECONCILE).created:
                stored += 1
                logger.warning("Stripe event %s (%s) was missed; stored", found.id, found.type)
    return stored
