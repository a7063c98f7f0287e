"""Discovery API on PostgreSQL with 100,000 trainers: p50/p95 and SQL queries per request.

Figures, not pass/fail. Goals: first page of 50 for a city-sized box (Stockholm inner city)
p95 under 20 ms, for a country-sized box (all of Sweden) p95 under 50 ms, text search (q=)
p95 under 30 ms, and a constant number of queries per request.

Uses the database of DATABASE_URL itself (demo data, not a throw-away copy: seeding 100,000
trainers takes 30 s to 1.5 min here, so it is done once): it migrates it, runs ``seed_demo
--trainers 100000`` when fewer published trainers exist, and VACUUM ANALYZEs the catalogue
tables. Without PostgreSQL it says so and exits 0.

Why these indexes (migration 0002, on the public point since migration 0009): a partial
btree on (public_latitude, public_longitude) WHERE is_published. The box is a range on
latitude (the index's first column) with the longitude range checked inside the index, and
counting needs no table rows (index-only scan). A city box's first page comes from that
index or from the primary key in id order, whichever the planner prices lower; a country
box's page is the first 50 ids, read in pk order. What no index makes cheap is an exact
COUNT of every trainer in Sweden, so the API counts up to 10,000 (COUNT_LIMIT; 1,000 with q)
and says when it stopped. A GiST/PostGIS index would serve boxes too, but btree needs no extension
and the plans below are already within the goals.

Text search (migrations 0007 and 0011): ``UPPER(column) LIKE '%Q%'`` over name, city, bio
and offering titles cannot use a btree: without another index it tests every trainer in the
box (380 ms for the country). The profile carries its categories' names too (English and
Swedish) and a stored generated column, ``search_text``, with all five in capitals: a row
costs one LIKE, no UPPER(). A pg_trgm GIN index on it, partial on is_published and without a
pending list (``fastupdate = off``: 2,000 updated profiles left one that made the boxing
count 2.5 times slower, 60 ms against 24, until VACUUM), serves the filter as a bitmap scan.

The page: a rare phrase (a full name, about 50 trainers) is a bitmap scan of the trigram
index plus a top-51 sort; a word of 2 % or more walks the primary key in id order and stops
at the 51st match (lindqvist about 2,000 rows in, boxing and lund at 14-17 % 300-500). The
planner chooses from the share of the column's histogram that matches, so the column has
300 buckets: with the default 100, a full name met in one bucket read as 1 % of the trainers
and its page walked the whole table (110 ms; 124 of the 2,160 seeded full names), with 300
two or three did, each matching 465 trainers or more; planning a LIKE costs 0.1 ms more.

The capped count is the cost of a frequent word: any 10,001 matching rows, from the trigram
bitmap (4 ms to build for boxing's 16,703 candidates) and then the heap, since a trigram
match must be rechecked against the row (about 10 ms more for 10,001 rows). Nothing here
makes that cheaper with the same answer: a GiST trigram index can stop after 10,001 rows but
took 50-70 ms, walking the primary key reads 60,000 rows (50 ms), and a covering btree would
test as many. Full-text search (tsvector) answers from the index without a recheck, but a
word or prefix match is not a substring match: "lund" must find Eklund as well as Lund and
Lundqvist. So a text search counts to 1,000 (TEXT_COUNT_LIMIT), about 6 ms: past that many
matches nobody reads on, they narrow the words or the map.

    DATABASE_URL=postgres://... uv run python bench/discovery.py [--explain]
"""

import sys
import time
import warnings

from _setup import percentiles, setup_django

setup_django()

from django.conf import settings  # noqa: E402

settings.DEBUG = False
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise, no collectstatic

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from marketplace.management.commands.seed_demo import seeded_tables  # noqa: E402
from marketplace.models import TrainerProfile  # noqa: E402
from marketplace.queries import BoundingBox, trainers_discover  # noqa: E402

