"""Availability and schedule checks: how long the calendar maths and the cache take.

Figures, not pass/fail. Goals: one trainer with 5 weekly schedules, a 62-day
window, p95 under 15 ms uncached and under 2 ms cached; the overlap check of a weekly rule
against 10 weekly rules over 12 months well under 100 ms. Also the "available this week"
filter over 1,000 trainers.

Runs in a throw-away test database (SQLite in memory, or test_<name> on the PostgreSQL of
DATABASE_URL), dropped at the end. With REDIS_URL the cache is Redis, under a key prefix of
its own ("traino-bench"), so the site's cached answers are never touched.
"""

import os
import random
import time
from datetime import time as clock
from datetime import timedelta

from _setup import percentiles, setup_django

setup_django()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # no query log growing in memory while we measure
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
settings.CACHES["default"]["KEY_PREFIX"] = "traino-bench"  # before the cache is first used

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = 300


def measure(label: str, fn, rounds: int = ROUNDS, before=None) -> None:
    samples = []
    for _ in range(rounds):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    p50, p95 = percentiles(samples)
    print(f"{label:<58} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")


def make_trainers(count: int, prefix: str):
    from marketplace.models import Offering, Role, TrainerProfile, User

    users = []
    for n in range(count):
        user = User(name=f"Bench {prefix} {n}", role=Role.TRAINER)
        user.email = f"bench-{prefix}-{n}@bench.traino.se"
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=1000)
    user_ids = list(
        User.objects.filter(name__startswith=f"Bench {prefix} ").values_list("pk", flat=True)
    )
    TrainerProfile.objects.bulk_create(
        [
            TrainerProfile(
                user_id=uid,
                slug=f"bench-{prefix}-{uid}",
                display_name=f"Bench {uid}",
                latitude=59.33,
                longitude=18.06,
                time_zone="Europe/Stockholm",
                is_published=True,
            )
            for uid in user_ids
        ],
        batch_size=1000,
    )
    profiles = list(TrainerProfile.objects.filter(user_id__in=user_ids))
    Offering.objects.bulk_create(
        [
            Offering(trainer=p, title=title, duration_minutes=60, price_amount=50000, capacity=cap)
            for p in profiles
            for title, cap in (("Personal training", 1), ("Group class", 8))
        ],
        batch_size=2000,
    )
    return profiles


def weekly(trainer, offering, weekday: str, at: clock, starts_on):
    from bookings.models import Schedule

    return Schedule(
        trainer=trainer,
        offering=offering,
        starts_on=starts_on,
        start_time=at,
        time_zone="Europe/Stockholm",
        rrule=f"FREQ=WEEKLY;BYDAY={weekday}",
    )


def run() -> None:
    from bookings import demo, queries, services
    from bookings.cache import _version_key, availability_invalidate
    from bookings.models import Schedule

    print(f"database: {connection.vendor}; cache: {settings.CACHES['default']['BACKEND']}")
    # Wall-clock figures: on a busy machine (load above the core count) they are inflated.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    now = timezone.now()
    week_start = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    # --- one trainer, 5 weekly schedules, a 62-day window ---------------------------------
    (trainer,) = make_trainers(1, "one")
    offering = trainer.offerings.order_by("id").first()
    slots = [
        ("MO", clock(7)),
        ("TU", clock(12)),
        ("WE", clock(18)),
        ("TH", clock(7)),
        ("SA", clock(10)),
    ]
    Schedule.objects.bulk_create([weekly(trainer, offering, d, t, week_start) for d, t in slots])
    start = now
    end = now + timedelta(days=62)
    found = queries.trainer_availability(trainer, start, end, now=now)
    print(f"one trainer, 5 weekly schedules, 62 days: {len(found)} occurrences")
    measure(
        "availability uncached (query + expand + cache write)",
        lambda: queries.trainer_availability(trainer, start, end, now=now),
        before=lambda: availability_invalidate(trainer.pk),
    )
    measure(
        "availability cached",
        lambda: queries.trainer_availability(trainer, start, end, now=now),
    )
    client = Client()
    first = timezone.localdate().isoformat()
    last = (timezone.localdate() + timedelta(days=61)).isoformat()
    url = f"/api/trainers/{trainer.pk}/availability?from={first}&to={last}"
    assert client.get(url).status_code == 200
    measure(
        "GET /api/trainers/<id>/availability uncached (HTTP, JSON)",
        lambda: client.get(url),
        before=lambda: availability_invalidate(trainer.pk),
    )
    measure("GET /api/trainers/<id>/availability cached (HTTP, JSON)", lambda: client.get(url))

    # --- overlap: a weekly rule against 10 weekly rules over 12 months --------------------
    (busy,) = make_trainers(1, "overlap")
    busy_offering = busy.offerings.order_by("id").first()
    days = ["MO", "TU", "WE", "TH", "FR"]
    Schedule.objects.bulk_create(
        [
            weekly(busy, busy_offering, days[i % 5], clock(7 + 2 * (i // 5)), week_start)
            for i in range(10)
        ]
    )
    others = list(Schedule.objects.filter(trainer=busy).select_related("offering"))
    candidate = weekly(busy, busy_offering, "MO", clock(15), week_start)
    horizon = now + timedelta(days=365)
    assert services.find_first_clash(candidate, others, now, horizon) is None
    measure(
        "overlap sweep, weekly vs 10 weekly, 12 months (in memory)",
        lambda: services.find_first_clash(candidate, others, now, horizon),
        rounds=100,
    )
    measure(
        "overlap check incl. loading the 10 schedules",
        lambda: services._check_overlap(candidate, now=now),
        rounds=100,
    )

    # --- "available this week" over 1,000 trainers ---------------------------------------
    many = make_trainers(1000, "many")
    created = demo.seed_schedules(many, random.Random(7))
    ids = [p.pk for p in many]
    week_end = now + timedelta(days=7)
    hits = queries.trainer_ids_with_availability(now, week_end, trainer_ids=ids, now=now)
    print(f"1,000 trainers, {created} demo schedules: {len(hits)} available this week")
    measure(
        "available this week, 1,000 trainers (query + expand)",
        lambda: queries.trainer_ids_with_availability(now, week_end, trainer_ids=ids, now=now),
        rounds=20,
    )
    page = ids[:50]
    measure(
        "available this week, one page of 50 trainers",
        lambda: queries.trainer_ids_with_availability(now, week_end, trainer_ids=page, now=now),
        rounds=100,
    )

    cache.delete_many([_version_key(p) for p in [trainer.pk, busy.pk, *ids]])


def main() -> None:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
