"""A trainer finds their place by typing an address, as well as by clicking the map."""

import pytest
from playwright.sync_api import expect

from marketplace import api_places
from marketplace.geocoding import Place
from marketplace.models import TrainerProfile
from tests.e2e.accessibility import assert_accessible
from tests.e2e.helpers import log_in, without_tiles
from tests.factories import TrainerProfileFactory


@pytest.mark.browser
def test_typing_an_address_puts_the_pin_there(page, live_server, monkeypatch):
    # given a geocoder that knows Götgatan 40 and a new trainer on their profile page
    def geocode(query, language):
        if "götgatan" not in query.lower():
            return []
        return [
            Place("Götgatan 40, Stockholm", 59.3135, 18.0735, bbox=None, kind="house"),
            Place("Götgatan 40, Göteborg", 57.7081, 11.9727, bbox=None, kind="house"),
        ]

    monkeypatch.setattr(api_places, "geocode", geocode)
    profile = TrainerProfileFactory(
        is_published=False, latitude=None, longitude=None, address="", display_name="Greta"
    )
    without_tiles(page)
    log_in(page, live_server, profile.user)
    page.goto("/trainer/profile/")
    search = page.get_by_label("Find the place by its address")

    # when they search for a place that does not exist
    search.fill("Ingenstans 1")
    search.press("Enter")

    # then they are told, and the profile form was not sent
    expect(page.locator("#place-status")).to_have_text(
        "No place found. Try a street and a town, or click the map."
    )
    expect(page.get_by_test_id("place-results")).to_be_hidden()

    # when they type the address and choose the Stockholm one of the two places found
    search.fill("Götgatan 40")
    page.get_by_test_id("place-search-button").click()
    results = page.get_by_test_id("place-results").get_by_role("button")
    expect(results).to_have_text(["Götgatan 40, Stockholm", "Götgatan 40, Göteborg"])
    assert_accessible(page)
    results.first.click()

    # then the pin and the coordinates are there, the address is filled in, and saving keeps it
    expect(page.get_by_label("Latitude")).to_have_value("59.313500")
    expect(page.get_by_label("Longitude")).to_have_value("18.073500")
    expect(page.get_by_label("Address or meeting place")).to_have_value("Götgatan 40, Stockholm")
    expect(page.locator("#location-picker .leaflet-marker-icon")).to_have_count(1)
    page.get_by_test_id("save-profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    row = TrainerProfile.objects.get(pk=profile.pk)
    assert (row.latitude, row.longitude, row.address) == (
        59.3135,
        18.0735,
        "Götgatan 40, Stockholm",
    )
