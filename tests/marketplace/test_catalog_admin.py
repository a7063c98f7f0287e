"""Django admin for the catalogue: staff see the lists, offerings saved there refresh prices."""

import pytest

from marketplace.models import Offering, Role, TrainerProfile, User
from tests.factories import (
    CategoryFactory,
    OfferingFactory,
    TrainerProfileFactory,
    UserFactory,
    coming_schedule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))
    return client


@pytest.fixture
def catalogue():
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    trainer = TrainerProfileFactory(display_name="Anna Lindqvist", city="Solna")
    trainer.categories.set([yoga])
    OfferingFactory(trainer=trainer, title="Hatha yoga", price_amount=125000)
    return trainer


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/admin/marketplace/trainerprofile/", "Anna Lindqvist"),
        ("/admin/marketplace/trainerprofile/?is_published__exact=1&q=lindq", "Anna Lindqvist"),
        ("/admin/marketplace/trainerprofile/?city__exact=Solna", "Anna Lindqvist"),
        ("/admin/marketplace/category/", "Yoga"),
        ("/admin/marketplace/category/?q=yog", "Yoga"),
        ("/admin/marketplace/offering/", "1 250 kr"),
        ("/admin/marketplace/offering/?is_active__exact=1&q=hatha", "Hatha yoga"),
        ("/admin/marketplace/trainerprofile/add/", "Display name"),
        ("/admin/marketplace/offering/add/", "Duration"),
    ],
)
def test_catalogue_admin_pages_load_for_staff(staff_client, catalogue, url, expected):
    response = staff_client.get(url)

    assert response.status_code == 200
    assert expected in response.content.decode()


def test_a_profile_change_page_shows_its_offerings_inline(staff_client, catalogue):
    response = staff_client.get(f"/admin/marketplace/trainerprofile/{catalogue.pk}/change/")

    assert response.status_code == 200
    assert "Hatha yoga" in response.content.decode()
    # read-only: offerings are changed on their own page, which sends the offering signals
    assert 'name="offerings-0-title"' not in response.content.decode()


