"""Demo data for `make run`: one account of each role with a known password, categories, and
N trainers around Stockholm, Göteborg, Malmö and Uppsala with offerings, published.

Idempotent: users are found by email through the blind index, so a second run adds nothing.
Bulk trainers have deterministic emails (trainer-00001@demo.traino.se...) and their content
comes from a random generator seeded with their number: a run with a larger N adds exactly
the missing ones, and the same number always gives the same trainer.

Fast: bulk trainers are written with bulk_create in batches, and get an unusable password,
because hashing 100,000 passwords with Argon2 would take over an hour; only the known demo
trainer (trainer@traino.demo) can log in.
"""

from __future__ import annotations

import json
import math
import random
import secrets
import time
import uuid

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from marketplace import crypto, services, signals
from marketplace.location import public_point_fields
from marketplace.models import Category, Offering, Role, TrainerProfile, User
from marketplace.queries import user_get_by_email

DEMO_PASSWORD = "traino-demo-2026"  # printed on purpose: demo accounts only
DEMO_USERS = [
    {"email": "staff@traino.demo", "name": "Stina Staff", "role": Role.STAFF},
    {"email": "trainer@traino.demo", "name": "Anna Lindqvist", "role": Role.TRAINER},
    {"email": "trainee@traino.demo", "name": "Erik Johansson", "role": Role.TRAINEE},
]
DEFAULT_TRAINERS = 60
VERIFIED_EVERY = 5
MAX_TRAINERS = 1_000_000
BATCH_SIZE = 5000
EMAIL_TEMPLATE = "trainer-{:05d}@demo.traino.se"

# slug, English, Swedish, offering titles (Swedish first: most trainers write in Swedish).
CATEGORIES = [
    ("strength", "Strength training", "Styrketräning", ["Styrketräning 1:1", "Strength basics"]),
    ("yoga", "Yoga", "Yoga", ["Hatha yoga", "Yin yoga", "Yoga för nybörjare"]),
    ("running", "Running", "Löpning", ["Löpcoachning", "Intervallträning", "Running technique"]),
    ("pilates", "Pilates", "Pilates", ["Mattpilates", "Pilates för bålen"]),
    ("boxing", "Boxing", "Boxning", ["Boxning – teknik", "Boxercise"]),
    ("crossfit", "CrossFit", "CrossFit", ["CrossFit-pass", "Olympiska lyft"]),
    ("mobility", "Mobility", "Rörlighet", ["Rörlighetsträning", "Mobility flow"]),
    ("rehab", "Rehab", "Rehab", ["Rehabträning efter skada", "Knä- och ryggrehab"]),
    ("nutrition", "Nutrition", "Kost", ["Kostrådgivning", "Nutrition coaching"]),
    ("group-training", "Group training", "Gruppträning", ["Utomhusträning", "Bootcamp"]),
    ("kettlebell", "Kettlebell", "Kettlebell", ["Kettlebellteknik", "Kettlebell-cirkel"]),
    ("swimming", "Swimming", "Simning", ["Crawlteknik", "Simträning för vuxna"]),
]
GROUP_CATEGORIES = {"group-training", "yoga", "pilates", "crossfit", "boxing", "kettlebell"}

