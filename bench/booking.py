"""Booking throughput under concurrency, beside a bare one-INSERT view, and a hunt for
double bookings.

Figures, not pass/fail. Goals (issue 10): booking POSTs reach at least half the throughput of
a bare Django view doing one INSERT, served the same way; 0 double bookings; 0 errors other
than 409.

PostgreSQL only (DATABASE_URL=postgres://...): a throw-away database test_<name> is created
and dropped at the end. gunicorn (gthread) serves bench/_booking_settings.py (the site plus
/bench/insert) with persistent connections (DB_CONN_MAX_AGE); CLIENTS threads each keep one
HTTP connection open and send their requests back to back.

1. bare INSERT: POST /bench/insert.
2. the same INSERT behind a Bearer token and the write limit (/bench/insert-authenticated):
   what any authenticated API write costs before its own work.
3. booking: POST /api/bookings, every request a free slot of its own (one trainee each).
4. contended: the same, 30 % of the requests aimed at slots booked in step 3 (409 expected).
Each phase prints the CPU time per request of gunicorn, this database's PostgreSQL
backends, Redis and the clients: they share the machine's cores, so throughput is their sum.
Then SQL counts active bookings beyond a slot's capacity, and a trainer's time or a
trainee's time sold twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/traino uv run python bench/booking.py
"""

import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import threading
import time
from collections import Counter
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

from _setup import cpu_seconds_by_program, percentiles, setup_django, start_gunicorn

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
REQUESTS_PER_CLIENT = 120
WORKERS = 4
THREADS = 4
TRAINERS = 40
TAKEN_SHARE = 0.30
CPU_PROGRAMS = ("gunicorn", "postgres", "redis", "benchmark clients", "other")


def make_data(slots_needed: int, trainees_needed: int):
    """Trainers with a daily 07:00 schedule (capacity 1) and trainees with API tokens."""
    from bookings import recurrence
    from bookings.models import Schedule
    from marketplace.models import ApiToken, Offering, Role, TrainerProfile, User, hash_token

    users = []
    for n in range(TRAINERS):
        user = User(name=f"Bench trainer {n}", role=Role.TRAINER)
        user.email = f"bench-trainer-{n}@bench.traino.se"
        user.set_unusable_password()
        users.append(user)
    for n in range(trainees_needed):
        user = User(name=f"Bench trainee {n}", role=Role.TRAINEE)
        user.email = f"bench-trainee-{n}@bench.traino.se"
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    trainer_users = list(User.objects.filter(role=Role.TRAINER).order_by("pk"))
    profiles = TrainerProfile.objects.bulk_create(
        [
            TrainerProfile(
                user=user,
                slug=f"bench-{user.pk}",
                display_name=user.name,
                latitude=59.33,
                longitude=18.06,
                time_zone="Europe/Stockholm",
                is_published=True,
            )
            for user in trainer_users
        ]
    )
    offerings = Offering.objects.bulk_create(
        [
            Offering(trainer=p, title="Personal", duration_minutes=60, price_amount=50000)
            for p in profiles
        ]
    )
    first_day = timezone.localdate() + timedelta(days=2)
    schedules = Schedule.objects.bulk_create(
        [
            Schedule(
                trainer=p,
                offering=o,
                starts_on=first_day,
                start_time=clock(7, 0),
                time_zone="Europe/Stockholm",
                rrule="FREQ=DAILY",
            )
            for p, o in zip(profiles, offerings, strict=True)
        ]
    )
    days = -(-slots_needed // TRAINERS) + 1
    now = timezone.now()
    slots = [
        (schedule.pk, start.strftime("%Y-%m-%dT%H:%M:%SZ"))
        for schedule in schedules
        for start in recurrence.utc_starts(schedule, now, now + timedelta(days=days + 2))[:days]
    ]
    random.Random(10).shuffle(slots)
    raws = []
    tokens = []
    for user in User.objects.filter(role=Role.TRAINEE).order_by("pk"):
        raw = "trn_" + secrets.token_urlsafe(32)
        raws.append(raw)
        tokens.append(
            ApiToken(
                user=user,
                key_hash=hash_token(raw),
                prefix=raw[:12],
                expires_at=now + timedelta(days=1),
                # A token in steady use: its last_used_at is written at most once a minute,
                # so not on the one request each trainee of this benchmark sends.
                last_used_at=now + timedelta(hours=1),
            )
        )
    ApiToken.objects.bulk_create(tokens, batch_size=1000)
    return slots, raws


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_booking_settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "AXES_ENABLED": "false",
        "LOG_LEVEL": "ERROR",
        "DJANGO_ENV_FILE": os.devnull,
        # WhiteNoise: no collectstatic here, nothing static is served.
        "PYTHONWARNINGS": "ignore:No directory at",
    }
    return start_gunicorn(
        port,
        workers=WORKERS,
        threads=THREADS,
        env=environment,
        extra_args=("--backlog", "256"),
    )


def run_clients(port: int, jobs: list[list[tuple[str, str, dict | None]]]):
    """Each client sends its (path, token, body) jobs over one kept-alive connection."""
    results: list[tuple[float, int, str]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs) + 1)

    def client(my_jobs):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        barrier.wait()
        for path, token, body in my_jobs:
            headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=json.dumps(body or {}), headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                mine.append(((time.perf_counter() - started) * 1000, 0, type(exc).__name__))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            code = ""
            if response.status >= 400:
                try:
                    code = json.loads(payload)["error"]["code"]
                except (ValueError, KeyError):
                    code = payload[:80].decode(errors="replace")
            mine.append((elapsed, response.status, code))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, args=(j,)) for j in jobs]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds_by_program(connection.settings_dict["NAME"])
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu_after = cpu_seconds_by_program(connection.settings_dict["NAME"])
    cpu = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    return seconds, results, cpu


