"""Webhook intake (verify, store, acknowledge) and processing (claim once, dispatch, retry)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from payments import handlers, services, tasks
from payments.gateway import GatewayUnavailable
from payments.models import ConnectedAccount, WebhookEvent, WebhookSource, WebhookStatus
from tests.factories import ConnectedAccountFactory
from tests.payments.helpers import account_object, body_of, deliver, signature, stripe_event

pytestmark = pytest.mark.django_db


def test_a_signed_event_is_stored_acknowledged_and_processed(
    client, recorded, django_capture_on_commit_callbacks
):
    event = stripe_event("test.recorded", {"id": "obj_1"})

    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, event)

    assert response.status_code == 200
    assert response.json() == {"received": True, "event_id": event["id"], "duplicate": False}
    stored = WebhookEvent.objects.get()
    assert (stored.stripe_event_id, stored.type, stored.livemode) == (
        event["id"],
        "test.recorded",
        False,
    )
    assert stored.payload == event
    assert stored.source == WebhookSource.WEBHOOK
    assert (stored.status, stored.attempts) == (WebhookStatus.PROCESSED, 1)
    assert stored.processed_at is not None
    assert recorded == [stored.pk]


def test_the_same_event_again_is_acknowledged_without_a_second_effect(
    client, recorded, django_capture_on_commit_callbacks
):
    event = stripe_event("test.recorded")

    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
        again = deliver(client, event)

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert len(recorded) == 1


@pytest.mark.parametrize(
    ("case", "headers"),
    [
        ("missing", {}),
        ("malformed", {"HTTP_STRIPE_SIGNATURE": "garbage"}),
        ("wrong secret", {"HTTP_STRIPE_SIGNATURE": None}),
    ],
)
def test_a_bad_or_missing_signature_is_refused_and_nothing_stored(client, case, headers):
    body = body_of(stripe_event())
    if headers.get("HTTP_STRIPE_SIGNATURE", "") is None:
        headers = {"HTTP_STRIPE_SIGNATURE": signature(body, secret="whsec_someone_else")}

    response = client.post(
        "/api/stripe/webhook", data=body, content_type="application/json", **headers
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert WebhookEvent.objects.count() == 0


def test_a_tampered_body_is_refused(client):
    event = stripe_event("account.updated")
    body = body_of(event)
    header = signature(body)
    tampered = body.replace(b'"livemode": false', b'"livemode": true')
    assert tampered != body

    response = client.post(
        "/api/stripe/webhook",
        data=tampered,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert WebhookEvent.objects.count() == 0


def test_a_signature_older_than_five_minutes_is_refused(client):
    stale = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS - 5

    response = deliver(client, stripe_event(), timestamp=stale)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"
    assert WebhookEvent.objects.count() == 0


def test_a_signature_within_five_minutes_is_accepted(client):
    recent = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS + 30

    assert deliver(client, stripe_event(), timestamp=recent).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'{"object": "event", "type": "x"}',
        b'{"id": "evt_1"}',
        b'{"id": "evt_1", "type": "x", "account": {"id": "acct_1"}}',
        b"not json",
    ],
)
def test_a_signed_body_that_is_not_an_event_is_refused(client, body):
    response = client.post(
        "/api/stripe/webhook",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body),
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_EVENT"
    assert WebhookEvent.objects.count() == 0


def test_the_webhook_is_exempt_from_csrf_and_needs_no_login(recorded):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    assert deliver(strict, stripe_event("test.recorded")).status_code == 200


# --- dispatch: what is ignored ------------------------------------------------------------------


def process(event: dict) -> WebhookEvent:
    received = services.webhook_event_store(data=event, source=WebhookSource.WEBHOOK)
    services.webhook_event_process(event_pk=received.event.pk)
    received.event.refresh_from_db()
    return received.event


def test_an_unknown_type_is_ignored_with_the_reason():
    stored = process(stripe_event("customer.created"))

    assert stored.status == WebhookStatus.IGNORED
    assert stored.note == "No handler for customer.created."


def test_an_event_of_the_other_mode_is_ignored_and_changes_nothing():
    account = ConnectedAccountFactory()
    live = stripe_event(
        "account.updated",
        account_object(account.stripe_account_id, enabled=True),
        account=account.stripe_account_id,
        livemode=True,
    )

    stored = process(live)

    account.refresh_from_db()
    assert stored.status == WebhookStatus.IGNORED
    assert "live-mode" in stored.note
    assert account.charges_enabled is False


def test_a_test_event_is_ignored_under_a_live_key(settings):
    settings.STRIPE_SECRET_KEY = "sk_live_example"

    stored = process(stripe_event("account.updated", livemode=False))

    assert stored.status == WebhookStatus.IGNORED


def test_a_connect_event_for_an_unknown_account_is_ignored():
    stored = process(
        stripe_event(
            "account.updated",
            account_object("acct_stranger", enabled=True),
            account="acct_stranger",
        )
    )

    assert stored.status == WebhookStatus.IGNORED
    assert stored.note == "Unknown connected account acct_stranger."
    assert ConnectedAccount.objects.count() == 0


# --- account.updated -----------------------------------------------------------------------------


def test_account_updated_keeps_the_connected_account_current():
    account = ConnectedAccountFactory()
    due = ("external_account", "individual.verification.document")
    stored = process(
        stripe_event(
            "account.updated",
            account_object(account.stripe_account_id, enabled=False, due=due),
            account=account.stripe_account_id,
        )
    )
    account.refresh_from_db()
    assert stored.status == WebhookStatus.PROCESSED
    assert account.requirements["currently_due"] == list(due)
    assert account.charges_enabled is False

    process(
        stripe_event(
            "account.updated",
            account_object(account.stripe_account_id, enabled=True),
            account=account.stripe_account_id,
        )
    )

    account.refresh_from_db()
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (
        True,
        True,
        True,
    )
    assert account.requirements["currently_due"] == []


def test_an_older_account_updated_arriving_late_does_not_undo_a_newer_one():
    account = ConnectedAccountFactory()
    now = int(time.time())
    newer = stripe_event(
        "account.updated",
        account_object(account.stripe_account_id, enabled=True),
        account=account.stripe_account_id,
        created=now,
    )
    older = stripe_event(
        "account.updated",
        account_object(account.stripe_account_id, enabled=False),
        account=account.stripe_account_id,
        created=now - 60,
    )

    process(newer)
    late = process(older)

    account.refresh_from_db()
    assert late.status == WebhookStatus.PROCESSED
    assert account.payouts_enabled is True


# --- failures, retries, re-processing ------------------------------------------------------------


def test_a_transient_error_is_retried_with_backoff_then_the_event_fails(monkeypatch, eager_retries):
    def unavailable(event):
        raise GatewayUnavailable("Stripe is down")

    monkeypatch.setitem(handlers.HANDLERS, "test.flaky", unavailable)
    received = services.webhook_event_store(
        data=stripe_event("test.flaky"), source=WebhookSource.WEBHOOK
    )

    result = tasks.process_webhook_event.delay(received.event.pk)

    assert isinstance(result.result, GatewayUnavailable)

    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookStatus.FAILED
    assert stored.attempts == 1 + tasks.MAX_RETRIES
    assert stored.last_error == "GatewayUnavailable: Stripe is down"


def test_an_event_that_fails_once_is_processed_on_the_retry(monkeypatch, eager_retries):
    calls = []

    def flaky(event):
        calls.append(event.pk)
        if len(calls) == 1:
            raise GatewayUnavailable("timeout")

    monkeypatch.setitem(handlers.HANDLERS, "test.flaky", flaky)
    received = services.webhook_event_store(
        data=stripe_event("test.flaky"), source=WebhookSource.WEBHOOK
    )

    tasks.process_webhook_event.delay(received.event.pk)

    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.attempts, stored.last_error) == (WebhookStatus.PROCESSED, 2, "")
    assert len(calls) == 2


def test_a_bug_in_a_handler_fails_the_event_at_once_and_staff_can_process_it_again(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broken(event):
        raise KeyError("amount")

    monkeypatch.setitem(handlers.HANDLERS, "test.broken", broken)
    received = services.webhook_event_store(
        data=stripe_event("test.broken"), source=WebhookSource.WEBHOOK
    )
    assert services.webhook_event_process(event_pk=received.event.pk) == WebhookStatus.FAILED
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.attempts, stored.last_error) == (
        WebhookStatus.FAILED,
        1,
        "KeyError: 'amount'",
    )

    monkeypatch.setitem(handlers.HANDLERS, "test.broken", lambda event: None)
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_event_reprocess(event_pk=stored.pk)

    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (WebhookStatus.PROCESSED, 2)


def test_a_processed_event_is_not_processed_again_by_a_second_task(recorded):
    received = services.webhook_event_store(
        data=stripe_event("test.recorded"), source=WebhookSource.WEBHOOK
    )

    first = services.webhook_event_process(event_pk=received.event.pk)
    second = services.webhook_event_process(event_pk=received.event.pk)

    assert (first, second) == (WebhookStatus.PROCESSED, WebhookStatus.PROCESSED)
    assert len(recorded) == 1
    assert WebhookEvent.objects.get().attempts == 1


# --- broker down, the sweeper, the daily reconcile ------------------------------------------------


def test_with_the_broker_down_the_event_is_stored_and_acknowledged_then_swept(
    client, recorded, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.process_webhook_event, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, stripe_event("test.recorded"))
    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookStatus.RECEIVED
    assert services.webhook_events_requeue() == 0  # too recent to sweep, and the broker is down

    monkeypatch.undo()
    monkeypatch.setitem(handlers.HANDLERS, "test.recorded", lambda e: recorded.append(e.pk))
    WebhookEvent.objects.filter(pk=stored.pk).update(
        received_at=timezone.now() - settings.WEBHOOK_REQUEUE_AFTER - timedelta(seconds=1)
    )
    queued = tasks.requeue_stale_webhook_events.delay().get()

    stored.refresh_from_db()
    assert queued == 1
    assert stored.status == WebhookStatus.PROCESSED
    assert recorded == [stored.pk]


def test_the_sweeper_leaves_recent_and_finished_events_alone(recorded):
    old = timezone.now() - timedelta(hours=1)
    for status in (WebhookStatus.PROCESSED, WebhookStatus.FAILED, WebhookStatus.IGNORED):
        event = services.webhook_event_store(
            data=stripe_event("test.recorded"), source=WebhookSource.WEBHOOK
        ).event
        WebhookEvent.objects.filter(pk=event.pk).update(status=status, received_at=old)
    services.webhook_event_store(data=stripe_event("test.recorded"), source=WebhookSource.WEBHOOK)

    assert services.webhook_events_requeue() == 0
    assert recorded == []


def test_the_daily_reconcile_stores_and_processes_an_event_we_missed(
    stripe_double, django_capture_on_commit_callbacks
):
    account = ConnectedAccountFactory()
    stripe_double.add_event(
        "account.updated",
        account_object(account.stripe_account_id, enabled=True),
        account=account.stripe_account_id,
    )
    already = stripe_double.add_event(
        "account.updated",
        account_object(account.stripe_account_id, enabled=False),
        account=account.stripe_account_id,
        created=int(time.time()) - 600,
    )
    services.webhook_event_store(data=already, source=WebhookSource.WEBHOOK)

    with django_capture_on_commit_callbacks(execute=True):
        stored = tasks.reconcile_webhook_events.delay().get()

    assert stored == 1
    missed = WebhookEvent.objects.get(source=WebhookSource.RECONCILE)
    assert (missed.type, missed.status, missed.account) == (
        "account.updated",
        WebhookStatus.PROCESSED,
        account.stripe_account_id,
    )
    account.refresh_from_db()
    assert account.payouts_enabled is True
    platform, connect = stripe_double.requests_to("GET", "/v1/events")
    three_days_ago = time.time() - 3 * 86400
    assert abs(int(platform.params["created"]["gte"]) - three_days_ago) < 60
    assert platform.params["types"] == handlers.handled_types()
    assert (platform.stripe_account, connect.stripe_account) == (None, account.stripe_account_id)


def test_reconciling_twice_stores_nothing_the_second_time(stripe_double):
    stripe_double.add_event("account.updated", account_object("acct_x", enabled=True))

    assert services.webhook_events_reconcile() == 1
    assert services.webhook_events_reconcile() == 0
    assert WebhookEvent.objects.count() == 1


# --- settings and the schema ---------------------------------------------------------------------


def test_redis_keeps_a_waiting_retry_longer_than_its_longest_countdown():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert visibility > tasks.RETRY_BACKOFF_MAX
    assert (
        settings.WEBHOOK_REQUEUE_AFTER.total_seconds()
    ) > tasks.RETRY_BACKOFF * 2**tasks.MAX_RETRIES
    assert tasks.process_webhook_event.acks_late is True
    assert tasks.process_webhook_event.max_retries == 3


def test_the_beat_schedule_sweeps_and_reconciles():
    entries = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}

    assert entries["payments.tasks.requeue_stale_webhook_events"] == timedelta(minutes=5)
    assert entries["payments.tasks.reconcile_webhook_events"] == timedelta(days=1)


def test_the_schema_declares_the_webhook_and_its_errors(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/stripe/webhook"]["post"]
    assert set(operation["responses"]) == {"200", "400"}
    assert "INVALID_SIGNATURE" in operation["responses"]["400"]["description"]
    assert "INVALID_EVENT" in operation["responses"]["400"]["description"]
    assert operation.get("security", [{}]) == [{}]  # no credentials: the signature is the check
    assert list(operation["requestBody"]["content"]) == ["application/json"]
