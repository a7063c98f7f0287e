"""Stripe webhook intake latency beside a bare one-INSERT view, and end-to-end processing
throughput with a real Celery worker.

Figures, not pass/fail. Goal (issue 11): intake p95 under 20 ms on PostgreSQL with no worker
running (the event is verified, stored and its task published to Redis; nothing processes
it), printed beside a bare Django view doing one INSERT in the same run, and their ratio.
Then a real ``celery worker`` on Redis processes signed ``payment_intent.succeeded`` events
of demo bookings: events/s from the first POST until every event is ``processed`` (each
records a Transaction and confirms its booking).

Needs PostgreSQL (DATABASE_URL=postgres://...) and Redis (REDIS_URL or CELERY_BROKER_URL);
a throw-away database test_<name> is created and dropped at the end. gunicorn (gthread)
serves bench/_webhooks_settings.py (the site plus /bench/insert); tasks go to a queue of
their own (bench-webhooks), emptied before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/traino REDIS_URL=redis://127.0.0.1:6379/1 \
        uv run python bench/webhooks.py
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

os.environ["STRIPE_SECRET_KEY"] = ""  # the demo gateway: no network, no money

from _setup import percentiles, setup_django, start_gunicorn

setup_django()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "bench-webhooks"
INTAKE_REQUESTS = 400  # of each kind, alternating, over one kept-alive connection
WARM_UP = 40
E2E_EVENTS = 300
E2E_CLIENTS = 4
WORKER_CONCURRENCY = 2
WORKERS = 2
THREADS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def environment() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "_webhooks_settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "DATABASE_URL": database_url(),
        "DB_CONN_MAX_AGE": "600",
        "DJANGO_DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "AXES_ENABLED": "false",
        "LOG_LEVEL": "ERROR",
        "DJANGO_ENV_FILE": os.devnull,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "STRIPE_SECRET_KEY": "",
        "STRIPE_WEBHOOK_SECRET": settings.STRIPE_WEBHOOK_SECRET,
        "PYTHONWARNINGS": "ignore:No directory at",
    }


def start_server(port: int) -> subprocess.Popen:
    return start_gunicorn(port, workers=WORKERS, threads=THREADS, env=environment())


def start_worker(log_path: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "traino", "worker", "-Q", QUEUE]
    command += [f"--concurrency={WORKER_CONCURRENCY}", "--loglevel=WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log_path.open("w") as log:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, *, group: bool = False) -> None:
    if group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait(timeout=10)


def empty_queue() -> None:
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(QUEUE)


def redis_problem() -> str | None:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return "set REDIS_URL (or CELERY_BROKER_URL) to a Redis server"
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis at {settings.CELERY_BROKER_URL}: {exc}"
    return None


def signed(event: dict) -> tuple[bytes, str]:
    from payments.gateway import webhooks

    body = json.dumps(event, separators=(",", ":")).encode()
    return body, webhooks.sign(body)


def intake_event(n: int) -> dict:
    return {
        "id": f"evt_bench_intake_{n:06d}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "data": {"object": {"id": f"obj_bench_{n}", "object": "customer"}},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "customer.created",
    }


def post(conn, path: str, body: bytes, headers: dict) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return (time.perf_counter() - started) * 1000, response.status


def measure_intake(port: int) -> None:
    """Alternating requests over one connection: both kinds see the same server state."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    json_headers = {"Content-Type": "application/json", "Connection": "keep-alive"}
    bare: list[float] = []
    intake: list[float] = []
    statuses: Counter = Counter()
    for n in range(WARM_UP + INTAKE_REQUESTS):
        elapsed, status = post(conn, "/bench/insert", b"{}", json_headers)
        statuses[f"insert {status}"] += 1
        if n >= WARM_UP:
            bare.append(elapsed)
        body, signature = signed(intake_event(n))
        elapsed, status = post(
            conn, "/api/stripe/webhook", body, {**json_headers, "Stripe-Signature": signature}
        )
        statuses[f"webhook {status}"] += 1
        if n >= WARM_UP:
            intake.append(elapsed)
    conn.close()
    bare_p50, bare_p95 = percentiles(bare)
    intake_p50, intake_p95 = percentiles(intake)
    print(f"{'bare INSERT view':<40} p50 {bare_p50:6.2f} ms   p95 {bare_p95:6.2f} ms")
    print(
        f"{'POST /api/stripe/webhook (no worker)':<40} p50 {intake_p50:6.2f} ms   "
        f"p95 {intake_p95:6.2f} ms   (goal: p95 < 20 ms)"
    )
    print(
        f"{'ratio intake / bare INSERT':<40} p50 {intake_p50 / bare_p50:6.2f}     "
        f"p95 {intake_p95 / bare_p95:6.2f}"
    )
    print(f"answers: {dict(sorted(statuses.items()))}")


