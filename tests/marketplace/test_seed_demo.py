"""manage.py seed_demo: demo accounts, categories and N published trainers, idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marketplace import crypto
from marketplace.models import Category, Offering, Role, TrainerProfile, User
from marketplace.queries import user_get_by_email

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_seed_creates_demo_accounts_categories_and_trainers():
    output = seed(trainers=12)

    assert "3 demo user(s) and 12 bulk trainer(s) created" in output
    assert "have no usable password" in output
    assert User.objects.filter(role=Role.TRAINER).count() == 13  # 12 + the known demo trainer
    assert Category.objects.count() == 12
    assert TrainerProfile.objects.filter(is_published=True).count() == 13
    bulk = TrainerProfile.objects.exclude(
        user__email_index=crypto.blind_index("trainer@traino.demo")
    )
    for profile in bulk.prefetch_related("categories", "offerings"):
        offerings = list(profile.offerings.all())
        assert 1 <= len(offerings) <= 3
        # the headline price is the lowest among the offerings the demo schedules use
        scheduled = set(profile.schedules.values_list("offering_id", flat=True))
        assert scheduled
        assert {o.pk for o in offerings if o.has_upcoming_sessions} == scheduled
        assert profile.min_price_amount == min(
            o.price_amount for o in offerings if o.pk in scheduled
        )
        assert sorted(profile.offering_titles.split("\n")) == sorted(o.title for o in offerings)
        assert 1 <= profile.categories.count() <= 3
        assert profile.city
        assert 55.2 < profile.latitude < 60.3 and 11.4 < profile.longitude < 18.6
    assert all(
        (o.capacity == 1 and 35000 <= o.price_amount <= 120000)
        or (4 <= o.capacity <= 12 and 15000 <= o.price_amount <= 35000)
        for o in Offering.objects.all()
    )


def test_bulk_trainers_have_deterministic_emails_and_cannot_log_in():
    seed(trainers=2)

    user = user_get_by_email("trainer-00002@demo.traino.se")
    assert user is not None
    assert user.role == Role.TRAINER
    assert user.has_usable_password() is False
    assert user.trainer_profile.slug.endswith("-00002")


def test_the_known_demo_trainer_can_log_in_and_is_published():
    seed(trainers=0)

    user = user_get_by_email("trainer@traino.demo")
    assert user.check_password("traino-demo-2026")
    profile = user.trainer_profile
    assert profile.is_published is True
    scheduled = profile.offerings.filter(schedules__isnull=False).distinct()
    assert profile.min_price_amount == min(o.price_amount for o in scheduled)
    assert sorted(profile.categories.values_list("slug", flat=True)) == ["mobility", "strength"]


def test_a_second_run_adds_nothing_and_a_larger_n_adds_the_difference():
    seed(trainers=5)
    first = sorted(TrainerProfile.objects.values_list("slug", "latitude", "longitude"))

    again = seed(trainers=5)
    assert "0 demo user(s) and 0 bulk trainer(s) created (5 of 5 were already there)" in again
    assert sorted(TrainerProfile.objects.values_list("slug", "latitude", "longitude")) == first
    assert Category.objects.count() == 12

    more = seed(trainers=8)
    assert "3 bulk trainer(s) created (5 of 8 were already there)" in more
    assert TrainerProfile.objects.count() == 9


def test_a_negative_count_is_refused():
    with pytest.raises(CommandError, match="--trainers must be between 0 and 1000000"):
        seed(trainers=-1)
