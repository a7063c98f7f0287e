"""The home page's search, sort and filters, and the map and list by mouse and keyboard, in a
real browser with the tile server unreachable (the gazetteer is the geocoder)."""

import re
from datetime import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import pin_public_point
from tests.e2e.test_discovery import TILE_HOST, api_call, card_names, expect_names
from tests.factories import CategoryFactory, OfferingFactory, TrainerProfileFactory

STOCKHOLM = (59.3293, 18.0686)


def trainer(name, latitude, longitude, *, price=45000, city="Stockholm", categories=(), **fields):
    profile = TrainerProfileFactory(
        display_name=name,
        slug=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
        latitude=latitude,
        longitude=longitude,
        city=city,
        min_price_amount=price,
        **fields,
    )
    OfferingFactory(trainer=profile, price_amount=price)
    profile.categories.add(*categories)
    return pin_public_point(profile)


@pytest.fixture
def page_offline(page):
    """Tiles fail quietly; any script error fails the test."""
    errors = []
    page.route(f"{TILE_HOST}**", lambda route: route.abort())
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


@pytest.fixture
def sweden(transactional_db):
    """Two trainers in Stockholm (one boxer) and two filed under Göteborg's neighbours."""
    boxing = CategoryFactory(slug="boxing", name_en="Boxing", name_sv="Boxning")
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    return {
        "boxer": trainer("Bo Boxare", 59.3300, 18.0690, categories=[boxing]),
        "stockholm": trainer("Stina Stad", 59.3320, 18.0600, price=30000),
        "molndal": trainer("Maja Mölndal", 57.6554, 12.0138, city="Mölndal", categories=[yoga]),
        "kungalv": trainer("Kalle Kungälv", 57.8707, 11.9805, city="Kungälv", price=60000),
    }


def expect_name_set(page, names: list[str], timeout_ms: int = 10_000):
    """The list shows these names, in any order: waits for the list that answers the
    latest search (a card count alone can still be the previous list's)."""
    waited = 0
    while card_names(page) != sorted(names) and waited < timeout_ms:
        page.wait_for_timeout(100)
        waited += 100
    assert card_names(page) == sorted(names)


def search(page, text):
    box = page.get_by_label("Search", exact=True)
    box.fill(text)
    box.press("Enter")


@pytest.mark.browser
@pytest.mark.parametrize("words", ["Boxing", "boxning", "BOXNING"])
def test_a_category_s_name_in_either_language_finds_its_trainers(page_offline, sweden, words):
    page = page_offline
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("2 trainers in this area")

    with api_call(page, contains=[f"q={words}"]):
        search(page, words)

    expect_names(page, ["Bo Boxare"])
    expect(page.get_by_test_id("place-note")).to_be_hidden()  # a category is never a place
    assert page.errors == []


@pytest.mark.browser
def test_a_place_name_moves_the_map_there_and_lists_the_trainers_around_it(page_offline, sweden):
    page = page_offline
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("2 trainers in this area")

    # when they search for Göteborg, where nobody is filed under that city
    search(page, "Göteborg")

    # then the map moves there and lists the trainers of Mölndal and Kungälv
    expect(page.get_by_test_id("place-note")).to_contain_text("Trainers around Gothenburg.")
    expect(page.locator("[data-testid=trainer-card]")).to_have_count(2)
    expect_name_set(page, ["Kalle Kungälv", "Maja Mölndal"])
    expect(page).to_have_url(re.compile(r"q=G%C3%B6teborg.*at=57\.\d+,1[12]\.\d+,\d+"))
    screenshot(page, "discovery-place-search")

    # when they narrow it to yoga around Göteborg
    search(page, "yoga i Göteborg")
    expect(page.get_by_test_id("place-note")).to_contain_text(
        "Trainers around Gothenburg matching “yoga”."
    )
    expect_names(page, ["Maja Mölndal"])

    # when they ask for the words as text instead: nobody's text says "yoga i Göteborg"
    page.get_by_test_id("search-as-text").click()
    expect(page.get_by_test_id("place-note")).to_be_hidden()
    expect(page.get_by_test_id("trainer-count")).to_have_text("0 trainers in this area")
    expect(page).to_have_url(re.compile(r"match=text"))
    assert page.errors == []


