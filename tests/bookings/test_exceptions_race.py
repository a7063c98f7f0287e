"""Restoring a cancelled session while another schedule is saved for that time: the trainer's
row lock (``services._lock_trainer``) lets exactly one through, so the trainer's time is
never offered twice. The first to pass its overlap check holds its transaction open until
the other connection is seen waiting for the lock (pg_stat_activity)."""

import threading
import time as clock
from datetime import UTC, date, datetime, time

import pytest
from django.db import connection

from bookings import services
from bookings.errors import ScheduleOverlap
from bookings.models import Schedule
from tests.bookings.test_schedule_lock import WAIT_FOR_BLOCKED, blocked_queries
from tests.factories import OfferingFactory, ScheduleFactory

pytestmark = pytest.mark.postgres(reason="SQLite serializes whole transactions, not rows")

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_restore_and_an_overlapping_new_schedule_racing_let_exactly_one_through(
    transactional_db, monkeypatch
):
    # given Mondays 07:00 with 11 Jan cancelled, and a new class wanted on 11 Jan at 07:30
    schedule = ScheduleFactory(offering__title="Yoga", exdates=["2027-01-11T07:00:00"])
    spinning = OfferingFactory(trainer=schedule.trainer, title="Spinning")
    start = threading.Barrier(2)
    first_checked = threading.Event()
    release_first = threading.Event()
    arrivals = []

    def holding(real):
        def check(*args, **kwargs):
            real(*args, **kwargs)
            arrivals.append(1)
            if len(arrivals) == 1:  # the first through keeps its transaction (and lock)
                first_checked.set()
                release_first.wait(WAIT_FOR_BLOCKED)

        return check

    monkeypatch.setattr(
        services, "_raise_if_session_clashes", holding(services._raise_if_session_clashes)
    )
    monkeypatch.setattr(services, "_check_overlap", holding(services._check_overlap))
    outcomes: dict[str, str] = {}

    def run(name, action):
        try:
            start.wait(WAIT_FOR_BLOCKED)
            action()
            outcomes[name] = "saved"
        except ScheduleOverlap as exc:
            outcomes[name] = exc.code
        except Exception as exc:  # reported by the assertion below, not lost in the thread
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    def restore():
        services.schedule_restore_occurrence(
            schedule=Schedule.objects.get(pk=schedule.pk),
            start_local=datetime(2027, 1, 11, 7, 0),
            now=NOW,
        )

    def create():
        services.schedule_create(
            trainer=spinning.trainer,
            offering=spinning,
            starts_on=date(2027, 1, 11),
            start_time=time(7, 30),
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=1",
            now=NOW,
        )

    threads = [
        threading.Thread(target=run, args=("restore", restore)),
        threading.Thread(target=run, args=("create", create)),
    ]

    # when both run at once
    for thread in threads:
        thread.start()
    assert first_checked.wait(WAIT_FOR_BLOCKED)
    deadline = clock.monotonic() + WAIT_FOR_BLOCKED
    while not blocked_queries() and clock.monotonic() < deadline:
        clock.sleep(0.05)
    waited = bool(blocked_queries())
    release_first.set()
    for thread in threads:
        thread.join(WAIT_FOR_BLOCKED)

    # then the second waited for the lock, and exactly one of them went through
    assert waited
    assert sorted(outcomes.values()) == ["SCHEDULE_OVERLAP", "saved"], outcomes
    restored = Schedule.objects.get(pk=schedule.pk).exdates == []
    created = Schedule.objects.filter(offering=spinning).exists()
    assert restored != created
