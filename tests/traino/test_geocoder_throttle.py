"""Place look-ups (/api/places, /api/search) are limited per client IP address in the shared
cache (GEOCODER_REQUESTS_PER_MINUTE): past it 429 TOO_MANY_REQUESTS with Retry-After."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def three_lookups_a_minute(settings):
    settings.GEOCODER_REQUESTS_PER_MINUTE = 3


def lookup(client, path="/api/places", ip="10.0.0.1"):
    return client.get(path, {"q": "Göteborg"}, REMOTE_ADDR=ip)


def test_the_lookup_past_the_limit_is_429_with_retry_after(client):
    statuses = [lookup(client).status_code for _ in range(3)]
    refused = lookup(client)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_places_and_search_share_the_count_per_address():
    # given two clients (think two workers) from one address, and one from another
    first, second, elsewhere = Client(), Client(), Client()
    lookup(first, "/api/places")
    lookup(second, "/api/search")
    lookup(first, "/api/search")

    assert lookup(second, "/api/places").status_code == 429
    assert lookup(elsewhere, "/api/places", ip="10.0.0.2").status_code == 200


def test_zero_means_no_limit(client, settings):
    settings.GEOCODER_REQUESTS_PER_MINUTE = 0

    assert {lookup(client).status_code for _ in range(10)} == {200}


@pytest.mark.parametrize("path", ["/api/places", "/api/search"])
def test_the_schema_declares_the_429_with_retry_after(client, path):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    refused = schema["paths"][path]["get"]["responses"]["429"]

    assert refused["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "Retry-After" in refused["headers"]
