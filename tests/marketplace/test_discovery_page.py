"""The home page's server side: filters kept from the address, the max price checked, the
sort, the skip link, and what the page's script is configured with."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def config(response) -> dict:
    found = re.search(
        r'<script id="discovery-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


@pytest.mark.parametrize("price", ["abc", "12.5", "-3", "99999999", "٣"])
def test_a_max_price_that_is_not_whole_kronor_is_shown_as_an_error(client, price):
    response = client.get("/", {"price_max": price})

    body = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in body
    assert re.search(
        r'<p class="field-error filter-error" id="filter-price-error" data-testid="price-error">'
        r"Enter the max price in whole kronor, from 0 to 21\xa0474\xa0836.</p>",
        body,
    )


@pytest.mark.parametrize("price", ["", "0", "400", "21474836"])
def test_a_whole_max_price_is_kept_without_an_error(client, price):
    body = client.get("/", {"price_max": price}).content.decode()

    assert 'aria-invalid="true"' not in body
    assert 'data-testid="price-error" hidden></p>' in body
    assert f'name="price_max" value="{price}"' in body


def test_sort_available_and_text_match_are_kept_from_the_address(client):
    body = client.get("/", {"sort": "price", "available": "week", "match": "text"}).content
    body = body.decode()

    assert '<option value="price" selected>Lowest price</option>' in body
    assert re.search(r'id="filter-available" name="available" value="week"\s+checked', body)
    assert 'name="match" id="filter-match" value="text"' in body


def test_the_default_sort_is_nearest_first_and_an_unknown_one_is_ignored(client):
    for params in ({}, {"sort": "cheapest"}):
        body = client.get("/", params).content.decode()
        assert '<option value="distance" selected>Nearest first</option>' in body


def test_the_page_has_a_skip_link_to_the_results_and_labels_in_swedish(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert '<a class="skip-link" href="#trainer-results"' in body
    assert ">Hoppa till resultaten</a>" in body
    assert 'id="trainer-results" tabindex="-1"' in body
    assert '<label for="filter-available">Lediga tider i veckan</label>' in body
    assert '<option value="distance" selected>Närmast först</option>' in body


def test_the_script_is_configured_with_the_search_and_availability_apis(client):
    found = config(client.get("/", {"at": "57.7,11.97,12"}))

    assert found["searchUrl"] == "/api/search"
    assert found["availabilityUrl"] == "/api/availability/trainers"
    assert found["viewGiven"] is True
    assert found["maxPriceKr"] == 21474836
    assert found["text"]["around"] == "Trainers around %(place)s."
    assert config(client.get("/"))["viewGiven"] is False
