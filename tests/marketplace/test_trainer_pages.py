"""The catalogue's HTML pages: becoming a trainer, the profile and offering forms, publishing,
the public trainer page and the discovery home page's configuration."""

import json
import re

import pytest
from django.test import override_settings

from marketplace.models import Offering, Role, TrainerProfile
from tests.factories import (
    CategoryFactory,
    OfferingFactory,
    TrainerProfileFactory,
    UserFactory,
    coming_schedule,
)

pytestmark = pytest.mark.django_db

PROFILE_POST = {
    "display_name": "Anna Lindqvist",
    "bio": "Styrka och rörlighet.",
    "languages": ["sv", "en"],
    "city": "Stockholm",
    "address": "Hagaparken, Solna",
    "latitude": "59.3569",
    "longitude": "18.0388",
    "time_zone": "Europe/Stockholm",
}

OFFERING_POST = {
    "title": "Personal training",
    "description": "One hour, one to one.",
    "duration_minutes": "60",
    "price": "450",
    "capacity": "1",
    "location_name": "",
    "is_active": "on",
}


def draft_trainer(**fields):
    """A trainer who has just become one: unpublished, no location, no price."""
    defaults = {
        "is_published": False,
        "latitude": None,
        "longitude": None,
        "min_price_amount": None,
    }
    return TrainerProfileFactory(**{**defaults, **fields})


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/trainer/become/", "/trainer/profile/", "/trainer/offerings/", "/trainer/offerings/new/"],
)
def test_anonymous_visitor_is_sent_to_log_in(client, path):
    # when an anonymous visitor opens a trainer's own page
    response = client.get(path)

    # then they are redirected to the login page, coming back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_anonymous_post_to_become_creates_nothing(client):
    response = client.post("/trainer/become/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/trainer/become/"
    assert TrainerProfile.objects.count() == 0


def test_anonymous_edit_of_an_offering_is_sent_to_log_in(client):
    offering = OfferingFactory()

    response = client.post(f"/trainer/offerings/{offering.pk}/edit/", OFFERING_POST)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/trainer/offerings/{offering.pk}/edit/"


def test_a_user_without_trainer_profile_is_sent_to_become_one(client):
    client.force_login(UserFactory())

    response = client.get("/trainer/profile/")

    assert response.status_code == 302
    assert response["Location"] == "/trainer/become/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_trainer_cannot_edit_an_offering(client, method):
    # given an offering of one trainer, and another trainer logged in
    offering = OfferingFactory(title="Yoga", price_amount=30000)
    intruder = TrainerProfileFactory()
    client.force_login(intruder.user)

    # when the other trainer opens or posts its edit form
    response = getattr(client, method)(
        f"/trainer/offerings/{offering.pk}/edit/", {**OFFERING_POST, "price": "1"}
    )

    # then it is refused and nothing changed
    assert response.status_code == 403
    offering.refresh_from_db()
    assert (offering.title, offering.price_amount) == ("Yoga", 30000)


def test_a_logged_in_non_trainer_cannot_edit_an_offering(client):
    offering = OfferingFactory(price_amount=30000)
    client.force_login(UserFactory())

    response = client.post(f"/trainer/offerings/{offering.pk}/edit/", OFFERING_POST)

    assert response.status_code == 403
    offering.refresh_from_db()
    assert offering.price_amount == 30000


def test_editing_an_offering_that_does_not_exist_is_404(client):
    client.force_login(TrainerProfileFactory().user)

    response = client.get("/trainer/offerings/999999/edit/")

    assert response.status_code == 404


# --- becoming a trainer and the profile ------------------------------------------------------


def test_becoming_a_trainer_creates_an_unpublished_profile(client):
    # given a trainee
    user = UserFactory(name="Anna Lindqvist", role=Role.TRAINEE)
    client.force_login(user)

    # when they ask to become a trainer
    response = client.post("/trainer/become/")

    # then they have a hidden profile named after them, and land on its setup checklist
    assert response.status_code == 302
    assert response["Location"] == "/trainer/setup/"
    profile = TrainerProfile.objects.get(user=user)
    assert (profile.display_name, profile.slug, profile.is_published) == (
        "Anna Lindqvist",
        "anna-lindqvist",
        False,
    )
    user.refresh_from_db()
    assert user.role == Role.TRAINER


def test_become_page_needs_a_post_and_csrf(client):
    client = type(client)(enforce_csrf_checks=True)
    user = UserFactory()
    client.force_login(user)

    page = client.get("/trainer/become/")
    refused = client.post("/trainer/become/")

    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    assert refused.status_code == 403
    assert TrainerProfile.objects.count() == 0


def test_profile_form_saves_every_field(client):
    # given a fresh trainer and two categories
    profile = draft_trainer(display_name="Anna")
    strength = CategoryFactory(slug="strength")
    yoga = CategoryFactory(slug="yoga")
    CategoryFactory(slug="running")
    client.force_login(profile.user)

    # when they fill in the profile form
    response = client.post(
        "/trainer/profile/", {**PROFILE_POST, "categories": [strength.pk, yoga.pk]}
    )

    # then the profile row holds exactly what was entered
    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/"
    profile.refresh_from_db()
    assert (
        profile.display_name,
        profile.bio,
        profile.languages,
        profile.city,
        profile.address,
        profile.latitude,
        profile.longitude,
        profile.time_zone,
    ) == (
        "Anna Lindqvist",
        "Styrka och rörlighet.",
        ["sv", "en"],
        "Stockholm",
        "Hagaparken, Solna",
        59.3569,
        18.0388,
        "Europe/Stockholm",
    )
    assert sorted(profile.categories.values_list("slug", flat=True)) == ["strength", "yoga"]


def test_profile_form_refuses_half_a_location(client):
    profile = draft_trainer(display_name="Anna")
    client.force_login(profile.user)

    response = client.post("/trainer/profile/", {**PROFILE_POST, "longitude": ""})

    assert response.status_code == 200
    assert b"Set both latitude and longitude, or neither" in response.content
    profile.refresh_from_db()
    assert (profile.display_name, profile.latitude, profile.longitude) == ("Anna", None, None)


def test_profile_form_refuses_a_latitude_out_of_range(client):
    profile = draft_trainer()
    client.force_login(profile.user)

    response = client.post("/trainer/profile/", {**PROFILE_POST, "latitude": "91"})

    assert response.status_code == 200
    assert response.context["form"].errors["latitude"] == [
        "Ensure this value is less than or equal to 90."
    ]
    profile.refresh_from_db()
    assert profile.latitude is None


def test_published_profile_cannot_drop_its_location(client):
    # given a published trainer
    profile = TrainerProfileFactory(latitude=59.33, longitude=18.06)
    OfferingFactory(trainer=profile)
    client.force_login(profile.user)

    # when they clear the location
    response = client.post("/trainer/profile/", {**PROFILE_POST, "latitude": "", "longitude": ""})

    # then the service's refusal is shown and the row keeps its location
    assert response.status_code == 200
    assert b"A published profile needs a location. Unpublish it first." in response.content
    profile.refresh_from_db()
    assert (profile.latitude, profile.longitude) == (59.33, 18.06)


# --- offerings -------------------------------------------------------------------------------


def test_new_offering_is_stored_in_ore(client):
    # given a trainer
    profile = draft_trainer()
    client.force_login(profile.user)

    # when they create an offering at 450 kr for a group of 8
    response = client.post(
        "/trainer/offerings/new/", {**OFFERING_POST, "title": "Utegym", "capacity": "8"}
    )

    # then it is stored in öre, in SEK, and the profile's lowest price follows
    assert response.status_code == 302
    assert response["Location"] == "/trainer/offerings/"
    offering = Offering.objects.get(trainer=profile)
    assert (
        offering.title,
        offering.duration_minutes,
        offering.price_amount,
        offering.currency,
        offering.capacity,
        offering.is_active,
    ) == ("Utegym", 60, 45000, "SEK", 8, True)
    profile.refresh_from_db()
    assert profile.min_price_amount == 45000


@pytest.mark.parametrize(
    ("language", "typed", "ore"),
    [("en", "99.50", 9950), ("sv", "99,50", 9950), ("en", "1250", 125000), ("en", "0.05", 5)],
)
def test_offering_price_in_kronor_becomes_ore(client, language, typed, ore):
    profile = draft_trainer()
    client.force_login(profile.user)

    response = client.post(
        "/trainer/offerings/new/",
        {**OFFERING_POST, "price": typed},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 302
    assert Offering.objects.get(trainer=profile).price_amount == ore


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", "12.345"), ("price", "-1"), ("duration_minutes", "10"), ("capacity", "0")],
)
def test_offering_form_refuses_bad_values(client, field, value):
    profile = draft_trainer()
    client.force_login(profile.user)

    response = client.post("/trainer/offerings/new/", {**OFFERING_POST, field: value})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Offering.objects.count() == 0


def test_owner_edits_an_offering(client):
    # given a trainer's offering at 450 kr
    offering = OfferingFactory(price_amount=45000, title="PT")
    client.force_login(offering.trainer.user)

    # when the edit form shows it and they change it to 395.50 kr, 45 minutes
    form_page = client.get(f"/trainer/offerings/{offering.pk}/edit/")
    response = client.post(
        f"/trainer/offerings/{offering.pk}/edit/",
        {**OFFERING_POST, "title": "PT 45", "duration_minutes": "45", "price": "395.50"},
    )

    # then the form showed 450 kr, and the row holds the new values in öre
    assert form_page.context["form"]["price"].value() == "450"
    assert response.status_code == 302
    offering.refresh_from_db()
    assert (offering.title, offering.duration_minutes, offering.price_amount) == (
        "PT 45",
        45,
        39550,
    )
    offering.trainer.refresh_from_db()
    assert offering.trainer.min_price_amount == 39550


def test_deactivating_the_last_offering_unpublishes_and_says_so(client):
    offering = OfferingFactory()
    client.force_login(offering.trainer.user)
    data = {**OFFERING_POST}
    del data["is_active"]

    response = client.post(f"/trainer/offerings/{offering.pk}/edit/", data, follow=True)

    offering.refresh_from_db()
    offering.trainer.refresh_from_db()
    assert (offering.is_active, offering.trainer.is_published) == (False, False)
    assert b"You have no bookable offering left, so your page is hidden." in response.content


def test_offerings_list_shows_only_the_trainers_own(client):
    mine = OfferingFactory(title="Min löpgrupp", price_amount=15000, capacity=12)
    OfferingFactory(title="Someone else's session")
    client.force_login(mine.trainer.user)

    response = client.get("/trainer/offerings/")

    assert response.status_code == 200
    assert [o.title for o in response.context["offerings"]] == ["Min löpgrupp"]
    body = response.content.decode()
    assert "150 kr" in body
    assert "Group of up to 12" in body
    assert "Someone else" not in body


# --- publishing ------------------------------------------------------------------------------


def test_publishing_without_location_or_offering_shows_the_reasons(client):
    profile = draft_trainer()
    client.force_login(profile.user)

    response = client.post("/trainer/publish/", {"published": "1"})

    assert response.status_code == 200
    assert response.context["publish_errors"] == [
        "Set your location on the map before publishing.",
        "Add at least one active offering before publishing.",
        "Add a schedule with at least one coming session before publishing.",
    ]
    profile.refresh_from_db()
    assert profile.is_published is False


def test_publish_and_unpublish(client):
    # given a trainer with a location, an active offering and a coming session
    profile = draft_trainer(latitude=59.33, longitude=18.06)
    coming_schedule(OfferingFactory(trainer=profile))
    client.force_login(profile.user)

    # when they publish
    published = client.post("/trainer/publish/", {"published": "1"})
    profile.refresh_from_db()
    after_publish = profile.is_published
    # and unpublish
    unpublished = client.post("/trainer/publish/", {"published": "0"})
    profile.refresh_from_db()

    # then the flag followed each time
    assert (published.status_code, published["Location"]) == (302, "/trainer/profile/")
    assert unpublished.status_code == 302
    assert (after_publish, profile.is_published) == (True, False)


def test_publish_needs_post(client):
    profile = draft_trainer()
    client.force_login(profile.user)

    assert client.get("/trainer/publish/").status_code == 405


# --- public page -----------------------------------------------------------------------------


def test_public_page_shows_the_trainer_and_offerings(client):
    # given a published trainer with two offerings and a category
    profile = TrainerProfileFactory(
        display_name="Erik Sundberg",
        slug="erik-sundberg",
        bio="Löpning och styrka.",
        languages=["sv", "en"],
        city="Uppsala",
    )
    profile.categories.add(CategoryFactory(slug="running", name_en="Running", name_sv="Löpning"))
    OfferingFactory(trainer=profile, title="Personal training", price_amount=45000, capacity=1)
    OfferingFactory(
        trainer=profile,
        title="Running group",
        price_amount=125000,
        capacity=8,
        duration_minutes=90,
    )
    OfferingFactory(trainer=profile, title="Old offer", is_active=False)

    # when anyone opens the public page
    response = client.get("/trainers/erik-sundberg/")

    # then it shows the trainer, the active offerings with prices, and the calendar slot
    assert response.status_code == 200
    body = response.content.decode()
    assert "Erik Sundberg" in body
    assert "Löpning och styrka." in body
    assert "Running" in body
    assert "Swedish, English" in body
    assert "Uppsala" in body
    assert re.findall(r'data-testid="offering-price">([^<]*)<', body) == ["450 kr", "1 250 kr"]
    assert re.findall(r'data-testid="offering-capacity">([^<]*)<', body) == [
        "Personal training",
        "Group of up to 8",
    ]
    assert "90 min" in body
    assert "Old offer" not in body
    assert re.search(rf'<section id="calendar"[^>]* data-trainer-id="{profile.pk}">', body)
    assert ">ES<" in body  # initials where the photo will be


def test_public_page_in_swedish_shows_swedish_category_names(client):
    profile = TrainerProfileFactory(slug="anna")
    profile.categories.add(CategoryFactory(slug="running", name_en="Running", name_sv="Löpning"))
    OfferingFactory(trainer=profile, price_amount=45000)

    response = client.get("/trainers/anna/", HTTP_ACCEPT_LANGUAGE="sv")

    body = response.content.decode()
    assert "Löpning" in body
    assert "450 kr" in body


def test_public_page_location_map_config(client):
    trainer = TrainerProfileFactory(slug="anna", latitude=59.3569, longitude=18.0388)

    response = client.get("/trainers/anna/")

    config = json.loads(
        re.search(
            r'<script id="trainer-location-config" type="application/json">(.*?)</script>',
            response.content.decode(),
        ).group(1)
    )
    # visitors get the public point and an area, never the exact place
    assert (config["latitude"], config["longitude"]) == (
        trainer.public_latitude,
        trainer.public_longitude,
    )
    assert config["approximate"] is True
    assert config["tileUrl"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def test_unpublished_page_is_404_for_visitors_and_other_users(client):
    draft = draft_trainer(slug="hidden-trainer")

    anonymous = client.get("/trainers/hidden-trainer/")
    client.force_login(UserFactory())
    other_user = client.get("/trainers/hidden-trainer/")

    assert (anonymous.status_code, other_user.status_code) == (404, 404)
    assert draft.display_name.encode() not in other_user.content


def test_owner_previews_their_unpublished_page(client):
    draft = draft_trainer(slug="hidden-trainer", display_name="Dolda Tränaren")
    client.force_login(draft.user)

    response = client.get("/trainers/hidden-trainer/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Dolda Tränaren" in body
    assert 'data-testid="draft-banner"' in body


def test_unknown_trainer_is_404(client):
    assert client.get("/trainers/nobody/").status_code == 404


# --- home page -------------------------------------------------------------------------------


def discovery_config(response) -> dict:
    match = re.search(
        r'<script id="discovery-config" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(match.group(1))


@override_settings(TRAINO_MAP_TILE_URL="https://tiles.example.se/{z}/{x}/{y}.png")
def test_home_page_configures_the_map_from_settings(client):
    CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")

    response = client.get("/")

    assert response.status_code == 200
    config = discovery_config(response)
    assert config["tileUrl"] == "https://tiles.example.se/{z}/{x}/{y}.png"
    assert config["apiUrl"] == "/api/trainers"
    assert (config["center"], config["zoom"]) == ([59.3293, 18.0686], 11)
    body = response.content.decode()
    assert '<option value="yoga">Yoga</option>' in body
    assert "<script>" not in body  # no inline code: configuration only


def test_home_page_keeps_filters_and_view_from_the_address(client):
    CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")

    response = client.get("/?q=anna&category=yoga&price_max=500&at=57.7089,11.9746,13")

    config = discovery_config(response)
    assert (config["center"], config["zoom"]) == ([57.7089, 11.9746], 13)
    body = response.content.decode()
    assert 'name="q" value="anna"' in body
    assert '<option value="yoga" selected>Yoga</option>' in body
    assert 'name="price_max" value="500"' in body


@pytest.mark.parametrize("at", ["91,18,12", "59,18,40", "x,y,z", "59,18", "nan,18,12"])
def test_home_page_ignores_a_bad_view(client, at):
    response = client.get(f"/?at={at}")

    assert response.status_code == 200
    assert discovery_config(response)["center"] == [59.3293, 18.0686]
