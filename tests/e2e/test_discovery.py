"""The home page's map discovery in a real browser, with the tile server unreachable."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import pin_public_point
from tests.factories import CategoryFactory, OfferingFactory, TrainerProfileFactory

TILE_HOST = "https://tile.openstreetmap.org/"

# Three trainers within 300 m of the map's starting centre (59.3293, 18.0686), two 5-6 km
# away: all five are in the first view (zoom 11), only the central three at zoom 14.
CENTRAL = [
    ("Anna Lindqvist", "anna-lindqvist", 59.3300, 18.0690, 45000),
    ("Björn Sandberg", "bjorn-sandberg", 59.3281, 18.0652, 45000),
    ("Cecilia Holm", "cecilia-holm", 59.3312, 18.0735, 30000),
]
OUTSKIRTS = [
    ("David Solberg", "david-solberg", 59.3600, 18.0000, 45000),
    ("Elin Nacksten", "elin-nacksten", 59.3100, 18.1630, 45000),
]


def trainer(name, slug, latitude, longitude, price, **fields):
    profile = TrainerProfileFactory(
        display_name=name,
        slug=slug,
        latitude=latitude,
        longitude=longitude,
        min_price_amount=price,
        **fields,
    )
    OfferingFactory(trainer=profile, price_amount=price)
    return pin_public_point(profile)


@pytest.fixture
def trainers(transactional_db):
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    CategoryFactory(slug="boxing", name_en="Boxing", name_sv="Boxning")
    profiles = {row[1]: trainer(*row) for row in CENTRAL + OUTSKIRTS}
    profiles["cecilia-holm"].categories.add(yoga)
    trainer("Dolda Draftsson", "dolda-draftsson", 59.3293, 18.0686, 45000, is_published=False)
    return profiles


@pytest.fixture
def offline_page(page):
    """The page with every tile request failing, and every script error or console error kept."""
    seen = {"tiles": 0, "page_errors": [], "console_errors": []}

    def abort_tile(route):
        seen["tiles"] += 1
        route.abort()

    def console(message):
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and url.startswith(TILE_HOST):
            return  # the browser's own log of the aborted tile request, not a script error
        seen["console_errors"].append(f"{message.text} ({url})")

    page.route(f"{TILE_HOST}**", abort_tile)
    page.on("console", console)
    page.on("pageerror", lambda error: seen["page_errors"].append(str(error)))
    page.seen = seen
    return page


def card_names(page) -> list[str]:
    return sorted(page.locator("[data-testid=trainer-card] .trainer-card-name").all_inner_texts())


@pytest.mark.browser
def test_map_lists_trainers_in_view_and_zooming_narrows_the_list(offline_page, trainers):
    page = offline_page

    # when a visitor opens the home page with no map tiles reachable
    page.goto("/")

    # then the five published trainers in view are listed, and shown on the blank map
    expect(page.get_by_test_id("trainer-count")).to_have_text("5 trainers in this area")
    assert card_names(page) == sorted(name for name, *_ in CENTRAL + OUTSKIRTS)
    expect(page.locator(".leaflet-marker-icon.cluster")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon.cluster")).to_have_text("3")
    expect(page.locator(".leaflet-marker-icon.pin")).to_have_count(2)
    expect(page.get_by_text("The map background could not be loaded.")).to_be_visible()
    screenshot(page, "discovery-desktop")

    # when they zoom in three steps on the centre (the address bar keeps the view)
    for zoom in (12, 13, 14):
        page.get_by_role("button", name="Zoom in").click()
        expect(page).to_have_url(re.compile(rf"[?&]at=59\.\d+,18\.\d+,{zoom}$"))

    # then only the three central trainers are in view
    expect(page.get_by_test_id("trainer-count")).to_have_text("3 trainers in this area")
    assert card_names(page) == sorted(name for name, *_ in CENTRAL)

    # and nothing went wrong in the page, although the tiles were asked for and failed
    assert page.seen["page_errors"] == []
    assert page.seen["console_errors"] == []
    assert page.seen["tiles"] >= 1


@pytest.mark.browser
def test_clicking_a_cluster_zooms_in_until_the_trainers_separate(offline_page, trainers):
    page = offline_page
    page.goto("/")
    cluster = page.locator(".leaflet-marker-icon.cluster")
    expect(cluster).to_have_text("3")

    cluster.click()

    expect(page.locator(".leaflet-marker-icon.cluster")).to_have_count(0, timeout=15_000)
    expect(page.locator(".leaflet-marker-icon.pin")).to_have_count(3)
    expect(page.get_by_test_id("trainer-count")).to_have_text("3 trainers in this area")
    assert page.seen["page_errors"] == []
    assert page.seen["console_errors"] == []


def api_call(page, *, contains: list[str], lacks: list[str] = ()):
    """Wait for the discovery request whose URL has (and lacks) these query pieces."""

    def matches(response):
        url = response.url
        return (
            "/api/trainers?" in url
            and all(piece in url for piece in contains)
            and not any(piece in url for piece in lacks)
        )

    return page.expect_response(matches)


def expect_names(page, names: list[str]):
    expect(page.locator("[data-testid=trainer-card] .trainer-card-name")).to_have_text(names)


@pytest.mark.browser
def test_filters_narrow_the_list(offline_page, trainers):
    page = offline_page
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("5 trainers in this area")

    # when they pick a category
    with api_call(page, contains=["category=yoga"]):
        page.get_by_label("Training").select_option("yoga")
    # then only the yoga trainer remains
    expect_names(page, ["Cecilia Holm"])
    expect(page.get_by_test_id("trainer-count")).to_have_text("1 trainer in this area")

    # when they clear it and cap the price at 400 kr, which the API gets in öre
    with api_call(page, contains=["bbox="], lacks=["category"]):
        page.get_by_label("Training").select_option("")
    expect(page.get_by_test_id("trainer-count")).to_have_text("5 trainers in this area")
    with api_call(page, contains=["price_max=40000"]) as response:
        page.get_by_label("Max price").fill("400")
    assert response.value.json()["count"] == 1
    # then only the trainer from 300 kr remains
    expect_names(page, ["Cecilia Holm"])

    # when they search for a name instead
    with api_call(page, contains=["q=Solberg"], lacks=["price_max"]):
        page.get_by_label("Max price").fill("")
        page.get_by_label("Search", exact=True).fill("Solberg")
    expect_names(page, ["David Solberg"])

    # when nothing matches
    page.get_by_label("Search", exact=True).fill("Ingen sådan tränare")
    expect(page.get_by_text("No trainers here yet.")).to_be_visible()
    expect(page.get_by_test_id("trainer-count")).to_have_text("0 trainers in this area")
    assert page.seen["page_errors"] == []
    assert page.seen["console_errors"] == []


@pytest.mark.browser
def test_clicking_a_trainer_opens_the_public_page(offline_page, trainers):
    page = offline_page
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("5 trainers in this area")

    page.locator("[data-testid=trainer-card]", has_text="Anna Lindqvist").click()

    expect(page).to_have_url(re.compile(r"/trainers/anna-lindqvist/$"))
    expect(page.get_by_test_id("trainer-name")).to_have_text("Anna Lindqvist")
    expect(page.get_by_test_id("offering-price")).to_have_text("450 kr")
    # visitors see the area around the public point, not a pin on the exact place
    expect(page.locator("path.trainer-area")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon.pin")).to_have_count(0)
    screenshot(page, "trainer-page-desktop")
    assert page.seen["page_errors"] == []
    assert page.seen["console_errors"] == []


@pytest.mark.browser
def test_phone_layout_puts_the_list_below_the_map(offline_page, trainers):
    page = offline_page
    page.set_viewport_size(PHONE)

    page.goto("/")

    expect(page.locator("[data-testid=trainer-card]").first).to_be_visible()
    map_box = page.get_by_test_id("discovery-map").bounding_box()
    list_box = page.get_by_test_id("trainer-list").bounding_box()
    assert list_box["y"] >= map_box["y"] + map_box["height"]
    assert map_box["width"] == PHONE["width"]
    screenshot(page, "discovery-phone")
    assert page.seen["page_errors"] == []
    assert page.seen["console_errors"] == []


@pytest.mark.browser
def test_more_trainers_than_one_page_are_all_on_the_map(offline_page, transactional_db):
    # given 60 trainers in the first view: more than the API's page of 50
    for n in range(60):
        trainer(f"Tränare {n:02d}", f"tranare-{n:02d}", 59.30 + n * 0.001, 18.00 + n * 0.002, 45000)
    page = offline_page

    page.goto("/")

    expect(page.get_by_test_id("trainer-count")).to_have_text("60 trainers in this area")
    expect(page.locator("[data-testid=trainer-card]")).to_have_count(60)
    assert page.seen["page_errors"] == []


def log_in(page, live_server, user):
    """Put a logged-in session cookie into the browser, without the login form."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.mark.browser