# Region centre, share of the trainers, and the places around it (name, lat, lon): a point
# is named after the nearest place.
REGIONS = [
    (
        (59.3293, 18.0686),
        0.45,
        [
            ("Stockholm", 59.3293, 18.0686),
            ("Solna", 59.3600, 18.0009),
            ("Sundbyberg", 59.3612, 17.9719),
            ("Lidingö", 59.3667, 18.1500),
            ("Nacka", 59.3105, 18.1637),
            ("Danderyd", 59.4000, 18.0333),
            ("Täby", 59.4439, 18.0687),
            ("Sollentuna", 59.4281, 17.9507),
            ("Järfälla", 59.4231, 17.8350),
            ("Bromma", 59.3400, 17.9400),
            ("Huddinge", 59.2372, 17.9819),
            ("Haninge", 59.1687, 18.1440),
            ("Tyresö", 59.2441, 18.2290),
            ("Värmdö", 59.3150, 18.3800),
        ],
    ),
    (
        (57.7089, 11.9746),
        0.25,
        [
            ("Göteborg", 57.7089, 11.9746),
            ("Mölndal", 57.6554, 12.0138),
            ("Partille", 57.7395, 12.1064),
            ("Kungälv", 57.8710, 11.9805),
            ("Lerum", 57.7705, 12.2690),
            ("Torslanda", 57.7240, 11.7700),
            ("Askim", 57.6300, 11.9300),
            ("Kungsbacka", 57.4875, 12.0761),
        ],
    ),
    (
        (55.6050, 13.0038),
        0.18,
        [
            ("Malmö", 55.6050, 13.0038),
            ("Lund", 55.7047, 13.1910),
            ("Burlöv", 55.6370, 13.0900),
            ("Staffanstorp", 55.6420, 13.2060),
            ("Vellinge", 55.4720, 13.0180),
            ("Svedala", 55.5080, 13.2360),
            ("Lomma", 55.6730, 13.0700),
        ],
    ),
    (
        (59.8586, 17.6389),
        0.12,
        [
            ("Uppsala", 59.8586, 17.6389),
            ("Storvreta", 59.9580, 17.7060),
            ("Sävja", 59.8170, 17.7120),
            ("Gunsta", 59.8330, 17.8100),
            ("Björklinge", 60.0330, 17.5500),
        ],
    ),
]
RADIUS_KM = 25.0
KM_PER_DEGREE = 111.32

FIRST_NAMES = (  # noqa: SIM905 - a list of names reads better as text
    "Anna Maria Eva Karin Sara Emma Elin Ida Johanna Linnea Maja Alva Ebba Klara Frida "
    "Lina Sofia Matilda Hanna Wilma Erik Lars Karl Johan Anders Per Nils Oskar Lucas "
    "Axel Viktor Gustav Filip Emil Jonas Fredrik Henrik Olof Magnus Hugo Ali Amina Leo "
    "Noah Mohammed"
).split()
LAST_NAMES = (  # noqa: SIM905 - a list of names reads better as text
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson "
    "Gustafsson Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson "
    "Magnusson Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg "
    "Lind Lundgren Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg "
    "Sjöberg Wallin Engström Eklund Danielsson Håkansson Lundin Björk Ali Holm Ek "
    "Nyström"
).split()
BIO_OPENINGS = [
    "Legitimerad personlig tränare med {years} års erfarenhet.",
    "Certified personal trainer, {years} years in the field.",
    "Jag har tränat kunder i {years} år och älskar att se framsteg.",
    "Tidigare elitidrottare, nu tränare sedan {years} år.",
]
BIO_FOCUS = [
    "Fokus på {a} och {b}, anpassat efter din vardag.",
    "Jag jobbar med {a} och {b}, för både nybörjare och vana.",
    "Passen bygger på {a}, med inslag av {b}.",
]
EXTRA_LANGUAGES = ["de", "es", "fi", "pl", "ar", "fr"]


def seeded_tables() -> list[str]:
    models = [User, TrainerProfile, TrainerProfile.categories.through, Offering]
    return [connection.ops.quote_name(m._meta.db_table) for m in models]


def demo_email(number: int) -> str:
    return EMAIL_TEMPLATE.format(number)


