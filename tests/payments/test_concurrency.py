"""One event delivered, or processed, many times at once has one effect (PostgreSQL, threads)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from payments import handlers, services
from payments.models import WebhookEvent, WebhookSource, WebhookStatus
from tests.payments.helpers import deliver, stripe_event

COPIES = 20


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent transactions and row locks (SQLite serializes)")


@pytest.fixture
def recorded(monkeypatch):
    """A slow handler for "test.recorded": it holds its claim long enough for every other
    thread to arrive, so a missing lock would let several of them in."""
    calls = []

    def handle(event):
        calls.append(event.pk)
        time.sleep(0.3)

    monkeypatch.setitem(handlers.HANDLERS, "test.recorded", handle)
    return calls


def at_once(work, copies=COPIES):
    """Run ``work()`` in ``copies`` threads released together; each closes its connection."""
    barrier = threading.Barrier(copies)

    def run():
        barrier.wait()
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=copies) as pool:
        return [f.result() for f in [pool.submit(run) for _ in range(copies)]]


@pytest.mark.postgres
def test_one_event_delivered_twenty_times_at_once_is_stored_and_processed_once(
    postgresql, transactional_db, recorded
):
    event = stripe_event("test.recorded")

    responses = at_once(lambda: deliver(Client(), event))

    assert [r.status_code for r in responses] == [200] * COPIES
    assert sorted(r.json()["duplicate"] for r in responses) == [False] + [True] * (COPIES - 1)
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.attempts) == (WebhookStatus.PROCESSED, 1)
    assert recorded == [stored.pk]


@pytest.mark.postgres
def test_twenty_workers_processing_one_event_at_once_apply_it_once(
    postgresql, transactional_db, recorded
):
    stored = services.webhook_event_store(
        data=stripe_event("test.recorded"), source=WebhookSource.WEBHOOK
    ).event

    outcomes = at_once(lambda: services.webhook_event_process(event_pk=stored.pk))

    assert outcomes == [WebhookStatus.PROCESSED] * COPIES
    stored.refresh_from_db()
    assert stored.attempts == 1
    assert recorded == [stored.pk]