def test_the_catalogue_admin_is_closed_to_trainers(client, catalogue):
    client.force_login(catalogue.user)

    response = client.get("/admin/marketplace/trainerprofile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_offering_saved_in_the_admin_refreshes_the_lowest_price(staff_client, catalogue):
    offering = catalogue.offerings.get()
    TrainerProfile.objects.filter(pk=catalogue.pk).update(min_price_amount=125000)

    response = staff_client.post(
        f"/admin/marketplace/offering/{offering.pk}/change/",
        {
            "trainer": catalogue.pk,
            "title": "Hatha yoga",
            "description": "",
            "duration_minutes": 60,
            "price_amount": 40000,
            "currency": "SEK",
            "capacity": 1,
            "location_name": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert TrainerProfile.objects.get(pk=catalogue.pk).min_price_amount == 40000


def test_the_offering_admin_refuses_an_unsupported_currency(staff_client, catalogue):
    offering = catalogue.offerings.get()

    response = staff_client.post(
        f"/admin/marketplace/offering/{offering.pk}/change/",
        {
            "trainer": catalogue.pk,
            "title": "Hatha yoga",
            "description": "",
            "duration_minutes": 60,
            "price_amount": 100,
            "currency": "EUR",
            "capacity": 1,
            "location_name": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "currency": ["Select a valid choice. EUR is not one of the available choices."]
    }
    assert Offering.objects.get(pk=offering.pk).currency == "SEK"


def profile_values(profile: TrainerProfile | None = None, **changes) -> dict:
    values = {
        "display_name": "Anna Lindqvist",
        "bio": "",
        "languages": "[]",
        "city": "Solna",
        "address": "",
        "latitude": "59.33",
        "longitude": "18.06",
        "time_zone": "Europe/Stockholm",
        "is_published": "on",
        "offerings-TOTAL_FORMS": "0",
        "offerings-INITIAL_FORMS": "0",
        "offerings-MIN_NUM_FORMS": "0",
        "offerings-MAX_NUM_FORMS": "1000",
    }
    if profile is not None:
        values["user"] = profile.user_id
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def test_the_trainer_admin_refuses_an_unknown_time_zone(staff_client, catalogue):
    response = staff_client.post(
        f"/admin/marketplace/trainerprofile/{catalogue.pk}/change/",
        profile_values(catalogue, time_zone="Mars/Olympus"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"time_zone": ["Unknown time zone."]}
    assert TrainerProfile.objects.get(pk=catalogue.pk).time_zone == "Europe/Stockholm"


def test_user_admin_shows_the_password_hash_read_only_and_a_post_cannot_change_it(
    staff_client,
):
    user = UserFactory(name="Nils Nilsson")
    old_hash = user.password

    page = staff_client.get(f"/admin/marketplace/user/{user.pk}/change/")
    response = staff_client.post(
        f"/admin/marketplace/user/{user.pk}/change/",
        {
            "email": user.email,
            "name": "Nils Nilsson",
            "role": "trainee",
            "is_active": "on",
            "password": "typed-over-the-hash",
            "phone": "",
            "personnummer": "",
            "api_tokens-TOTAL_FORMS": "0",
            "api_tokens-INITIAL_FORMS": "0",
        },
    )

    assert page.status_code == 200
    assert b'href="../password/"' in page.content
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password == old_hash


def test_the_trainer_admin_cannot_publish_what_trainer_publish_refuses(staff_client):
    # given an unpublished profile without an active offering
    profile = TrainerProfileFactory(is_published=False, min_price_amount=None)
    OfferingFactory(trainer=profile, is_active=False)

    # when staff tick "published"
    response = staff_client.post(
        f"/admin/marketplace/trainerprofile/{profile.pk}/change/",
        profile_values(profile, bio="Ny text"),
    )

    # then the form says why, and nothing is written
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "__all__": [
            "Add at least one active offering before publishing.",
            "Add a schedule with at least one coming session before publishing.",
        ]
    }
    row = TrainerProfile.objects.get(pk=profile.pk)
    assert (row.is_published, row.bio) == (False, "")


def test_the_trainer_admin_cannot_publish_without_a_location(staff_client):
    profile = TrainerProfileFactory(is_published=False, latitude=None, longitude=None)
    coming_schedule(OfferingFactory(trainer=profile))

    response = staff_client.post(
        f"/admin/marketplace/trainerprofile/{profile.pk}/change/",
        profile_values(profile, latitude=None, longitude=None),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "latitude": ["Set your location on the map before publishing."]
    }
    assert TrainerProfile.objects.get(pk=profile.pk).is_published is False


def test_the_trainer_admin_publishes_and_saves_through_the_services(staff_client):
    profile = TrainerProfileFactory(is_published=False, slug="anna", min_price_amount=None)
    coming_schedule(OfferingFactory(trainer=profile, price_amount=30000))
    yoga = CategoryFactory(slug="yoga")

    response = staff_client.post(
        f"/admin/marketplace/trainerprofile/{profile.pk}/change/",
        profile_values(profile, display_name="Anna L", categories=[yoga.pk], slug="ignored"),
    )

    assert response.status_code == 302
    row = TrainerProfile.objects.get(pk=profile.pk)
    assert (row.is_published, row.display_name, row.slug) == (True, "Anna L", "anna")
    assert list(row.categories.all()) == [yoga]


def test_the_trainer_admin_unpublishes_and_drops_the_location_in_one_save(staff_client):
    profile = TrainerProfileFactory(is_published=True)
    OfferingFactory(trainer=profile)

    response = staff_client.post(
        f"/admin/marketplace/trainerprofile/{profile.pk}/change/",
        profile_values(profile, latitude=None, longitude=None, is_published=None),
    )

    assert response.status_code == 302
    row = TrainerProfile.objects.get(pk=profile.pk)
    assert (row.is_published, row.latitude, row.longitude) == (False, None, None)


def test_a_profile_added_in_the_admin_goes_through_trainer_become(staff_client):
    user = UserFactory(role=Role.TRAINEE, name="Someone Else")

    response = staff_client.post(
        "/admin/marketplace/trainerprofile/add/",
        {**profile_values(display_name="Karin Sjöberg", is_published=None), "user": user.pk},
    )

    assert response.status_code == 302
    profile = TrainerProfile.objects.get(user=user)
    assert (profile.display_name, profile.slug, profile.city, profile.is_published) == (
        "Karin Sjöberg",
        "karin-sjoberg",
        "Solna",
        False,
    )
    user.refresh_from_db()
    assert user.role == Role.TRAINER


@pytest.mark.parametrize("usable", [True, False])
def test_an_account_added_in_the_admin_goes_through_user_create(staff_client, usable):
    response = staff_client.post(
        "/admin/marketplace/user/add/",
        {
            "email": "Nya.Tranaren@Example.SE",
            "name": "Ny Tränare",
            "role": "trainer",
            "usable_password": "true" if usable else "false",
            "password1": "a-long-enough-password-1" if usable else "",
            "password2": "a-long-enough-password-1" if usable else "",
            "api_tokens-TOTAL_FORMS": "0",
            "api_tokens-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(name="Ny Tränare")
    assert (user.email, user.role) == ("Nya.Tranaren@example.se", "trainer")
    assert user.has_usable_password() is usable
    if usable:
        assert user.check_password("a-long-enough-password-1")