@pytest.mark.browser
def test_opening_the_page_with_a_place_in_the_address_starts_there(
    page_offline, sweden, live_server
):
    page = page_offline
    page.context.add_cookies([{"name": "django_language", "value": "sv", "url": live_server.url}])

    page.goto("/?q=goteborg")

    expect(page.get_by_test_id("place-note")).to_contain_text("Tränare runt Göteborg.")
    expect(page.locator("[data-testid=trainer-card]")).to_have_count(2)
    expect_name_set(page, ["Kalle Kungälv", "Maja Mölndal"])


@pytest.mark.browser
def test_an_invalid_max_price_is_shown_as_an_error_and_not_searched(page_offline, sweden):
    page = page_offline
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("2 trainers in this area")
    price = page.get_by_label("Max price")
    seen = []
    page.on("request", lambda r: seen.append(r.url) if "/api/trainers?" in r.url else None)

    price.fill("12.5")
    price.press("Enter")

    error = page.get_by_test_id("price-error")
    expect(error).to_have_text("Enter the max price in whole kronor, from 0 to 21 474 836.")
    expect(price).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(600)  # past the typing pause: still no request
    assert seen == []

    # when they correct it, the error goes and the list follows
    with api_call(page, contains=["price_max=40000"]):
        price.fill("400")
    expect(error).to_be_hidden()
    expect_names(page, ["Stina Stad"])

    # and a bad value in the address is shown the same way, the list showing any price
    page.goto("/?price_max=abc")
    expect(page.get_by_test_id("price-error")).to_be_visible()
    expect(page.get_by_test_id("trainer-count")).to_have_text("2 trainers in this area")
    assert page.errors == []


@pytest.mark.browser
def test_the_list_sorts_by_price_and_by_distance(page_offline, sweden):
    page = page_offline
    trainer("Dyr Dora", 59.3000, 18.1000, price=90000)
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("3 trainers in this area")
    # nearest to the map's centre first by default
    expect_names(page, ["Bo Boxare", "Stina Stad", "Dyr Dora"])

    with api_call(page, contains=["sort=price"]):
        page.get_by_label("Sort").select_option("price")

    expect_names(page, ["Stina Stad", "Bo Boxare", "Dyr Dora"])
    expect(page).to_have_url(re.compile(r"sort=price"))


@pytest.mark.browser
def test_free_times_this_week_keeps_the_trainers_with_a_bookable_session(page_offline, sweden):
    from bookings import services

    page = page_offline
    today = timezone.localdate()
    offering = sweden["stockholm"].offerings.get()
    services.schedule_create(
        trainer=sweden["stockholm"],
        offering=offering,
        starts_on=today,
        start_time=time(7, 0),
        rrule="FREQ=DAILY",
    )
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("2 trainers in this area")

    with page.expect_response(lambda r: "/api/availability/trainers?" in r.url):
        page.get_by_label("Free times this week").check()

    expect_names(page, ["Stina Stad"])
    expect(page.get_by_test_id("trainer-count")).to_have_text("1 trainer with free times this week")
    expect(page).to_have_url(re.compile(r"available=week"))
    assert page.errors == []


# --- map and list together, and the keyboard ----------------------------------------------


@pytest.fixture
def grid(transactional_db):
    """20 trainers on a grid around the map's start, far enough apart not to cluster."""
    profiles = []
    for row in range(4):
        for column in range(5):
            latitude = STOCKHOLM[0] + (row - 1.5) * 0.035
            longitude = STOCKHOLM[1] + (column - 2) * 0.07
            profiles.append(trainer(f"Tränare {row}{column}", latitude, longitude))
    return profiles


@pytest.mark.browser
def test_selecting_a_marker_marks_its_row_and_scrolls_the_list_not_the_page(page_offline, grid):
    page = page_offline
    page.goto("/")
    expect(page.locator("[data-testid=trainer-card]")).to_have_count(20)
    expect(page.locator(".leaflet-marker-icon.pin")).to_have_count(20)
    # the farthest trainer from the centre is last in the list, out of the list's view
    last = page.locator("[data-testid=trainer-card]").last
    name = last.locator(".trainer-card-name").inner_text()
    list_box = page.get_by_test_id("trainer-list")
    assert list_box.evaluate("list => list.scrollTop") == 0

    page.locator(f".leaflet-marker-icon.pin[title='{name}']").click()

    row = page.locator("[data-testid=trainer-card].is-selected")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("aria-current", "true")
    expect(row.locator(".trainer-card-name")).to_have_text(name)
    expect(page.locator(f".leaflet-marker-icon.pin.is-selected[title='{name}']")).to_have_count(1)
    page.wait_for_function("() => document.getElementById('trainer-list').scrollTop > 100")
    expect(row).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") == 0
    background = row.locator(".trainer-card-link").evaluate(
        "link => getComputedStyle(link).backgroundColor"
    )
    assert background == "rgb(227, 243, 239)"
    screenshot(page, "discovery-marker-selected", full_page=False)
    assert page.errors == []


