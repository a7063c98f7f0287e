"""No double booking under concurrent requests.

PostgreSQL: many clients at once against a live server (pytest-django's threaded one, each
request on its own connection), and raw SQL inserts that the exclusion constraints refuse.
SQLite: a real server process on a database file (an in-memory test database is one shared
connection, so it would not be concurrent), 10 clients at once.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import IntegrityError, connection, transaction

from bookings.models import (
    TRAINEE_OVERLAP_CONSTRAINT,
    TRAINER_OVERLAP_CONSTRAINT,
    Booking,
    Slot,
)
from marketplace.services import api_token_issue
from tests.bookings.conftest import first_start, future_schedule, iso
from tests.factories import ScheduleFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def post_all(url: str, requests: list[tuple[str, dict, dict]]) -> list[tuple[int, dict]]:
    """POST every (token, body, extra headers) at once: a barrier releases the threads
    together. Returns (status, JSON body) per request; a dropped connection is status 0."""
    barrier = threading.Barrier(len(requests))

    def send(item):
        token, body, headers = item
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                **headers,
            },
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, {"raw": raw[:200].decode(errors="replace")}

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def codes(results) -> Counter:
    return Counter(
        (status, body.get("error", {}).get("code") if status >= 400 else None)
        for status, body in results
    )


class _Server(ThreadedWSGIServer):
    """Django's threaded test server with room for every client to connect at once (its
    listen backlog of 10 would reset the rest)."""

    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def busy_server(transactional_db):
    """A live server (this process, one thread and one database connection per request)."""
    server = _Server(("127.0.0.1", 0), _QuietHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and exclusion constraints (SQLite: see below)")


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(("capacity", "clients"), [(1, 50), (5, 50)])
def test_concurrent_bookings_of_one_session_sell_exactly_its_seats(busy_server, capacity, clients):
    needs_postgres()
    schedule = future_schedule(offering__capacity=capacity)
    start = first_start(schedule)
    tokens = [api_token_issue(user=UserFactory())[1] for _ in range(clients)]
    body = {"schedule_id": schedule.pk, "start": iso(start)}

    results = post_all(f"{busy_server}/api/bookings", [(t, body, {}) for t in tokens])

    assert codes(results) == {(201, None): capacity, (409, "SLOT_FULL"): clients - capacity}
    assert Booking.objects.filter(status="pending_payment").count() == capacity
    assert Slot.objects.get().seats_taken == capacity
    # each answer describes its own booking (the requests' threads share one BookingOut)
    answered = sorted((b["id"], b["trainee_first_name"]) for status, b in results if status == 201)
    assert answered == sorted(
        (booking.pk, booking.trainee.name.split(" ")[0]) for booking in Booking.objects.all()
    )


@pytest.mark.postgres
def test_one_idempotency_key_sent_concurrently_books_once(busy_server):
    needs_postgres()
    schedule = future_schedule(offering__capacity=5)
    token = api_token_issue(user=UserFactory())[1]
    body = {"schedule_id": schedule.pk, "start": iso(first_start(schedule))}

    results = post_all(
        f"{busy_server}/api/bookings",
        [(token, body, {"Idempotency-Key": "same-key-1"})] * 8,
    )

    assert codes(results) == {(201, None): 8}
    assert len({body["id"] for _status, body in results}) == 1
    assert Booking.objects.count() == 1


@pytest.mark.postgres
def test_one_trainee_booking_two_overlapping_sessions_at_once_gets_one(busy_server):
    needs_postgres()
    first = future_schedule()
    second = ScheduleFactory(starts_on=first.starts_on, rrule=first.rrule)
    start = first_start(first)
    token = api_token_issue(user=UserFactory())[1]
    requests = [
        (token, {"schedule_id": schedule.pk, "start": iso(start)}, {})
        for schedule in [first, second] * 5
    ]

    results = post_all(f"{busy_server}/api/bookings", requests)

    assert codes(results) == {(201, None): 1, (409, "TRAINEE_CONFLICT"): 9}
    assert Booking.objects.count() == 1


def _raw_insert(booking: Booking, **changes) -> None:
    """A copy of ``booking``'s row through SQL, bypassing every check of the code."""
    values = {
        "trainee_id": booking.trainee_id,
        "trainer_id": booking.trainer_id,
        "offering_id": booking.offering_id,
        "schedule_id": booking.schedule_id,
        "slot_id": booking.slot_id,
        "start": booking.start,
        "end": booking.end,
        "price_amount": booking.price_amount,
        "currency": booking.currency,
        "status": "confirmed",
        "hold_expires_at": None,
        "cancelled_by": "",
        "cancel_reason": "",
        "refund_reason": "",
        "no_show_review": "",
        "payment_intent_id": "",
        **changes,
    }
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO bookings_booking ({columns}, created_at, updated_at) "
            f"VALUES ({marks}, now(), now())",
            list(values.values()),
        )


