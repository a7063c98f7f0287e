"""One payout run at a time, in the database: a session advisory lock on PostgreSQL (the
server drops it when the process dies, so a run left ``running`` is known to be dead) and a
partial unique index on running runs (SQLite too, where a silent run is taken for dead after
PAYOUT_RUN_STALE_AFTER). A second run is refused at once, naming the one in progress."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from payments.payouts_errors import PayoutRunInProgress
from payments.payouts_models import PayoutRun, PayoutRunStatus

# pg_try_advisory_lock's key for "a payout run is in progress" (any 64-bit number of ours).
ADVISORY_LOCK_KEY = 0x7472_6169_6E6F_7031


# --- the lock ------------------------------------------------------------------------------


def running_run() -> PayoutRun | None:
    return PayoutRun.objects.filter(status=PayoutRunStatus.RUNNING).order_by("started_at").first()


def wait_for_running_run(seconds: float = 2.0) -> PayoutRun | None:
    """The run holding the lock, once its row is committed (it takes the lock first)."""
    deadline = time.monotonic() + seconds
    while True:
        run = running_run()
        if run is not None or time.monotonic() >= deadline:
            return run
        time.sleep(0.05)


@contextmanager
def run_lock() -> Iterator[bool]:
    """Held for a whole run. On PostgreSQL a session advisory lock: a second run is refused
    at once, and the server drops the lock when the process dies. Yields whether it proves
    that no other run is alive (so a ``running`` row left behind is a crashed run's)."""
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        acquired = cursor.fetchone()[0]
    if not acquired:
        raise PayoutRunInProgress(run=wait_for_running_run())
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def run_start(
    *,
    period: str,
    cutoff: datetime,
    trigger: str,
    started_by,
    trainer_id: int | None,
    retry_failed: bool,
    exclusive: bool,
    now: datetime,
) -> PayoutRun:
    """The run's row, which the partial unique index lets exist only once as ``running``."""
    with transaction.atomic():
        left_behind = PayoutRun.objects.filter(status=PayoutRunStatus.RUNNING)
        if not exclusive:
            left_behind = left_behind.filter(heartbeat_at__lt=now - settings.PAYOUT_RUN_STALE_AFTER)
        left_behind.update(
            status=PayoutRunStatus.INTERRUPTED,
            finished_at=now,
            error="The process running it stopped before it finished.",
        )
        try:
            with transaction.atomic():
                return PayoutRun.objects.create(
                    period=period,
                    cutoff=cutoff,
                    trigger=trigger,
                    started_by=started_by,
                    only_trainer_id=trainer_id,
                    retry_failed=retry_failed,
                    started_at=now,
                    heartbeat_at=now,
                )
        except IntegrityError:
            raise PayoutRunInProgress(run=running_run()) from None