@pytest.mark.browser
def test_a_marker_is_selected_with_the_keyboard_too(page_offline, grid):
    page = page_offline
    page.goto("/")
    expect(page.locator(".leaflet-marker-icon.pin")).to_have_count(20)
    marker = page.locator(".leaflet-marker-icon.pin").first
    name = marker.get_attribute("title")

    marker.focus()
    outline = marker.evaluate("m => getComputedStyle(m).outlineStyle")
    page.keyboard.press("Enter")

    assert outline == "solid"  # the focus ring shows which marker has the keyboard
    expect(page.locator("[data-testid=trainer-card].is-selected .trainer-card-name")).to_have_text(
        name
    )


@pytest.mark.browser
def test_the_skip_link_takes_the_keyboard_past_the_map_to_the_first_trainer(page_offline, grid):
    page = page_offline
    page.goto("/")
    expect(page.locator("[data-testid=trainer-card]")).to_have_count(20)
    page.get_by_role("button", name="Search", exact=True).focus()

    # the next stop after the search form is the skip link, visible once focused
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-to-results")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert skip.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"

    # following it, two more stops reach the first trainer: the sort, then the card
    page.keyboard.press("Enter")
    expect(page.locator("#trainer-results")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Sort")).to_be_focused()
    page.keyboard.press("Tab")
    first_card = page.locator("[data-testid=trainer-card] a").first
    expect(first_card).to_be_focused()
    assert first_card.evaluate("a => getComputedStyle(a).outlineStyle") == "solid"


@pytest.mark.browser
def test_without_the_skip_link_the_map_holds_no_more_stops_than_its_markers(page_offline):
    # given 60 trainers in a small area: they cluster into a few markers
    for n in range(60):
        trainer(f"Nära {n:02d}", 59.32 + (n % 6) * 0.002, 18.05 + (n // 6) * 0.003)
    page = page_offline
    page.goto("/")
    expect(page.get_by_test_id("trainer-count")).to_have_text("60 trainers in this area")
    markers = page.locator(".leaflet-marker-icon").count()
    assert markers <= 6

    page.get_by_test_id("skip-to-results").focus()
    stops = 0
    while stops < 40:
        page.keyboard.press("Tab")
        stops += 1
        focused = page.evaluate("() => document.activeElement.closest('.trainer-card') !== null")
        if focused:
            break
    # the map itself, its zoom buttons, the markers, attribution links, then the sort
    assert stops <= markers + 6, stops


@pytest.mark.browser
def test_on_a_phone_selecting_a_marker_leaves_the_page_where_it_is(page_offline, grid):
    page = page_offline
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.locator("[data-testid=trainer-card]").first).to_be_visible()
    marker = page.locator(".leaflet-marker-icon.pin").first
    name = marker.get_attribute("title")
    before = page.evaluate("() => window.scrollY")

    marker.click()

    expect(page.locator("[data-testid=trainer-card].is-selected .trainer-card-name")).to_have_text(
        name
    )
    assert page.evaluate("() => window.scrollY") == before


@pytest.mark.browser
def test_a_text_search_past_its_count_limit_says_more_than(page_offline, sweden, monkeypatch):
    # given three Qvists in Stockholm, a text search that counts to two, one card a page
    monkeypatch.setattr("marketplace.api_trainers.TEXT_COUNT_LIMIT", 2)
    monkeypatch.setattr("marketplace.api_trainers.PAGE_SIZE", 1)
    monkeypatch.setattr("marketplace.trainer_views.DISCOVERY_MAX_PAGES", 1)
    for name, longitude in (
        ("Anna Qvist", 18.061),
        ("Bo Qvistberg", 18.062),
        ("Ola Ekqvist", 18.063),
    ):
        trainer(name, 59.331, longitude)
    page = page_offline
    page.goto("/")

    # when a visitor searches for them
    with api_call(page, contains=["q=qvist"]):
        search(page, "qvist")

    # then the list shows one and says there are more than two, not "of 2"
    expect(page.get_by_test_id("trainer-count")).to_have_text(
        "Showing 1 of more than 2 trainers in this area"
    )
    screenshot(page, "discovery-text-search-more-than")
    assert page.errors == []