def _violated(exc: pytest.ExceptionInfo) -> str:
    return exc.value.__cause__.diag.constraint_name


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_a_trainers_time_sold_to_another_session():
    needs_postgres()
    from bookings import booking_services

    schedule = future_schedule()
    booking = booking_services.book_slot(
        trainee=UserFactory(), schedule_id=schedule.pk, start=first_start(schedule)
    )
    other = ScheduleFactory(
        offering__trainer=schedule.trainer, starts_on=schedule.starts_on, rrule=schedule.rrule
    )
    other_slot = Slot.objects.create(
        schedule=other,
        trainer=schedule.trainer,
        start=booking.start,
        end=booking.end,
        capacity=1,
        seats_taken=1,
    )

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _raw_insert(
            booking, trainee_id=UserFactory().pk, schedule_id=other.pk, slot_id=other_slot.pk
        )

    assert _violated(refused) == TRAINER_OVERLAP_CONSTRAINT
    # the same session's seats share the time; cancelled rows do not count
    _raw_insert(booking, trainee_id=UserFactory().pk)
    _raw_insert(
        booking,
        trainee_id=UserFactory().pk,
        schedule_id=other.pk,
        slot_id=other_slot.pk,
        status="cancelled",
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_refuses_a_trainee_two_overlapping_bookings():
    needs_postgres()
    from bookings import booking_services

    schedule = future_schedule()
    trainee = UserFactory()
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=first_start(schedule)
    )
    elsewhere = future_schedule()
    elsewhere_slot = Slot.objects.create(
        schedule=elsewhere,
        trainer=elsewhere.trainer,
        start=booking.start,
        end=booking.end,
        capacity=1,
    )

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        _raw_insert(
            booking,
            trainer_id=elsewhere.trainer_id,
            offering_id=elsewhere.offering_id,
            schedule_id=elsewhere.pk,
            slot_id=elsewhere_slot.pk,
        )

    assert _violated(refused) == TRAINEE_OVERLAP_CONSTRAINT


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_slots_seats_cannot_exceed_its_capacity_in_the_database():
    needs_postgres()
    schedule = future_schedule()
    start = first_start(schedule)
    slot = Slot.objects.create(
        schedule=schedule,
        trainer=schedule.trainer,
        start=start,
        end=start + schedule.duration,
        capacity=1,
        seats_taken=1,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(seats_taken=2)


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("same_trainee", [True, False])
def test_a_constraint_violation_the_checks_missed_is_a_409_not_a_500(monkeypatch, same_trainee):
    """A race the code's checks lose (simulated by blinding them) ends as the same refusal."""
    needs_postgres()
    from bookings import booking_services
    from bookings.errors import SlotUnavailable, TraineeConflict

    schedule = future_schedule()
    trainee = UserFactory()
    start = first_start(schedule)
    booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    if same_trainee:
        other, expected = future_schedule(), TraineeConflict
    else:
        other = ScheduleFactory(
            offering__trainer=schedule.trainer, starts_on=schedule.starts_on, rrule=schedule.rrule
        )
        expected, trainee = SlotUnavailable, UserFactory()
    monkeypatch.setattr(booking_services, "_active_bookings_around", lambda *args: [])

    with pytest.raises(expected):
        booking_services.book_slot(trainee=trainee, schedule_id=other.pk, start=start)

    assert Booking.objects.count() == 1


def _wait_for_a_lock_wait(timeout: float = 20.0) -> bool:
    """True once another session of this database waits on a lock (polled, bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.postgres
def test_a_booking_waits_for_a_schedule_change_in_flight_and_then_sees_it(transactional_db):
    needs_postgres()
    from bookings import booking_services, services
    from bookings.models import Schedule
    from traino.exceptions import DomainError

    schedule = future_schedule()
    start = first_start(schedule)
    trainee = UserFactory()
    locked, release = threading.Event(), threading.Event()
    outcome = {}

    def change():  # what schedule_update does, held open
        try:
            with transaction.atomic():
                services._lock_schedule(schedule.pk)
                Schedule.objects.filter(pk=schedule.pk).update(
                    start_time=schedule.start_time.replace(hour=9)
                )
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    def booking():
        try:
            booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
            outcome["code"] = "booked"
        except DomainError as exc:
            outcome["code"] = exc.code
        finally:
            connection.close()

    changing = threading.Thread(target=change)
    changing.start()
    assert locked.wait(30)
    booking_thread = threading.Thread(target=booking)
    booking_thread.start()
    waited = _wait_for_a_lock_wait()
    release.set()
    changing.join(30)
    booking_thread.join(30)

    assert waited  # the booking waited for the change...
    assert outcome == {"code": "NOT_AN_OCCURRENCE"}  # ...and then saw the session moved
    assert Booking.objects.count() == 0


# --- SQLite --------------------------------------------------------------------------------------

SQLITE_SETUP = """
import json, sys
import django
django.setup()
from marketplace.services import api_token_issue
from tests.bookings.conftest import first_start, future_schedule, iso
from tests.factories import UserFactory
schedule = future_schedule()
tokens = [api_token_issue(user=UserFactory())[1] for _ in range(int(sys.argv[1]))]
print(json.dumps({"schedule_id": schedule.pk, "start": iso(first_start(schedule)),
                  "tokens": tokens}))
"""

SQLITE_COUNT = """
import json, django
django.setup()
from bookings.models import Booking, Slot
seats = list(Slot.objects.values_list("seats_taken", flat=True))
print(json.dumps([Booking.objects.count(), seats]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sqlite_serializes_ten_concurrent_bookings_without_database_is_locked(tmp_path):
    """A gunicorn with 10 threads on a SQLite file: one booking, nine SLOT_FULL, no 5xx."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_ENV": "test",
        "DJANGO_ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "traino.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "127.0.0.1",
    }

    def python(*args, **kwargs):
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
            **kwargs,
        )

    python("manage.py", "migrate", "--noinput")
    setup = json.loads(python("-c", SQLITE_SETUP, "10").stdout)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "traino.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "10",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        body = {"schedule_id": setup["schedule_id"], "start": setup["start"]}
        results = post_all(
            f"http://127.0.0.1:{port}/api/bookings", [(t, body, {}) for t in setup["tokens"]]
        )
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]

    assert codes(results) == {(201, None): 1, (409, "SLOT_FULL"): 9}, log
    assert "database is locked" not in log
    assert json.loads(python("-c", SQLITE_COUNT).stdout) == [1, [1]]