def report(label: str, seconds: float, results, cpu: dict[str, float]) -> float:
    samples = [elapsed for elapsed, _status, _code in results]
    p50, p95 = percentiles(samples)
    rate = len(results) / seconds
    outcomes = Counter(f"{status} {code}".strip() for _e, status, code in results)
    print(
        f"{label:<34} {rate:7.1f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   "
        f"{dict(sorted(outcomes.items()))}"
    )
    per_request = {name: used * 1000 / len(results) for name, used in cpu.items()}
    shown = ", ".join(
        f"{name} {per_request[name]:.2f}" for name in CPU_PROGRAMS if name in per_request
    )
    print(f"{'':<34} CPU ms per request: {shown}; total {sum(per_request.values()):.2f}")
    return rate


DOUBLE_BOOKINGS_SQL = {
    "slots sold beyond capacity": """
        SELECT count(*) FROM (
          SELECT b.slot_id FROM bookings_booking b JOIN bookings_slot s ON s.id = b.slot_id
          WHERE b.status IN ('pending_payment', 'confirmed')
          GROUP BY b.slot_id, s.capacity HAVING count(*) > s.capacity) AS over""",
    "slot counters that disagree": """
        SELECT count(*) FROM bookings_slot s WHERE s.seats_taken <> (
          SELECT count(*) FROM bookings_booking b
          WHERE b.slot_id = s.id AND b.status IN ('pending_payment', 'confirmed'))""",
    "a trainer's time sold twice": """
        SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
          ON a.trainer_id = b.trainer_id AND a.id < b.id AND a.slot_id <> b.slot_id
         AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")
        WHERE a.status IN ('pending_payment', 'confirmed')
          AND b.status IN ('pending_payment', 'confirmed')""",
    "a trainee's time booked twice": """
        SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
          ON a.trainee_id = b.trainee_id AND a.id < b.id
         AND tstzrange(a.start, a."end") && tstzrange(b.start, b."end")
        WHERE a.status IN ('pending_payment', 'confirmed')
          AND b.status IN ('pending_payment', 'confirmed')""",
}


def run() -> None:
    per_phase = CLIENTS * REQUESTS_PER_CLIENT
    taken_count = int(per_phase * TAKEN_SHARE)
    slots, tokens = make_data(
        slots_needed=2 * per_phase, trainees_needed=3 * per_phase + CLIENTS * 10
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_insert (id bigserial PRIMARY KEY, n integer)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"gunicorn gthread {WORKERS} workers x {THREADS} threads, DB_CONN_MAX_AGE=600; "
        f"{CLIENTS} clients x {REQUESTS_PER_CLIENT} requests; cache: "
        f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@"
        f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/"
        f"{settings_dict['NAME']}"
    )
    port = free_port()
    server = start_server(url, port)
    token_iter = iter(tokens)
    try:

        def split(items):
            return [items[i::CLIENTS] for i in range(CLIENTS)]

        warm = [("/bench/insert", "", None)] * 5
        warm_book = [
            ("/api/bookings", next(token_iter), {"schedule_id": s, "start": t})
            for s, t in slots[-CLIENTS * 5 :]
        ]
        run_clients(port, split(warm * CLIENTS + warm_book))
        fresh = iter(slots[: -CLIENTS * 5])

        bare_seconds, bare, cpu = run_clients(
            port, split([("/bench/insert", "", None)] * per_phase)
        )
        bare_rate = report("bare INSERT view", bare_seconds, bare, cpu)

        authenticated_jobs = [
            ("/bench/insert-authenticated", next(token_iter), {"schedule_id": 1})
            for _ in range(per_phase)
        ]
        seconds, authenticated, cpu = run_clients(port, split(authenticated_jobs))
        authenticated_rate = report(
            "INSERT behind token + write limit", seconds, authenticated, cpu
        )

        booked_slots = [next(fresh) for _ in range(per_phase)]
        jobs = [
            ("/api/bookings", next(token_iter), {"schedule_id": s, "start": t})
            for s, t in booked_slots
        ]
        book_seconds, booked, cpu = run_clients(port, split(jobs))
        book_rate = report("POST /api/bookings, free slots", book_seconds, booked, cpu)
        print(f"{'ratio booking / bare INSERT':<34} {book_rate / bare_rate:7.2f}")
        print(f"{'ratio booking / INSERT behind token':<34} {book_rate / authenticated_rate:7.2f}")

        contended_slots = [next(fresh) for _ in range(per_phase - taken_count)]
        contended_slots += random.Random(3).sample(booked_slots, taken_count)
        random.Random(4).shuffle(contended_slots)
        jobs = [
            ("/api/bookings", next(token_iter), {"schedule_id": s, "start": t})
            for s, t in contended_slots
        ]
        seconds, contended, cpu = run_clients(port, split(jobs))
        report(f"{int(TAKEN_SHARE * 100)} % aimed at taken slots", seconds, contended, cpu)
        errors = [r for r in authenticated + booked + contended if r[1] not in (201, 409)]
        print(f"errors other than 409: {len(errors)}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    with connection.cursor() as cursor:
        for label, sql in DOUBLE_BOOKINGS_SQL.items():
            cursor.execute(sql)
            print(f"double bookings, {label}: {cursor.fetchone()[0]}")


def main() -> None:
    if connection.vendor != "postgresql":
        print("bench/booking.py measures PostgreSQL: set DATABASE_URL=postgres://... (skipped)")
        return
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run()
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
