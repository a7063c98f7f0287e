"""Demo reviews for `seed_demo`: a handful of demo reviewers who trained with the first demo
trainers (the known demo trainer among them) last month and left reviews, through the
booking and review services, so averages, pages and the admin look like a live site.

Idempotent: nothing is added once the demo reviewers have any booking. The demo trainee's
own past session is left unreviewed, so the review form can be tried.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from marketplace import services as marketplace_services
from marketplace.models import User
from marketplace.queries import user_get_by_email
from traino.exceptions import DomainError

from . import booking_services, recurrence, review_services
from .models import Booking, Schedule

REVIEWERS = [
    ("reviewer-1@demo.traino.se", "Elsa Nyberg"),
    ("reviewer-2@demo.traino.se", "Omar Haddad"),
    ("reviewer-3@demo.traino.se", "Linnea Berg"),
    ("reviewer-4@demo.traino.se", "Jonas Ek"),
    ("reviewer-5@demo.traino.se", "Sara Lind"),
]
TRAINERS_REVIEWED = 40
TEXTS = {
    5: [
        "Bästa passet på länge! Tydliga instruktioner och bra energi.",
        "Superb coach: patient, knowledgeable and fun.",
        "Kände mig sedd hela passet. Kommer tillbaka!",
    ],
    4: [
        "Bra upplägg och trevlig stämning, lite för kort uppvärmning.",
        "Good session, I learned a lot about my technique.",
        "",
    ],
    3: ["Okej pass, men det blev lite stressigt mot slutet.", ""],
    2: ["Tränaren kom tio minuter sent och passet kändes rörigt."],
}
REPLIES = [
    "Tack för fina ord, välkommen tillbaka!",
    "Thank you! See you next week.",
]


def _reviewers() -> list[User]:
    users = []
    for email, name in REVIEWERS:
        user = user_get_by_email(email)
        if user is None:
            user = marketplace_services.user_create(email=email, password=None, name=name)
        users.append(user)
    return users


def _schedules(trainer_ids: list[int]) -> list[Schedule]:
    """The first schedule of each of the first demo trainers (the known demo trainer's is
    first; she is published only after the demo data, so published or not)."""
    rows = (
        Schedule.objects.active()
        .filter(trainer_id__in=trainer_ids, offering__is_active=True)
        .select_related("offering", "trainer__user")
        .order_by("trainer_id", "id")
    )
    picked: dict[int, Schedule] = {}
    for schedule in rows[: TRAINERS_REVIEWED * 4]:
        picked.setdefault(schedule.trainer_id, schedule)
    return list(picked.values())[:TRAINERS_REVIEWED]


def _rating(rng: random.Random) -> int:
    return rng.choices([5, 4, 3, 2], weights=[55, 30, 10, 5])[0]


def seed_reviews(trainer_ids: list[int], *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    reviewers = _reviewers()
    if Booking.objects.filter(trainee__in=reviewers).exists():
        return 0
    rng = random.Random("traino-demo-reviews")  # noqa: S311 (demo content, not security)
    schedules = _schedules(trainer_ids)
    made = 0
    with transaction.atomic():
        for schedule in schedules:
            made += _review_trainer(schedule, reviewers, rng, now)
    return made


def _review_trainer(schedule: Schedule, reviewers: list[User], rng, now: datetime) -> int:
    """Up to four reviewers book (a day ahead) the sessions of the last four weeks, are
    completed and review them the next day; the trainer answers some. Sessions are booked
    on published pages only: the known demo trainer, whom seed_demo publishes once the demo
    data exists, is published here already (her schedule exists by now)."""
    if not schedule.trainer.is_published:
        try:
            marketplace_services.trainer_publish(profile=schedule.trainer, published=True)
        except DomainError:
            return 0
    earlier = schedule.starts_on - timedelta(weeks=5)
    if not schedule.bookings.exists():
        Schedule.objects.filter(pk=schedule.pk).update(starts_on=earlier)
        schedule.starts_on = earlier
    sessions = recurrence.expand(schedule, now - timedelta(days=28), now - timedelta(days=2))
    made = 0
    for occurrence, reviewer in zip(
        sessions[-4:], rng.sample(reviewers, k=min(4, len(reviewers))), strict=False
    ):
        try:
            booking = booking_services.book_slot(
                trainee=reviewer,
                schedule_id=schedule.pk,
                start=occurrence.start,
                now=occurrence.start - timedelta(days=1),
            )
        except DomainError:
            continue  # the reviewer is booked elsewhere then: skip this one
        booking_services.booking_confirm_payment(booking_id=booking.pk, note="Demo")
        booking_services.bookings_complete_finished(now=occurrence.end)
        rating = _rating(rng)
        review = review_services.review_create(
            booking_id=booking.pk,
            trainee=reviewer,
            rating=rating,
            text=rng.choice(TEXTS[rating]),
            now=occurrence.end + timedelta(hours=20),
            notify=False,
        )
        if rng.random() < 0.3:
            review_services.review_reply(
                review_id=review.pk,
                by=schedule.trainer.user,
                text=rng.choice(REPLIES),
                now=occurrence.end + timedelta(days=2),
            )
        made += 1
    return made


def on_demo_trainers_seeded(sender, *, trainer_ids: list[int], **kwargs) -> str:
    """seed_demo's hook, after the demo schedules exist (connected after them)."""
    made = seed_reviews(trainer_ids)
    return f"Demo reviews: {made} created."
