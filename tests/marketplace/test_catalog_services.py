"""Catalogue services: becoming a trainer, profiles, offerings, the lowest price, publishing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marketplace import services
from marketplace.errors import LocationRequired, NotPublishable
from marketplace.models import Category, Offering, Role, TrainerProfile
from tests.factories import (
    CategoryFactory,
    OfferingFactory,
    TrainerProfileFactory,
    UserFactory,
    coming_schedule,
)
from traino.exceptions import InvalidInput

pytestmark = pytest.mark.django_db


def test_a_trainee_becomes_a_trainer_with_an_unpublished_profile():
    user = UserFactory(name="Karin Sjöberg", role=Role.TRAINEE)

    profile = services.trainer_become(user=user)

    user.refresh_from_db()
    assert user.role == Role.TRAINER
    assert (profile.display_name, profile.slug, profile.is_published) == (
        "Karin Sjöberg",
        "karin-sjoberg",
        False,
    )
    assert profile.time_zone == "Europe/Stockholm"
    assert profile.min_price_amount is None


def test_becoming_a_trainer_twice_returns_the_same_profile():
    user = UserFactory(name="Karin Sjöberg")
    first = services.trainer_become(user=user)

    second = services.trainer_become(user=user)

    assert second.pk == first.pk
    assert TrainerProfile.objects.count() == 1


def test_slugs_stay_unique_for_the_same_name():
    slugs = [services.trainer_become(user=UserFactory(name="Erik Berg")).slug for _ in range(3)]

    assert slugs == ["erik-berg", "erik-berg-2", "erik-berg-3"]


def test_a_slug_taken_in_the_same_instant_is_retried(monkeypatch):
    # given: another request took "erik-berg" after our slug was chosen
    TrainerProfileFactory(slug="erik-berg")
    chosen = iter(["erik-berg", "erik-berg-2"])
    monkeypatch.setattr(services, "trainer_slug_for", lambda name: next(chosen))

    # when
    profile = services.trainer_become(user=UserFactory(name="Erik Berg"))

    # then
    assert TrainerProfile.objects.get(pk=profile.pk).slug == "erik-berg-2"


def test_a_user_without_a_name_gets_a_neutral_profile_name_not_the_email(monkeypatch):
    monkeypatch.setattr(services.secrets, "token_hex", lambda nbytes: "a1b2c3")

    profile = services.trainer_become(user=UserFactory(name="", email="coach.lina@example.se"))

    assert (profile.display_name, profile.slug) == ("Trainer a1b2c3", "trainer-a1b2c3")


def test_two_users_without_a_name_get_different_neutral_names():
    first = services.trainer_become(user=UserFactory(name="", email="lina@example.se"))
    second = services.trainer_become(user=UserFactory(name="", email="lina@example.com"))

    assert first.display_name != second.display_name
    assert first.slug != second.slug
    assert "lina" not in first.slug + second.slug + first.display_name + second.display_name


def test_profile_update_sets_fields_and_categories_but_keeps_the_slug():
    profile = services.trainer_become(user=UserFactory(name="Erik Berg"))
    yoga = CategoryFactory(slug="yoga")

    services.trainer_profile_update(
        profile=profile,
        categories=[yoga],
        display_name="Erik B.",
        city="Uppsala",
        latitude=59.8586,
        longitude=17.6389,
        languages=["sv", "en"],
    )

    profile.refresh_from_db()
    assert (profile.display_name, profile.slug, profile.city) == ("Erik B.", "erik-berg", "Uppsala")
    assert (profile.latitude, profile.longitude, profile.languages) == (
        59.8586,
        17.6389,
        ["sv", "en"],
    )
    assert list(profile.categories.all()) == [yoga]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"latitude": 91.0, "longitude": 18.0},
            "latitude",
            "Ensure this value is less than or equal to 90.0.",
        ),
        (
            {"latitude": 59.3, "longitude": -181.0},
            "longitude",
            "Ensure this value is greater than or equal to -180.0.",
        ),
        ({"latitude": 59.3}, "non_field_errors", "Set both latitude and longitude, or neither."),
        (
            {"languages": ["swedish"]},
            "languages",
            'Languages are two-letter ISO 639-1 codes, e.g. ["sv", "en"].',
        ),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone."),
        ({"is_published": True}, "is_published", "This field cannot be changed here."),
    ],
)
def test_profile_update_refuses_bad_values(fields, field, message):
    profile = services.trainer_become(user=UserFactory())

    with pytest.raises(InvalidInput) as caught:
        services.trainer_profile_update(profile=profile, **fields)

    assert caught.value.code == "VALIDATION_ERROR"
    assert message in caught.value.field_messages()[field]


def test_the_database_refuses_half_a_location():
    profile = TrainerProfileFactory(latitude=None, longitude=None, is_published=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        TrainerProfile.objects.filter(pk=profile.pk).update(latitude=59.3)


def test_offerings_keep_the_lowest_active_price_on_the_profile():
    profile = services.trainer_become(user=UserFactory())

    expensive = services.offering_create(
        profile=profile, title="PT", duration_minutes=60, price_amount=80000
    )
    assert TrainerProfile.objects.get(pk=profile.pk).min_price_amount == 80000

    cheap = services.offering_create(
        profile=profile, title="Group", duration_minutes=45, price_amount=25000, capacity=8
    )
    assert TrainerProfile.objects.get(pk=profile.pk).min_price_amount == 25000

    services.offering_update(offering=cheap, price_amount=90000)
    assert TrainerProfile.objects.get(pk=profile.pk).min_price_amount == 80000

    services.offering_update(offering=expensive, is_active=False)
    assert TrainerProfile.objects.get(pk=profile.pk).min_price_amount == 90000


def test_active_offering_titles_are_copied_to_the_profile_for_the_text_search():
    profile = services.trainer_become(user=UserFactory())
    services.offering_create(profile=profile, title="PT", duration_minutes=60, price_amount=80000)
    yoga = services.offering_create(
        profile=profile, title="Yoga", duration_minutes=60, price_amount=20000
    )
    assert TrainerProfile.objects.get(pk=profile.pk).offering_titles == "Yoga\nPT"

    services.offering_update(offering=yoga, is_active=False)

    assert TrainerProfile.objects.get(pk=profile.pk).offering_titles == "PT"


def test_deactivating_the_last_offering_unpublishes_the_profile():
    profile = TrainerProfileFactory(min_price_amount=None)
    offering = services.offering_create(
        profile=profile, title="PT", duration_minutes=60, price_amount=50000
    )

    services.offering_update(offering=offering, is_active=False)

    profile.refresh_from_db()
    assert (profile.is_published, profile.min_price_amount) == (False, None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"duration_minutes": 10}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"price_amount": -1}, "price_amount"),
        ({"latitude": 59.3}, "non_field_errors"),
        ({"trainer": None}, "trainer"),
    ],
)
def test_offering_create_refuses_bad_values(fields, field):
    profile = services.trainer_become(user=UserFactory())
    values = {"title": "PT", "duration_minutes": 60, "price_amount": 50000, **fields}

    with pytest.raises(InvalidInput) as caught:
        services.offering_create(profile=profile, **values)

    assert field in caught.value.field_messages()
    assert Offering.objects.count() == 0


def test_publishing_needs_a_location_an_active_offering_and_a_coming_session():
    profile = services.trainer_become(user=UserFactory())

    with pytest.raises(NotPublishable) as caught:
        services.trainer_publish(profile=profile, published=True)

    assert (caught.value.code, caught.value.status) == ("NOT_PUBLISHABLE", 409)
    assert caught.value.field_messages() == {
        "latitude": ["Set your location on the map before publishing."],
        "offerings": ["Add at least one active offering before publishing."],
        "schedules": ["Add a schedule with at least one coming session before publishing."],
    }
    assert TrainerProfile.objects.get(pk=profile.pk).is_published is False


def test_a_complete_profile_is_published_and_can_be_hidden_again():
    profile = services.trainer_become(user=UserFactory())
    services.trainer_profile_update(profile=profile, latitude=59.33, longitude=18.06)
    offering = services.offering_create(
        profile=profile, title="PT", duration_minutes=60, price_amount=5000
    )
    coming_schedule(offering)

    services.trainer_publish(profile=profile, published=True)
    assert TrainerProfile.objects.get(pk=profile.pk).is_published is True

    services.trainer_publish(profile=profile, published=False)
    assert TrainerProfile.objects.get(pk=profile.pk).is_published is False


def test_a_published_profile_cannot_lose_its_location():
    profile = TrainerProfileFactory()
    OfferingFactory(trainer=profile)

    with pytest.raises(LocationRequired) as caught:
        services.trainer_profile_update(profile=profile, latitude=None, longitude=None)

    assert (caught.value.code, caught.value.status) == ("LOCATION_REQUIRED", 409)
    assert caught.value.field_messages() == {
        "latitude": ["A published profile needs a location. Unpublish it first."]
    }
    assert TrainerProfile.objects.get(pk=profile.pk).latitude == 59.3326


def test_category_name_follows_the_language():
    category = Category(slug="running", name_en="Running", name_sv="Löpning")

    with translation.override("sv"):
        assert category.name == "Löpning"
    with translation.override("en"):
        assert category.name == "Running"


def test_profile_update_does_not_write_back_a_stale_publish_state_or_price():
    # given: a page loaded the profile, then the last offering was deactivated elsewhere
    stale = TrainerProfileFactory(is_published=True, min_price_amount=45000)
    TrainerProfile.objects.filter(pk=stale.pk).update(
        is_published=False, min_price_amount=None, offering_titles=""
    )

    # when: the stale page saves a new bio
    returned = services.trainer_profile_update(profile=stale, bio="Ny text")

    # then: only the bio changed, and the caller sees the row as it is now
    row = TrainerProfile.objects.get(pk=stale.pk)
    assert (row.bio, row.is_published, row.min_price_amount) == ("Ny text", False, None)
    assert (returned.is_published, returned.min_price_amount) == (False, None)


@pytest.mark.postgres(reason="SQLite has no SELECT ... FOR UPDATE")
def test_profile_update_and_publish_lock_the_profile_row():
    profile = TrainerProfileFactory(is_published=False)
    coming_schedule(OfferingFactory(trainer=profile))

    with CaptureQueriesContext(connection) as queries:
        services.trainer_profile_update(profile=profile, bio="x")
        services.trainer_publish(profile=profile, published=True)

    locks = [
        q["sql"]
        for q in queries
        if 'FROM "marketplace_trainerprofile"' in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    assert len(locks) == 2


def test_publish_checks_the_locked_row_not_a_stale_instance():
    # given: the instance still has a location, the row no longer has one
    stale = TrainerProfileFactory(is_published=False)
    coming_schedule(OfferingFactory(trainer=stale))
    TrainerProfile.objects.filter(pk=stale.pk).update(latitude=None, longitude=None)

    with pytest.raises(NotPublishable) as caught:
        services.trainer_publish(profile=stale, published=True)

    assert caught.value.field_messages() == {
        "latitude": ["Set your location on the map before publishing."]
    }
    assert TrainerProfile.objects.get(pk=stale.pk).is_published is False


@pytest.mark.parametrize("currency", ["EUR", "XYZ", "eur"])
def test_an_offering_in_an_unsupported_currency_is_refused(currency):
    profile = TrainerProfileFactory()

    with pytest.raises(InvalidInput) as caught:
        services.offering_create(
            profile=profile, title="PT", duration_minutes=60, price_amount=5000, currency=currency
        )

    assert caught.value.field_messages() == {
        "currency": [f"Value '{currency.upper()}' is not a valid choice."]
    }
    assert Offering.objects.count() == 0


def test_an_offering_in_sek_is_accepted_whatever_the_case():
    offering = services.offering_create(
        profile=TrainerProfileFactory(),
        title="PT",
        duration_minutes=60,
        price_amount=5000,
        currency="sek",
    )

    assert Offering.objects.get(pk=offering.pk).currency == "SEK"


def test_the_database_refuses_an_unsupported_currency():
    offering = OfferingFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Offering.objects.filter(pk=offering.pk).update(currency="EUR")


@pytest.mark.parametrize(
    "name",
    [
        "Mars/Olympus",
        "../../etc/passwd",
        "Europe/",
        "europe/stockholm",
        # ZoneInfo loads these, but they are no place's zone
        "localtime",
        "Factory",
        "posixrules",
        "posix/Europe/Stockholm",
        "right/Europe/Stockholm",
    ],
)
def test_the_model_refuses_a_name_that_is_not_a_listed_time_zone(name):
    profile = TrainerProfileFactory.build(user=UserFactory(), time_zone=name)

    with pytest.raises(ValidationError) as caught:
        profile.full_clean(exclude=["user", "categories"])

    assert "Unknown time zone." in caught.value.message_dict["time_zone"]


def test_the_lowest_price_rule_takes_the_first_of_equal_prices_and_lists_titles_cheapest_first():
    copies = services.offering_copies(
        [
            (50000, "SEK", "PT", False),
            (25000, "SEK", "Group", False),
            (25000, "SEK", "Park", False),
            (90000, "SEK", "X", False),
        ]
    )

    assert copies == services.OfferingCopies(
        min_price_amount=25000, min_price_currency="SEK", offering_titles="Group\nPark\nPT\nX"
    )
    assert services.offering_copies([]) == services.OfferingCopies(None, None, "")