def _point_near(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    """A uniformly random point within RADIUS_KM of (lat, lon)."""
    distance = RADIUS_KM * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / KM_PER_DEGREE
    dlon = distance * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _nearest_place(places, lat: float, lon: float) -> str:
    scale = math.cos(math.radians(lat))
    return min(places, key=lambda p: (p[1] - lat) ** 2 + ((p[2] - lon) * scale) ** 2)[0]


def demo_trainer_spec(number: int, category_slugs: list[str]) -> dict:
    """Everything about demo trainer ``number``, the same on every run."""
    rng = random.Random(f"traino-demo-trainer-{number}")  # noqa: S311 - reproducible demo data
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    (centre, _share, places) = rng.choices(REGIONS, weights=[r[1] for r in REGIONS])[0]
    lat, lon = _point_near(rng, *centre)
    categories = rng.sample(category_slugs, k=rng.choice([1, 2, 2, 3]))
    names = {slug: (en, sv, titles) for slug, en, sv, titles in CATEGORIES}
    bio = " ".join(
        [
            rng.choice(BIO_OPENINGS).format(years=rng.randint(2, 20)),
            rng.choice(BIO_FOCUS).format(
                a=names[categories[0]][1].lower(),
                b=names[categories[1]][1].lower() if len(categories) > 1 else "teknik",
            ),
        ]
    )
    languages = ["sv"] + (["en"] if rng.random() < 0.75 else [])
    if rng.random() < 0.1:
        languages.append(rng.choice(EXTRA_LANGUAGES))
    offerings, titles = [], set()
    for i in range(rng.choice([1, 1, 2, 2, 3])):
        slug = categories[i % len(categories)]
        group = slug in GROUP_CATEGORIES and rng.random() < 0.4
        title = rng.choice(names[slug][2]) + (" (grupp)" if group else "")
        if title in titles:
            continue
        titles.add(title)
        offerings.append(
            {
                "title": title,
                "duration_minutes": rng.choice([45, 60, 60, 75, 90]),
                "price_amount": (rng.randint(3, 7) if group else rng.randint(7, 24)) * 5000,
                "capacity": rng.randint(4, 12) if group else 1,
            }
        )
    return {
        "number": number,
        "email": demo_email(number),
        "name": f"{first} {last}",
        "slug": slugify(f"{first} {last} {number:05d}"),
        "city": _nearest_place(places, lat, lon),
        "latitude": lat,
        "longitude": lon,
        "bio": bio,
        "languages": languages,
        "categories": categories,
        "offerings": offerings,
    }


def ensure_categories() -> dict[str, Category]:
    existing = {c.slug: c for c in Category.objects.all()}
    missing = [
        Category(slug=slug, name_en=en, name_sv=sv)
        for slug, en, sv, _titles in CATEGORIES
        if slug not in existing
    ]
    Category.objects.bulk_create(missing)
    return {c.slug: c for c in Category.objects.all()}


def demo_trainer_ids(count: int) -> list[int]:
    """Profile ids of the known demo trainer and bulk trainers 1..count (not real trainers)."""
    indexes = [crypto.blind_index("trainer@traino.demo")]
    indexes += [crypto.blind_index(demo_email(n)) for n in range(1, count + 1)]
    ids: list[int] = []
    for start in range(0, len(indexes), BATCH_SIZE):
        chunk = indexes[start : start + BATCH_SIZE]
        ids.extend(
            TrainerProfile.objects.filter(user__email_index__in=chunk).values_list("pk", flat=True)
        )
    return sorted(ids)


def demo_trainee_ids() -> list[int]:
    """The demo trainee account's id (never a real trainee's)."""
    trainee = user_get_by_email("trainee@traino.demo")
    return [trainee.pk] if trainee is not None else []


def missing_trainer_numbers(count: int) -> list[int]:
    """Numbers 1..count whose demo email has no account yet, checked in bulk by blind index."""
    by_index = {crypto.blind_index(demo_email(n)): n for n in range(1, count + 1)}
    indexes = list(by_index)
    taken: set[str] = set()
    for start in range(0, len(indexes), BATCH_SIZE):
        chunk = indexes[start : start + BATCH_SIZE]
        taken.update(
            User.objects.filter(email_index__in=chunk).values_list("email_index", flat=True)
        )
    return sorted(n for index, n in by_index.items() if index not in taken)


def _insert(model, rows: list[dict]) -> None:
    """Insert plain rows: COPY on PostgreSQL (no model instance per row, the slow part of
    bulk_create at 100,000 trainers), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    names = list(rows[0])
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(
                [json.dumps(v) if isinstance(v, list | dict) else v for v in map(row.get, names)]
            )


@transaction.atomic
def create_demo_trainers(specs: list[dict], categories: dict[str, Category]) -> int:
    """One batch: users (bulk_create, so the User model stays its owner's business), then
    profiles, category links and offerings as plain rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # demo rows: no need to wait for the WAL flush
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    users = []
    for spec in specs:
        user = User(uid=uuid.uuid4(), name=spec["name"], role=Role.TRAINER)
        user.email = spec["email"]
        # Unusable (see the module docstring), in make_password(None)'s format, 10x faster.
        user.password = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        users.append(user)
    User.objects.bulk_create(users)
    user_ids = dict(
        User.objects.filter(email_index__in=[u.email_index for u in users]).values_list(
            "email_index", "pk"
        )
    )

    now = timezone.now()
    slugs = [spec["slug"] for spec in specs]
    taken = set(TrainerProfile.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    profile_rows = []
    for spec, user in zip(specs, users, strict=True):
        copies = services.offering_copies(
            (o["price_amount"], "SEK", o["title"], False) for o in spec["offerings"]
        )
        profile_rows.append(
            {
                "user_id": user_ids[user.email_index],
                "slug": spec["slug"] if spec["slug"] not in taken else f"{spec['slug']}-demo",
                "display_name": spec["name"],
                "bio": spec["bio"],
                "languages": spec["languages"],
                "city": spec["city"],
                "address": "",
                "latitude": spec["latitude"],
                "longitude": spec["longitude"],
                # No save() for these rows: the public point is computed here.
                **public_point_fields(
                    key=user_ids[user.email_index],
                    latitude=spec["latitude"],
                    longitude=spec["longitude"],
                ),
                # Every fifth demo trainer shows the verified badge (demo data: there are no
                # certificate files behind it).
                "verified_at": now if spec["number"] % VERIFIED_EVERY == 0 else None,
                "time_zone": settings.TRAINO_DEFAULT_TIME_ZONE,
                "is_published": True,
                "min_price_amount": copies.min_price_amount,
                "min_price_currency": copies.min_price_currency,
                "offering_titles": copies.offering_titles,
                # The links below are plain rows (no m2m_changed): the copy is written here.
                "category_names": services.category_names_text(
                    (c.name_en, c.name_sv)
                    for c in sorted(
                        (categories[slug] for slug in spec["categories"]),
                        key=lambda c: (c.name_en, c.pk),
                    )
                ),
                "rating_count": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    _insert(TrainerProfile, profile_rows)
    profile_ids = dict(
        TrainerProfile.objects.filter(user_id__in=user_ids.values()).values_list("user_id", "pk")
    )

    links, offerings = [], []
    for spec, user in zip(specs, users, strict=True):
        profile_id = profile_ids[user_ids[user.email_index]]
        links.extend(
            {"trainerprofile_id": profile_id, "category_id": categories[slug].pk}
            for slug in spec["categories"]
        )
        offerings.extend(
            {
                "trainer_id": profile_id,
                "description": "",
                "currency": "SEK",
                "location_name": "",
                "is_public_place": False,
                "is_active": True,
                "has_upcoming_sessions": False,  # bookings marks them with the demo schedules
                "created_at": now,
                "updated_at": now,
                **offering,
            }
            for offering in spec["offerings"]
        )
    _insert(TrainerProfile.categories.through, links)
    _insert(Offering, offerings)
    return len(specs)


def seed_demo_users() -> int:
    created = 0
    for spec in DEMO_USERS:
        if user_get_by_email(spec["email"]) is not None:
            continue
        user = services.user_create(password=DEMO_PASSWORD, **spec)
        if spec["role"] == Role.STAFF:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        created += 1
    return created


def seed_known_trainer(categories: dict[str, Category]) -> TrainerProfile | None:
    """The demo trainer who can log in gets a profile near Södermalm with two offerings, once
    (None when it exists). It is published after the other apps added their demo data, as
    publishing needs a schedule (bookings adds it)."""
    user = user_get_by_email("trainer@traino.demo")
    if user is None or TrainerProfile.objects.filter(user=user).exists():
        return None
    profile = services.trainer_become(user=user)
    services.trainer_profile_update(
        profile=profile,
        categories=[categories["strength"], categories["mobility"]],
        display_name="Anna Lindqvist",
        bio="Personlig tränare på Södermalm sedan 2015: styrka, rörlighet och hållbara vanor.",
        languages=["sv", "en"],
        city="Stockholm",
        address="Götgatan 40, 118 26 Stockholm",
        latitude=59.3135,
        longitude=18.0735,
    )
    # Verified, as staff would after checking her certificates (demo data: no files).
    staff = user_get_by_email("staff@traino.demo")
    TrainerProfile.objects.filter(pk=profile.pk).update(
        verified_at=timezone.now(), verified_by=staff
    )
    services.offering_create(
        profile=profile, title="Personlig träning", duration_minutes=60, price_amount=65000
    )
    services.offering_create(
        profile=profile,
        title="Styrka i liten grupp",
        duration_minutes=60,
        price_amount=25000,
        capacity=6,
        location_name="Tantolunden",
        latitude=59.3130,
        longitude=18.0520,
        is_public_place=True,
    )
    return profile


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent): a staff, a trainer and a trainee account, categories, "
        "and N published trainers around Stockholm, Göteborg, Malmö and Uppsala."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--trainers",
            type=int,
            default=DEFAULT_TRAINERS,
            help=f"How many bulk demo trainers should exist (default {DEFAULT_TRAINERS}).",
        )

    def handle(self, *args, trainers: int, verbosity: int = 1, **options):
        if not 0 <= trainers <= MAX_TRAINERS:
            raise CommandError(f"--trainers must be between 0 and {MAX_TRAINERS}.")
        started = time.monotonic()
        with transaction.atomic():
            users_created = seed_demo_users()
            categories = ensure_categories()
            known_trainer = seed_known_trainer(categories)

        numbers = missing_trainer_numbers(trainers)
        slugs = [slug for slug, *_rest in CATEGORIES]
        created = 0
        with tqdm(
            total=len(numbers), unit="trainer", desc="Demo trainers", disable=verbosity == 0
        ) as progress:
            for start in range(0, len(numbers), BATCH_SIZE):
                batch = [demo_trainer_spec(n, slugs) for n in numbers[start : start + BATCH_SIZE]]
                created += create_demo_trainers(batch, categories)
                progress.update(len(batch))
        if created and connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses from an empty table (a parallel plan
            # for 100 category links costs 12 ms).
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(seeded_tables())}")
        replies = signals.demo_trainers_seeded.send(
            sender=self.__class__,
            trainer_ids=demo_trainer_ids(trainers),
            trainee_ids=demo_trainee_ids(),
        )
        if known_trainer is not None:
            services.trainer_publish(profile=known_trainer, published=True)
        elapsed = time.monotonic() - started

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {users_created} demo user(s) and {created} bulk trainer(s) created "
                f"({trainers - created} of {trainers} were already there) in {elapsed:.1f} s."
            )
        )
        for _receiver, reply in replies:
            if isinstance(reply, str):
                self.stdout.write(reply)
        self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['role']:<8} {spec['email']}")
        self.stdout.write(
            "Bulk demo trainers (trainer-00001@demo.traino.se ...) have no usable password: "
            "they cannot log in."
        )
