"""seed_demo's reviews and verified trainers: real reviews behind the averages, idempotent."""

import pytest
from django.core.management import call_command
from django.db.models import Avg, Count

from bookings.models import Review
from marketplace.models import TrainerProfile

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_reviews_and_verified_trainers_once():
    call_command("seed_demo", trainers=10, verbosity=0)

    reviews = Review.objects.count()
    assert reviews >= 10
    known = TrainerProfile.objects.get(
        user__email_index__isnull=False, display_name="Anna Lindqvist"
    )
    assert known.verified_at is not None and known.is_published
    assert known.rating_count >= 1
    assert TrainerProfile.objects.filter(verified_at__isnull=False).count() >= 3
    # every stored average is its visible reviews' average
    for row in Review.objects.values("trainer_id").annotate(n=Count("id"), avg=Avg("rating")):
        trainer = TrainerProfile.objects.get(pk=row["trainer_id"])
        assert trainer.rating_count == row["n"]
        assert abs(float(trainer.rating_avg) - row["avg"]) < 0.006
    assert not TrainerProfile.objects.filter(
        latitude__isnull=False, public_latitude__isnull=True
    ).exists()

    call_command("seed_demo", trainers=10, verbosity=0)

    assert Review.objects.count() == reviews