TRAINERS = 100_000
WARMUP = 20
ROUNDS = 200
CASES = [
    # name, query string, goal for p95 in ms
    ("city box (Stockholm inner city)", "bbox=18.00,59.30,18.10,59.36", 20),
    ("country box (Sweden)", "bbox=10.5,55.0,24.5,69.5", 50),
    ("city box, GeoJSON", "bbox=18.00,59.30,18.10,59.36&format=geojson", 20),
    ("country box, GeoJSON", "bbox=10.5,55.0,24.5,69.5&format=geojson", 50),
    ("country box, category=yoga", "bbox=10.5,55.0,24.5,69.5&category=yoga", None),
    ("country box, price_max=40000", "bbox=10.5,55.0,24.5,69.5&price_max=40000", None),
    ("country box, q=lindqvist", "bbox=10.5,55.0,24.5,69.5&q=lindqvist", 30),
    ("city box, q=lindqvist", "bbox=18.00,59.30,18.10,59.36&q=lindqvist", 30),
    ("country box, q=sjöberg", "bbox=10.5,55.0,24.5,69.5&q=sj%C3%B6berg", 30),
    ("country box, q=lund (city, names)", "bbox=10.5,55.0,24.5,69.5&q=lund", 30),
    ("country box, q=zumba (no match)", "bbox=10.5,55.0,24.5,69.5&q=zumba", 30),
    ("country box, q=amina lundberg (name)", "bbox=10.5,55.0,24.5,69.5&q=amina+lundberg", 30),
    ("country box, q=boxing (category)", "bbox=10.5,55.0,24.5,69.5&q=boxing", 30),
    ("country box, q=boxning (category)", "bbox=10.5,55.0,24.5,69.5&q=boxning", 30),
    ("city box, q=boxing (category)", "bbox=18.00,59.30,18.10,59.36&q=boxing", 30),
    ("city box, page 3", "bbox=18.00,59.30,18.10,59.36&page=3", None),
    # The page's default order is sort=distance (from the box's centre): every trainer in the
    # box is sorted, so its cost grows with the box, not the page.
    ("city box, sort=distance", "bbox=18.00,59.30,18.10,59.36&sort=distance", None),
    ("Göteborg box, sort=distance", "bbox=11.44,57.43,12.49,57.99&sort=distance", None),
    ("country box, sort=distance", "bbox=10.5,55.0,24.5,69.5&sort=distance", None),
    ("country box, sort=price", "bbox=10.5,55.0,24.5,69.5&sort=price", None),
    ("city box, sort=price", "bbox=18.00,59.30,18.10,59.36&sort=price", None),
    # Search by when (bookings.search_by_when): schedules of the box's trainers narrowed by
    # local start time and BYDAY in SQL, the rest expanded over the next 14 days.
    (
        "city box, tue,thu 06:00-09:00",
        "bbox=18.00,59.30,18.10,59.36&days=tue,thu&from_time=06:00&to_time=09:00",
        100,
    ),
    (
        "city box, sat 09:00-12:00",
        "bbox=18.00,59.30,18.10,59.36&days=sat&from_time=09:00&to_time=12:00",
        100,
    ),
    (
        "city box, any day 12:00-13:00",
        "bbox=18.00,59.30,18.10,59.36&from_time=12:00&to_time=13:00",
        100,
    ),
    (
        "Göteborg box, tue,thu 06:00-09:00",
        "bbox=11.44,57.43,12.49,57.99&days=tue,thu&from_time=06:00&to_time=09:00",
        None,
    ),
]


def ensure_data() -> int:
    call_command("migrate", verbosity=0, interactive=False)
    published = TrainerProfile.objects.filter(is_published=True).count()
    if published < TRAINERS:
        print(f"{published} published trainers; seeding {TRAINERS} (about 1.5 minutes)...")
        started = time.monotonic()
        call_command("seed_demo", trainers=TRAINERS, verbosity=1)
        print(f"seeded in {time.monotonic() - started:.0f} s")
        published = TrainerProfile.objects.filter(is_published=True).count()
    with connection.cursor() as cursor:
        # Index-only scans need the visibility map, which VACUUM sets; plans need statistics.
        # bookings' tables too: search by when reads schedules by trainer, and without
        # statistics the planner scans every schedule instead.
        for table in [*seeded_tables(), "bookings_schedule", "bookings_booking"]:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return published


def measure(client: Client, query: str) -> tuple[list[float], int, dict]:
    url = f"/api/trainers?{query}"
    for _ in range(WARMUP):
        client.get(url)
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.content
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return samples, len(statements), response.json()


def explain() -> None:
    for name, box, q in [
        ("city", BoundingBox(18.00, 59.30, 18.10, 59.36), ""),
        ("country", BoundingBox(10.5, 55.0, 24.5, 69.5), ""),
        ("country, q=lindqvist", BoundingBox(10.5, 55.0, 24.5, 69.5), "lindqvist"),
        ("country, q=boxing", BoundingBox(10.5, 55.0, 24.5, 69.5), "boxing"),
        ("country, q=amina lundberg", BoundingBox(10.5, 55.0, 24.5, 69.5), "amina lundberg"),
    ]:
        queryset = trainers_discover(bbox=box, q=q)
        print(f"\n-- {name}: first page")
        print(queryset[:51].explain(analyze=True, buffers=True))
        print(f"-- {name}: capped count")
        sql, params = queryset.order_by()[:10_001].values("id").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) AS box", params
            )
            print("\n".join(row[0] for row in cursor.fetchall()))


def main() -> int:
    if connection.vendor != "postgresql":
        print(
            "bench/discovery.py needs PostgreSQL: set DATABASE_URL=postgres://... "
            f"(this is {connection.vendor}); skipped."
        )
        return 0
    published = ensure_data()
    print(f"{published} published trainers; {ROUNDS} requests per case after {WARMUP} warm-up")
    print(f"{'case':<36} {'p50 ms':>8} {'p95 ms':>8} {'goal':>6} {'queries':>8} {'count':>8}")
    client = Client()
    for name, query, goal in CASES:
        samples, queries, body = measure(client, query)
        p50, p95 = percentiles(samples)
        verdict = "" if goal is None else ("ok" if p95 < goal else "MISSED")
        count = f"{body['count']}{'' if body['count_exact'] else '+'}"
        goal_text = f"<{goal}" if goal else "-"
        print(
            f"{name:<36} {p50:>8.1f} {p95:>8.1f} {goal_text:>6} {queries:>8} {count:>8} {verdict}"
        )
    if "--explain" in sys.argv:
        explain()
    return 0


if __name__ == "__main__":
    sys.exit(main())
