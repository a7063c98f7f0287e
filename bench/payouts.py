"""The monthly payout run at scale, against the Stripe test double over HTTP.

Figures, not pass/fail. Goal (issue 12): a run over 100,000 eligible transactions of 2,000
trainers takes under 30 s here, and its SQL queries grow with the number of trainers, not
of transactions.

PostgreSQL only (DATABASE_URL=postgres://...): a throw-away database test_<name> is created
and dropped at the end. The double (tests/stripe_double) serves in a thread of this process
and the real stripe SDK talks to it over HTTP. Two periods are paid for the same trainers:
September with SMALL_PER_TRAINER transactions each, then October with PER_TRAINER each, so
the two query counts can be compared. Printed per run: wall time, SQL queries (and per
trainer), and the share of the wall time spent waiting for the double.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/traino uv run python bench/payouts.py
"""

import datetime
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from _setup import setup_django

setup_django()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

TRAINERS = int(os.environ.get("BENCH_PAYOUT_TRAINERS", 2000))
PER_TRAINER = int(os.environ.get("BENCH_PAYOUT_PER_TRAINER", 50))  # 100,000 in October
SMALL_PER_TRAINER = 10  # 20,000 in September
BATCH = 5000
UTC = datetime.UTC


def make_data() -> None:
    """Trainers with enabled accounts (also at the double), and completed paid sessions."""
    from bookings.models import Booking, BookingStatus, Schedule, Slot
    from marketplace.models import Offering, Role, TrainerProfile, User
    from payments.models import ConnectedAccount, Transaction
    from payments.money import split_amount

    users = []
    for n in range(TRAINERS + 1):
        user = User(
            name=f"Bench trainer {n}" if n < TRAINERS else "Tove Trainee",
            role=Role.TRAINER if n < TRAINERS else Role.TRAINEE,
        )
        user.email = f"bench-payout-{n}@bench.traino.se"
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    trainee = User.objects.get(name="Tove Trainee")
    trainer_users = list(User.objects.filter(role=Role.TRAINER).order_by("pk"))
    profiles = TrainerProfile.objects.bulk_create(
        [TrainerProfile(user=u, slug=f"bench-{u.pk}", display_name=u.name) for u in trainer_users],
        batch_size=1000,
    )
    offerings = Offering.objects.bulk_create(
        [
            Offering(trainer=p, title="PT", duration_minutes=60, price_amount=45000)
            for p in profiles
        ],
        batch_size=1000,
    )
    schedules = Schedule.objects.bulk_create(
        [
            Schedule(
                trainer=o.trainer,
                offering=o,
                starts_on=datetime.date(2026, 9, 1),
                start_time=datetime.time(7),
                time_zone="Europe/Stockholm",
                rrule="FREQ=DAILY",
            )
            for o in offerings
        ],
        batch_size=1000,
    )
    from payments.gateway import get_gateway

    gateway = get_gateway()

    def open_account(profile):
        return gateway.create_account(
            email=f"bench-{profile.pk}@bench.traino.se",
            country="SE",
            metadata={"trainer_profile_id": str(profile.pk)},
            idempotency_key=f"account-{profile.pk}",
        ).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        account_ids = list(pool.map(open_account, profiles))
    accounts = [
        ConnectedAccount(
            trainer=profile,
            stripe_account_id=account_id,
            idempotency_key=f"account-{profile.pk}",
            country="SE",
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
        )
        for profile, account_id in zip(profiles, account_ids, strict=True)
    ]
    ConnectedAccount.objects.bulk_create(accounts, batch_size=1000)

    number = 0
    for month, per_trainer in ((9, SMALL_PER_TRAINER), (10, PER_TRAINER)):
        pending: list[tuple] = []
        for schedule in schedules:
            for i in range(per_trainer):
                start = datetime.datetime(2026, month, 1, 6, tzinfo=UTC) + datetime.timedelta(
                    hours=11 * i
                )
                pending.append((schedule, start))
        for offset in range(0, len(pending), BATCH):
            chunk = pending[offset : offset + BATCH]
            slots = Slot.objects.bulk_create(
                [
                    Slot(
                        schedule=s,
                        trainer_id=s.trainer_id,
                        start=start,
                        end=start + datetime.timedelta(hours=1),
                        capacity=1,
                        seats_taken=1,
                    )
                    for s, start in chunk
                ]
            )
            bookings = Booking.objects.bulk_create(
                [
                    Booking(
                        trainee=trainee,
                        trainer_id=slot.trainer_id,
                        offering_id=slot.schedule.offering_id,
                        schedule=slot.schedule,
                        slot=slot,
                        start=slot.start,
                        end=slot.end,
                        price_amount=45000 + (slot.pk % 7) * 1001,
                        currency="SEK",
                        status=BookingStatus.COMPLETED,
                    )
                    for slot in slots
                ]
            )
            rows = []
            for booking in bookings:
                number += 1
                split = split_amount(booking.price_amount, 15)
                rows.append(
                    Transaction(
                        booking=booking,
                        trainer_id=booking.trainer_id,
                        payment_intent_id=f"pi_bench{number:010d}",
                        charge_id=f"ch_bench{number:010d}",
                        idempotency_key=f"booking-{booking.pk}-intent",
                        currency="SEK",
                        gross_amount=booking.price_amount,
                        fee_percent=15,
                        trainer_amount=split.trainer_amount,
                        platform_fee=split.platform_fee,
                        refunded_amount=(booking.price_amount // 2) if number % 10 == 0 else 0,
                        charged_at=booking.start - datetime.timedelta(days=2),
                    )
                )
            Transaction.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class Meter:
    """Counts SQL queries and the time spent inside the gateway (waiting for the double)."""

    def __init__(self):
        self.queries = 0
        self.sql_seconds = 0.0
        self.by_statement: dict[str, list] = {}
        self.gateway_seconds = 0.0
        self.gateway_calls = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.sql_seconds += elapsed
            shape = self.by_statement.setdefault(sql[:90], [0, 0.0])
            shape[0] += 1
            shape[1] += elapsed

    def wrap_service(self):
        """Time spent in the transfer phases (requests to the double in flight) without
        the database work that records their answers."""
        from payments.services import payouts

        batch, mark = payouts._transfer_batch, payouts._mark_paid

        def timed_batch(calls, *args, **kwargs):
            started = time.perf_counter()
            try:
                return batch(calls, *args, **kwargs)
            finally:
                self.gateway_seconds += time.perf_counter() - started
                self.gateway_calls += len(calls)

        def timed_mark(*args, **kwargs):
            started = time.perf_counter()
            try:
                return mark(*args, **kwargs)
            finally:
                self.gateway_seconds -= time.perf_counter() - started

        payouts._transfer_batch, payouts._mark_paid = timed_batch, timed_mark


def pay(period: str, meter: Meter) -> dict:
    from payments.services.payouts import run_monthly_payouts

    meter.queries = 0
    meter.sql_seconds = 0.0
    meter.by_statement = {}
    meter.gateway_seconds = 0.0
    meter.gateway_calls = 0
    started = time.perf_counter()
    cpu = time.process_time()
    with connection.execute_wrapper(meter):
        result = run_monthly_payouts(period=period, now=datetime.datetime(2026, 11, 30, tzinfo=UTC))
    wall = time.perf_counter() - started
    return {
        "result": result,
        "wall": wall,
        "cpu": time.process_time() - cpu,
        "queries": meter.queries,
        "meter": meter,
        "load": os.getloadavg()[0],
    }


def report(label: str, transactions: int, figures: dict) -> None:
    result = figures["result"]
    meter = figures["meter"]
    paid = result.counts["paid"]
    print(
        f"{label}: {transactions:,} transactions, {TRAINERS:,} trainers -> {paid:,} paid, "
        f"{result.counts['failed'] + result.counts['waiting_for_funds']} not paid"
    )
    print(
        f"  wall {figures['wall']:.1f} s | SQL queries {figures['queries']:,} "
        f"({figures['queries'] / TRAINERS:.2f} per trainer) | "
        f"waiting for the double {meter.gateway_seconds:.1f} s "
        f"({100 * meter.gateway_seconds / figures['wall']:.0f} %, "
        f"{meter.gateway_calls:,} calls, "
        f"{meter.gateway_calls / max(meter.gateway_seconds, 1e-9):.0f} transfers/s) | "
        f"in SQL {meter.sql_seconds:.1f} s | CPU of this process {figures['cpu']:.1f} s | "
        f"load average {figures['load']:.1f} on {os.cpu_count()} CPUs"
    )
    if os.environ.get("BENCH_PAYOUT_SQL"):
        slowest = sorted(meter.by_statement.items(), key=lambda kv: -kv[1][1])[:8]
        for sql, (count, seconds) in slowest:
            print(f"    {seconds:6.2f} s {count:6d}x  {sql}")


@contextmanager
def double_process():
    """The Stripe double in a process of its own (its own CPU, not this one's GIL)."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "tests.stripe_double.server"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        yield line.strip().rsplit(" ", 1)[-1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def run() -> None:
    from payments.models import Transaction

    with double_process() as url:
        settings.STRIPE_SECRET_KEY = "sk_test_bench_0123456789"
        settings.STRIPE_API_BASE = url
        started = time.perf_counter()
        make_data()
        print(f"data: {time.perf_counter() - started:.1f} s to create; double at {url}")
        meter = Meter()
        meter.wrap_service()
        small = pay("2026-09", meter)
        report("2026-09", TRAINERS * SMALL_PER_TRAINER, small)
        large = pay("2026-10", meter)
        report("2026-10", TRAINERS * PER_TRAINER, large)
        goal = "met" if large["wall"] < 30 else "MISSED"
        print(
            f"goal (< 30 s for {TRAINERS * PER_TRAINER:,} transactions): {goal}; queries "
            f"{small['queries']:,} vs {large['queries']:,} for "
            f"{PER_TRAINER // SMALL_PER_TRAINER}x the transactions"
        )
        transfers = (
            Transaction.objects.exclude(stripe_transfer_id="")
            .values("stripe_transfer_id")
            .distinct()
            .count()
        )
        print(
            f"transfers recorded: {transfers:,}; transactions paid: "
            f"{Transaction.objects.filter(payout_status='paid').count():,}"
        )


def main() -> None:
    if connection.vendor != "postgresql":
        print("bench/payouts.py measures PostgreSQL: set DATABASE_URL=postgres://... (skipped)")
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
