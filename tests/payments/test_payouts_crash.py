"""A payout run killed between Stripe's transfer and the database update, then run again;
and two runs at once. PostgreSQL: the killed process and the threads need real connections
to one database (SQLite's test database lives in one process's memory)."""

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection, connections

from payments.payouts_errors import PayoutRunInProgress
from payments.payouts_models import Payout, PayoutRun, PayoutRunStatus, PayoutState
from payments.services import payouts as payouts_service
from payments.services.payouts import run_monthly_payouts
from tests.payments.payout_fixtures import at, session_paid, trainer
from tests.stripe_double.fixtures import TEST_SECRET_KEY

PERIOD = "2026-10"

KILLED_RUN = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from payments.services import payouts

    def die(paid):
        # The transfer exists at Stripe; our database never hears of it.
        os.kill(os.getpid(), signal.SIGKILL)

    payouts._mark_paid = die
    payouts.run_monthly_payouts(period=sys.argv[1])
    """
)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_and_kill(double) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        "DJANGO_ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "traino.settings",
        "DATABASE_URL": _database_url(),
        "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_API_BASE": double.url,
    }
    return subprocess.run(
        [sys.executable, "-c", KILLED_RUN, PERIOD],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rerun_when_lock_released(**kwargs):
    """The server drops a killed client's advisory lock once it notices the closed socket."""
    for _ in range(50):
        try:
            return run_monthly_payouts(period=PERIOD, **kwargs)
        except PayoutRunInProgress:
            time.sleep(0.1)
    raise AssertionError("the killed run's lock was never released")


@pytest.fixture
def killed_run(transactional_db, stripe_double):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the killed process shares the test database")
    anna = trainer(double=stripe_double)
    bo = trainer(double=stripe_double)
    session_paid(anna, end=at(2026, 10, 5))
    session_paid(bo, end=at(2026, 10, 6), gross=30000)

    finished = run_and_kill(stripe_double)

    assert finished.returncode == -signal.SIGKILL, finished.stderr
    # Killed after the batch's transfers: Stripe has them, our rows are still pending.
    assert len(stripe_double.objects("transfer")) == 2
    payouts = list(Payout.objects.order_by("pk"))
    assert [p.status for p in payouts] == [PayoutState.PENDING] * 2
    assert PayoutRun.objects.get().status == PayoutRunStatus.RUNNING
    return payouts[0]


@pytest.mark.postgres
def test_killed_between_transfer_and_update_then_rerun_pays_nobody_twice(killed_run, stripe_double):
    result = rerun_when_lock_released()

    assert PayoutRun.objects.get(pk=killed_run.run_id).status == PayoutRunStatus.INTERRUPTED
    assert result.counts["paid"] == 2
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutState.PAID}
    transfers = stripe_double.objects("transfer")
    assert len(transfers) == 2
    assert sorted(t["transfer_group"] for t in transfers) == sorted(
        f"payout-{pk}" for pk in Payout.objects.values_list("pk", flat=True)
    )
    sent = stripe_double.requests_to("POST", "/v1/transfers")
    keys = [r.idempotency_key for r in sent]
    # Each payout's key was sent again and Stripe replayed the transfer it had made.
    assert sorted(keys) == sorted(
        [f"payout-{pk}" for pk in Payout.objects.values_list("pk", flat=True)] * 2
    )
    killed_run.refresh_from_db()
    assert killed_run.stripe_transfer_id in {t["id"] for t in transfers}


@pytest.mark.postgres
def test_killed_then_rerun_after_the_key_expired_finds_the_transfer(killed_run, stripe_double):
    stripe_double.advance(hours=25)  # Stripe forgot the keys, and our clock moved as far
    Payout.objects.update(attempted_at=killed_run.attempted_at - datetime.timedelta(hours=25))

    rerun_when_lock_released()

    killed_run.refresh_from_db()
    assert killed_run.status == PayoutState.PAID
    keys = [r.idempotency_key for r in stripe_double.requests_to("POST", "/v1/transfers")]
    assert keys.count(f"payout-{killed_run.pk}") == 1  # found by transfer_group, not re-sent
    assert len(stripe_double.objects("transfer")) == 2
    groups = [r.params["transfer_group"] for r in stripe_double.requests_to("GET", "/v1/transfers")]
    assert f"payout-{killed_run.pk}" in groups


@pytest.mark.postgres
def test_two_runs_at_once_one_works_the_other_exits_naming_it(
    transactional_db, stripe_double, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections")
    for day in range(1, 4):
        session_paid(trainer(double=stripe_double), end=at(2026, 10, day))
    release = threading.Event()
    original_call = payouts_service._transfer_call

    def slow_call(call, gateway):
        release.wait(10)
        return original_call(call, gateway)

    monkeypatch.setattr(payouts_service, "_transfer_call", slow_call)
    barrier = threading.Barrier(2)

    def attempt():
        barrier.wait()
        try:
            return run_monthly_payouts(period=PERIOD)
        except PayoutRunInProgress as refused:
            release.set()
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = [f.result(timeout=60) for f in [pool.submit(attempt), pool.submit(attempt)]]

    refused = [o for o in outcomes if isinstance(o, PayoutRunInProgress)]
    finished = [o for o in outcomes if not isinstance(o, PayoutRunInProgress)]
    assert len(refused) == 1 and len(finished) == 1
    winner = finished[0].run
    assert refused[0].code == "PAYOUT_RUN_IN_PROGRESS"
    assert refused[0].run.pk == winner.pk
    assert f"#{winner.pk}" in str(refused[0].message)
    assert PayoutRun.objects.count() == 1
    assert finished[0].counts["paid"] == 3
    assert len(stripe_double.objects("transfer")) == 3
