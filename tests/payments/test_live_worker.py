"""A real Celery worker on Redis processes a webhook end to end: the web process stores the
event and publishes the task, a ``celery -A traino worker`` subprocess on the same PostgreSQL
test database applies it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from payments.models import WebhookEvent, WebhookStatus
from tests.factories import ConnectedAccountFactory
from tests.payments.helpers import account_object, deliver, stripe_event
from traino.celery import app

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


def redis_reachable(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return str(exc)
    return None


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker subprocess must share the test database")
    broker = settings.CELERY_BROKER_URL
    if not broker:
        pytest.skip("needs Redis: set REDIS_URL (or CELERY_BROKER_URL) to run a real worker")
    if problem := redis_reachable(broker):
        pytest.skip(f"needs Redis at {broker}: {problem}")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV": "test",
        "DJANGO_ENV_FILE": os.devnull,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    command = [sys.executable, "-m", "celery", "-A", "traino", "worker", "--pool=solo"]
    command += ["--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    log_path = tmp_path / "celery-worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield log_path
    finally:
        app.conf.task_always_eager = eager
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@pytest.mark.worker
@pytest.mark.postgres
def test_a_real_celery_worker_processes_a_webhook_event(live_worker, client):
    # given a trainer's connected account still missing details
    account = ConnectedAccountFactory()
    event = stripe_event(
        "account.updated",
        account_object(account.stripe_account_id, enabled=True),
        account=account.stripe_account_id,
    )

    # when Stripe delivers account.updated (intake answers at once, the task goes to Redis)
    response = deliver(client, event)
    assert response.status_code == 200
    stored = WebhookEvent.objects.get()

    # then the worker process applies it
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        stored.refresh_from_db()
        if stored.status != WebhookStatus.RECEIVED:
            break
        time.sleep(0.5)
    assert stored.status == WebhookStatus.PROCESSED, live_worker.read_text()[-4000:]
    account.refresh_from_db()
    assert (account.charges_enabled, account.payouts_enabled) == (True, True)
    assert "payments.tasks.process_webhook_event" in live_worker.read_text()
