"""GET /api/places?q= lists what marketplace.places.find_places finds, for logged-in users."""

import pytest

from marketplace import places
from marketplace.places import Place
from tests.factories import TrainerUserFactory

pytestmark = pytest.mark.django_db

GOTGATAN = Place(name="Götgatan 40, Stockholm", latitude=59.3135, longitude=18.0735)


@pytest.fixture
def asked(monkeypatch):
    """What find_places was asked; it answers Götgatan 40 and six more."""
    calls = []

    def find_places(query, *, language, limit=places.MAX_PLACES):
        calls.append((query, language))
        more = [Place(name=f"Götgatan {n}", latitude=59.3, longitude=18.07) for n in range(6)]
        return [GOTGATAN, *more]

    monkeypatch.setattr(places, "find_places", find_places)
    return calls


def test_lists_at_most_five_places_in_the_asked_language(api_client, asked):
    api_client.force_authenticate(TrainerUserFactory())

    response = api_client.get(
        "/api/places", {"q": "  Götgatan 40 "}, headers={"Accept-Language": "sv"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["places"][0] == {
        "name": "Götgatan 40, Stockholm",
        "latitude": 59.3135,
        "longitude": 18.0735,
    }
    assert len(body["places"]) == 5
    assert asked == [("Götgatan 40", "sv")]


@pytest.mark.parametrize("q", ["", "a", "x" * 201])
def test_refuses_a_query_too_short_or_too_long(api_client, asked, q):
    api_client.force_authenticate(TrainerUserFactory())

    response = api_client.get("/api/places", {"q": q})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["fields"]) == ["q"]
    assert asked == []


def test_needs_a_log_in(api_client, asked):
    response = api_client.get("/api/places", {"q": "Götgatan"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_AUTHENTICATED"
    assert asked == []


def test_without_a_geocoder_nothing_is_found(api_client):
    api_client.force_authenticate(TrainerUserFactory())

    response = api_client.get("/api/places", {"q": "Götgatan 40"})

    assert (response.status_code, response.json()) == (200, {"places": []})


def test_the_schema_declares_the_endpoint_and_its_errors(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/places"]["get"]
    assert operation["operationId"] == "places_search"
    assert {"200", "400", "401"} <= set(operation["responses"])
    assert [p["name"] for p in operation["parameters"]] == ["q"]
