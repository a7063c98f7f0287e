"""Two connections racing to save overlapping schedules of one trainer: the trainer-row lock
(``bookings.services._lock_trainer``, SELECT ... FOR UPDATE) lets exactly one through.

Each thread has its own database connection. Both leave a barrier together and save; the
first to pass the overlap check then holds its transaction open until the other connection is
seen waiting for a lock (pg_stat_activity), so the race is decided by the lock, not by luck:
without it both checks would pass and both schedules would be saved.
"""

import threading
import time as clock
from datetime import UTC, date, datetime, time

import pytest
from django.db import connection

from bookings import services
from bookings.errors import ScheduleOverlap
from bookings.models import Schedule
from tests.factories import OfferingFactory

pytestmark = pytest.mark.postgres(reason="SQLite serializes whole transactions, not rows")

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
WAIT_FOR_BLOCKED = 10  # seconds; only reached if the second connection never waits


def blocked_queries() -> list[str]:
    """Queries of this database's other connections that wait for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def test_two_connections_saving_overlapping_schedules_save_exactly_one(
    transactional_db, monkeypatch
):
    # given a trainer with two offerings, and two requests for Mondays at 07:00 (one each)
    yoga = OfferingFactory(title="Yoga")
    run = OfferingFactory(trainer=yoga.trainer, title="Run")
    start = threading.Barrier(2)
    first_checked = threading.Event()
    release_first = threading.Event()
    arrivals = []
    real_check = services._check_overlap

    def check_then_hold_the_first(schedule, *, now):
        real_check(schedule, now=now)
        arrivals.append(schedule.offering.title)
        if len(arrivals) == 1:  # the first through keeps its transaction (and lock) open
            first_checked.set()
            release_first.wait(WAIT_FOR_BLOCKED)

    monkeypatch.setattr(services, "_check_overlap", check_then_hold_the_first)
    outcomes: dict[str, object] = {}

    def save(offering):
        try:
            start.wait(WAIT_FOR_BLOCKED)
            result = services.schedule_create(
                trainer=offering.trainer,
                offering=offering,
                starts_on=date(2027, 1, 4),
                start_time=time(7, 0),
                rrule="FREQ=WEEKLY;BYDAY=MO",
                now=NOW,
            )
            outcomes[offering.title] = result.schedule.pk
        except ScheduleOverlap as exc:
            outcomes[offering.title] = exc.code
        except Exception as exc:  # reported by the assertion below, not lost in the thread
            outcomes[offering.title] = repr(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=save, args=(offering,)) for offering in (yoga, run)]

    # when both save at once
    for thread in threads:
        thread.start()
    assert first_checked.wait(WAIT_FOR_BLOCKED)
    deadline = clock.monotonic() + WAIT_FOR_BLOCKED
    waiting = blocked_queries()
    while not waiting and clock.monotonic() < deadline:
        clock.sleep(0.01)
        waiting = blocked_queries()
    release_first.set()
    for thread in threads:
        thread.join(WAIT_FOR_BLOCKED * 2)

    # then the second connection waited on the trainer's row, and only the first saved
    assert len(waiting) == 1
    assert 'FROM "marketplace_trainerprofile"' in waiting[0]
    assert "FOR UPDATE" in waiting[0]
    winner, loser = arrivals[0], ({"Yoga", "Run"} - {arrivals[0]}).pop()
    assert outcomes[loser] == "SCHEDULE_OVERLAP"
    assert list(Schedule.objects.values_list("pk", "offering__title")) == [
        (outcomes[winner], winner)
    ]
    assert not any(thread.is_alive() for thread in threads)