def paid_demo_bookings(count: int) -> list[dict]:
    """``count`` held bookings of one group session, each with a demo PaymentIntent that
    succeeded: the payment_intent.succeeded objects their events carry."""
    from datetime import date, timedelta
    from datetime import time as dt_time

    from bookings import booking_services, recurrence
    from bookings.models import Schedule
    from marketplace.models import Offering, Role, TrainerProfile, User
    from payments import services
    from payments.gateway import DemoGateway
    from payments.gateway.demo import demo_id

    trainer_user = User(name="Bench trainer", role=Role.TRAINER)
    trainer_user.email = "bench-webhooks-trainer@bench.traino.se"
    trainer_user.set_unusable_password()
    trainer_user.save()
    trainer = TrainerProfile.objects.create(
        user=trainer_user,
        slug="bench-webhooks",
        display_name="Bench trainer",
        latitude=59.33,
        longitude=18.06,
        city="Stockholm",
        is_published=True,
        time_zone="Europe/Stockholm",
    )
    offering = Offering.objects.create(
        trainer=trainer,
        title="Bench group",
        duration_minutes=60,
        price_amount=20000,
        currency="SEK",
        capacity=count,
    )
    schedule = Schedule.objects.create(
        trainer=trainer,
        offering=offering,
        starts_on=date.today() + timedelta(days=7),
        start_time=dt_time(18, 0),
        time_zone="Europe/Stockholm",
        rrule="FREQ=WEEKLY",
    )
    start = recurrence.first_start(schedule)
    intents = []
    gateway = DemoGateway()
    for n in range(count):
        trainee = User(name=f"Bench trainee {n}", role=Role.TRAINEE)
        trainee.email = f"bench-webhooks-{n}@bench.traino.se"
        trainee.set_unusable_password()
        trainee.save()
        booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
        checkout = services.checkout_start(booking_id=booking.pk, user=trainee)
        intents.append(
            gateway.update_object(
                "payment_intent",
                checkout.payment_intent_id,
                status="succeeded",
                amount_received=checkout.amount,
                latest_charge=demo_id("ch"),
            )
        )
    return intents


def measure_end_to_end(port: int, log_path: Path) -> None:
    from payments.models import Transaction, WebhookEvent, WebhookStatus

    intents = paid_demo_bookings(E2E_EVENTS)
    events = [
        {
            **intake_event(n),
            "id": f"evt_bench_paid_{n:06d}",
            "type": "payment_intent.succeeded",
            "data": {"object": intent},
        }
        for n, intent in enumerate(intents)
    ]
    empty_queue()
    worker = start_worker(log_path)
    try:
        from traino.celery import app

        for _ in range(60):
            if app.control.ping(timeout=1.0):
                break
        else:
            print(f"the worker did not answer; its log: {log_path}")
            return
        ids = [event["id"] for event in events]
        shares = [events[i::E2E_CLIENTS] for i in range(E2E_CLIENTS)]
        failures: list[int] = []

        def client(mine):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for event in mine:
                body, signature = signed(event)
                _elapsed, status = post(
                    conn,
                    "/api/stripe/webhook",
                    body,
                    {"Content-Type": "application/json", "Stripe-Signature": signature},
                )
                if status != 200:
                    failures.append(status)
            conn.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(share,)) for share in shares]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        posted = time.perf_counter() - started
        deadline = started + 300
        done = 0
        while time.perf_counter() < deadline:
            done = WebhookEvent.objects.filter(
                stripe_event_id__in=ids, status=WebhookStatus.PROCESSED
            ).count()
            if done == len(ids):
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        transactions = Transaction.objects.filter(payment_intent_id__in=[i["id"] for i in intents])
        print(
            f"end to end, {len(ids)} payment_intent.succeeded, {E2E_CLIENTS} clients, "
            f"worker prefork x{WORKER_CONCURRENCY}:"
        )
        print(f"  all POSTed (200) in {posted:6.2f} s   ({len(ids) / posted:6.1f} events/s)")
        print(
            f"  processed {done}/{len(ids)} in {elapsed:6.2f} s   "
            f"({done / elapsed:6.1f} events/s from the first POST to the last processed)"
        )
        print(f"  transactions recorded: {transactions.count()}; non-200 answers: {len(failures)}")
    finally:
        stop(worker, group=True)
        empty_queue()


def run() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_insert (id bigserial PRIMARY KEY, n integer)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"gunicorn gthread {WORKERS} workers x {THREADS} threads, DB_CONN_MAX_AGE=600")
    empty_queue()
    port = free_port()
    server = start_server(port)
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-webhooks-worker.log"
    try:
        measure_intake(port)
        empty_queue()
        measure_end_to_end(port, log_path)
    finally:
        stop(server)


def main() -> None:
    if connection.vendor != "postgresql":
        print("bench/webhooks.py measures PostgreSQL: set DATABASE_URL=postgres://... (skipped)")
        return
    if problem := redis_problem():
        print(f"bench/webhooks.py needs Redis for the task queue: {problem} (skipped)")
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