def test_a_user_becomes_a_trainer_and_appears_on_the_map(offline_page, live_server, trainers):
    from marketplace.models import TrainerProfile
    from tests.factories import UserFactory, coming_schedule

    page = offline_page
    user = UserFactory(name="Greta Gran")
    log_in(page, live_server, user)

    # when they become a trainer
    page.goto("/trainer/become/")
    page.get_by_test_id("become-trainer").click()
    expect(page).to_have_url(re.compile(r"/trainer/setup/$"))
    expect(page.get_by_test_id("status-badge")).to_have_text("Draft")
    page.get_by_test_id("nav-profile").click()

    # and fill in the profile, setting the location with a click on the map
    page.get_by_label("About you").fill("Yoga i parken, året runt.")
    page.get_by_label("Yoga").check()
    page.get_by_label("Swedish").check()
    page.get_by_label("City").fill("Stockholm")
    page.get_by_test_id("location-picker").click(position={"x": 200, "y": 160})
    latitude = float(page.get_by_label("Latitude").input_value())
    longitude = float(page.get_by_label("Longitude").input_value())
    assert 59.2 < latitude < 59.5 and 17.8 < longitude < 18.3
    screenshot(page, "trainer-profile-desktop")
    page.get_by_test_id("save-profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()

    # then the profile row has what they entered
    profile = TrainerProfile.objects.get(user=user)
    assert (profile.latitude, profile.longitude) == (latitude, longitude)
    assert list(profile.categories.values_list("slug", flat=True)) == ["yoga"]
    assert profile.languages == ["sv"]

    # when they try to publish without an offering
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("publish-errors")).to_contain_text(
        "Add at least one active offering before publishing."
    )

    # and add an offering at 450 kr, then publish
    page.get_by_role("link", name="Offerings", exact=True).click()
    page.get_by_test_id("new-offering").click()
    page.get_by_label("Title").fill("Yoga i Vasaparken")
    page.get_by_label("Price (kr)").fill("450")
    page.get_by_label("Participants").fill("10")
    screenshot(page, "offering-form-desktop")
    page.get_by_test_id("save-offering").click()
    expect(page.get_by_test_id("offering-row")).to_have_text(re.compile("Group of up to 10"))
    coming_schedule(profile.offerings.get())  # publishing needs a coming session
    page.get_by_test_id("nav-profile").click()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("status-badge")).to_have_text("Published")

    # then they are found on the map, and their page shows the price
    page.goto("/?q=Greta")
    expect(page.locator("[data-testid=trainer-card] .trainer-card-name")).to_have_text(
        ["Greta Gran"]
    )
    page.locator("[data-testid=trainer-card]", has_text="Greta Gran").click()
    expect(page.get_by_test_id("offering-price")).to_have_text("450 kr")
    assert page.seen["page_errors"] == []
    assert page.seen["console_errors"] == []
