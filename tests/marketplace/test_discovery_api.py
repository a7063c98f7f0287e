"""GET /api/trainers and /api/trainers/<id>: the public discovery API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace import services
from marketplace.api_trainers import PAGE_SIZE
from marketplace.models import TrainerProfile
from tests.factories import (
    CategoryFactory,
    OfferingFactory,
    TrainerProfileFactory,
)

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"  # west, south, east, north: Stockholm


def get(api_client, **params):
    return api_client.get("/api/trainers", params)


def at_public_point(trainer, latitude, longitude):
    """Put the trainer's public point (what the box matches) exactly there."""
    TrainerProfile.objects.filter(pk=trainer.pk).update(
        public_latitude=latitude, public_longitude=longitude
    )
    return trainer


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_a_published_trainer_in_the_box_is_listed_with_its_summary(api_client):
    # given
    yoga = CategoryFactory(slug="yoga", name_en="Yoga", name_sv="Yoga")
    strength = CategoryFactory(slug="strength", name_en="Strength training", name_sv="Styrka")
    trainer = TrainerProfileFactory(
        slug="anna-lindqvist",
        display_name="Anna Lindqvist",
        city="Stockholm",
        latitude=59.33,
        longitude=18.06,
        min_price_amount=45000,
    )
    trainer.categories.set([yoga, strength])

    # when
    response = get(api_client, bbox=BOX)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": trainer.pk,
                "slug": "anna-lindqvist",
                "display_name": "Anna Lindqvist",
                "city": "Stockholm",
                "latitude": trainer.public_latitude,
                "longitude": trainer.public_longitude,
                "location_is_approximate": True,
                "verified": False,
                "categories": [
                    {"slug": "strength", "name": "Strength training"},
                    {"slug": "yoga", "name": "Yoga"},
                ],
                "min_price": {"amount": 45000, "currency": "SEK", "formatted": "450 kr"},
                "rating": None,
                "rating_average": None,
                "rating_count": 0,
                "photo_url": None,
                "url": "/trainers/anna-lindqvist/",
            }
        ],
    }


def test_category_names_follow_accept_language(api_client):
    trainer = TrainerProfileFactory()
    trainer.categories.set([CategoryFactory(slug="running", name_en="Running", name_sv="Löpning")])

    response = api_client.get("/api/trainers", {"bbox": BOX}, HTTP_ACCEPT_LANGUAGE="sv")

    assert response.json()["results"][0]["categories"] == [{"slug": "running", "name": "Löpning"}]


def test_rating_is_given_when_there_are_reviews(api_client):
    TrainerProfileFactory(rating_avg="4.50", rating_count=12)

    response = get(api_client, bbox=BOX)

    assert response.json()["results"][0]["rating"] == {"average": 4.5, "count": 12}


def test_a_stale_token_does_not_stop_a_public_read(api_client):
    TrainerProfileFactory()

    response = api_client.get("/api/trainers", {"bbox": BOX}, HTTP_AUTHORIZATION="Bearer nope")

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(59.2, 18.0), (59.4, 18.0), (59.3, 17.9), (59.3, 18.2), (59.2, 17.9), (59.4, 18.2)],
    ids=["south edge", "north edge", "west edge", "east edge", "SW corner", "NE corner"],
)
def test_a_trainer_exactly_on_the_border_is_inside(api_client, latitude, longitude):
    # the box is matched against the public point (marketplace/location.py)
    trainer = at_public_point(TrainerProfileFactory(), latitude, longitude)

    response = get(api_client, bbox=BOX)

    assert ids(response) == [trainer.pk]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(59.1999, 18.0), (59.4001, 18.0), (59.3, 17.8999), (59.3, 18.2001)],
    ids=["south of", "north of", "west of", "east of"],
)
def test_a_trainer_just_outside_the_box_is_not_listed(api_client, latitude, longitude):
    at_public_point(TrainerProfileFactory(), latitude, longitude)

    response = get(api_client, bbox=BOX)

    assert response.json() == {
        "count": 0,
        "count_exact": True,
        "next": None,
        "previous": None,
        "results": [],
    }


def test_unpublished_trainers_are_hidden(api_client):
    TrainerProfileFactory(is_published=False)
    shown = TrainerProfileFactory()

    response = get(api_client, bbox=BOX)

    assert ids(response) == [shown.pk]


def test_category_filter(api_client):
    yoga = CategoryFactory(slug="yoga")
    yogi = TrainerProfileFactory()
    yogi.categories.set([yoga, CategoryFactory(slug="pilates")])
    TrainerProfileFactory().categories.set([CategoryFactory(slug="boxing")])

    response = get(api_client, bbox=BOX, category="yoga")

    assert ids(response) == [yogi.pk]


@pytest.mark.parametrize("q", ["lindq", "södermalm", "kettlebell", "Mammagympa"])
def test_text_filter_matches_name_city_bio_and_offering_title(api_client, q):
    match = TrainerProfileFactory(
        display_name="Anna Lindqvist", city="Södermalm", bio="Kettlebells och mobilitet."
    )
    OfferingFactory(trainer=match, title="MAMMAGYMPA i parken")
    other = TrainerProfileFactory(display_name="Erik Berg", city="Solna", bio="Löpning.")
    OfferingFactory(trainer=other, title="Personlig träning")
    for profile in (match, other):
        services.trainer_refresh_min_price(profile=profile)

    response = get(api_client, bbox=BOX, q=q)

    assert ids(response) == [match.pk]


@pytest.mark.postgres(reason="SQLite's LIKE folds ASCII letters only; PostgreSQL folds å, ä, ö")
def test_text_filter_folds_swedish_letters_on_postgresql(api_client):
    match = TrainerProfileFactory(city="Södermalm", bio="Löpträning vid Årstaviken")
    TrainerProfileFactory(city="Solna", bio="")

    by_city = get(api_client, bbox=BOX, q="SÖDERMALM")
    by_bio = get(api_client, bbox=BOX, q="årstaVIKEN")

    assert ids(by_city) == [match.pk]
    assert ids(by_bio) == [match.pk]


def test_text_filter_ignores_inactive_offerings_and_lists_a_trainer_once(api_client):
    trainer = TrainerProfileFactory(display_name="Erik Berg", bio="")
    OfferingFactory(trainer=trainer, title="Yoga basics")
    OfferingFactory(trainer=trainer, title="Yoga advanced")
    hidden = TrainerProfileFactory(display_name="Sara Ek", bio="")
    OfferingFactory(trainer=hidden, title="Yoga old", is_active=False)
    OfferingFactory(trainer=hidden, title="Pilates")
    for profile in (trainer, hidden):
        services.trainer_refresh_min_price(profile=profile)

    response = get(api_client, bbox=BOX, q="yoga")

    assert ids(response) == [trainer.pk]
    assert response.json()["count"] == 1


def test_price_max_keeps_trainers_whose_lowest_price_is_at_most_it(api_client):
    cheap = TrainerProfileFactory(min_price_amount=35000)
    exact = TrainerProfileFactory(min_price_amount=50000)
    TrainerProfileFactory(min_price_amount=50001)

    response = get(api_client, bbox=BOX, price_max="50000")

    assert ids(response) == [cheap.pk, exact.pk]


def test_pagination_gives_50_a_page_with_links(api_client):
    trainers = TrainerProfileFactory.create_batch(PAGE_SIZE + 3)

    first = get(api_client, bbox=BOX)
    second = get(api_client, bbox=BOX, page="2")

    assert first.status_code == 200
    assert first.json()["count"] == 53
    assert ids(first) == [t.pk for t in trainers[:50]]
    assert first.json()["previous"] is None
    assert first.json()["next"] == f"http://testserver/api/trainers?bbox={BOX}&page=2".replace(
        ",", "%2C"
    )
    assert second.status_code == 200
    assert ids(second) == [t.pk for t in trainers[50:]]
    assert second.json()["next"] is None
    assert (
        second.json()["previous"] == "http://testserver/api/trainers?bbox=17.9%2C59.2%2C18.2%2C59.4"
    )


def test_count_stops_at_the_limit_and_says_so(api_client, monkeypatch):
    # given: more trainers than the count limit
    monkeypatch.setattr("marketplace.api_trainers.COUNT_LIMIT", 2)
    monkeypatch.setattr("marketplace.api_trainers.PAGE_SIZE", 1)
    trainers = TrainerProfileFactory.create_batch(4)

    # when
    first = get(api_client, bbox=BOX)
    last = get(api_client, bbox=BOX, page="4")
    beyond = get(api_client, bbox=BOX, page="5")

    # then
    assert (first.json()["count"], first.json()["count_exact"]) == (2, False)
    assert ids(first) == [trainers[0].pk]
    assert first.json()["next"] is not None
    assert (last.json()["count"], last.json()["count_exact"]) == (4, True)
    assert ids(last) == [trainers[3].pk]
    assert last.json()["next"] is None
    assert beyond.status_code == 404
    assert beyond.json()["error"]["message"] == "There is no page 5."


def test_a_text_search_counts_to_its_own_lower_limit(api_client, monkeypatch):
    # given: three trainers named Lund and a text search that counts to two, the rest to ten
    monkeypatch.setattr("marketplace.api_trainers.COUNT_LIMIT", 10)
    monkeypatch.setattr("marketplace.api_trainers.TEXT_COUNT_LIMIT", 2)
    monkeypatch.setattr("marketplace.api_trainers.PAGE_SIZE", 1)
    for name in ("Eva Lund", "Per Lundqvist", "Ola Eklund"):
        TrainerProfileFactory(display_name=name)

    # when
    searched = get(api_client, bbox=BOX, q="lund").json()
    listed = get(api_client, bbox=BOX).json()

    # then: the search stops at two and says so; the plain list counts all three
    assert (searched["count"], searched["count_exact"]) == (2, False)
    assert searched["next"] is not None
    assert (listed["count"], listed["count_exact"]) == (3, True)


def test_a_page_past_the_last_is_a_404(api_client):
    TrainerProfileFactory()

    response = get(api_client, bbox=BOX, page="2")

    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "INVALID_FILTER",
            "message": "There is no page 2: the last page is 1.",
            "fields": {"page": ["There is no page 2: the last page is 1."]},
        }
    }


def test_geojson_is_a_feature_collection_with_lon_lat_points(api_client):
    trainer = TrainerProfileFactory(slug="erik", display_name="Erik", latitude=59.3, longitude=18.1)

    response = get(api_client, bbox=BOX, format="geojson")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response.json() == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": trainer.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [trainer.public_longitude, trainer.public_latitude],
                },
                "properties": {
                    "id": trainer.pk,
                    "slug": "erik",
                    "display_name": "Erik",
                    "city": "Stockholm",
                    "location_is_approximate": True,
                    "verified": False,
                    "categories": [],
                    "min_price": {"amount": 45000, "currency": "SEK", "formatted": "450 kr"},
                    "rating": None,
                    "rating_average": None,
                    "rating_count": 0,
                    "photo_url": None,
                    "url": "/trainers/erik/",
                },
            }
        ],
        "count": 1,
        "count_exact": True,
        "next": None,
        "previous": None,
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "A map area is required: bbox=west,south,east,north (e.g. 17.9,59.2,18.2,59.4)."),
        (
            {"bbox": ""},
            "A map area is required: bbox=west,south,east,north (e.g. 17.9,59.2,18.2,59.4).",
        ),
        (
            {"bbox": "17.9,59.2,18.2"},
            "bbox needs exactly four numbers, west,south,east,north; got 3.",
        ),
        (
            {"bbox": "17.9,59.2,18.2,59.4,1"},
            "bbox needs exactly four numbers, west,south,east,north; got 5.",
        ),
        (
            {"bbox": "a,59.2,18.2,59.4"},
            "bbox values must be numbers in decimal degrees, e.g. 59.33.",
        ),
        (
            {"bbox": "17.9,,18.2,59.4"},
            "bbox values must be numbers in decimal degrees, e.g. 59.33.",
        ),
        ({"bbox": "nan,59.2,18.2,59.4"}, "bbox values must be finite numbers."),
        ({"bbox": "17.9,59.4,18.2,59.2"}, "south must not be greater than north."),
        ({"bbox": "18.2,59.2,17.9,59.4"}, "west must not be greater than east."),
        ({"bbox": "-181,59.2,18.2,59.4"}, "Longitudes (west, east) must be between -180 and 180."),
        ({"bbox": "17.9,-91,18.2,59.4"}, "Latitudes (south, north) must be between -90 and 90."),
        ({"bbox": "17.9,59.2,18.2,90.5"}, "Latitudes (south, north) must be between -90 and 90."),
    ],
    ids=[
        "missing",
        "empty",
        "three numbers",
        "five numbers",
        "not a number",
        "empty piece",
        "nan",
        "south > north",
        "west > east",
        "longitude out of range",
        "latitude out of range",
        "north out of range",
    ],
)
def test_bad_bbox_is_a_400_invalid_bbox(api_client, params, message):
    response = get(api_client, **params)

    # Edges in the wrong order match the schema's pattern: only their relation is wrong (422).
    relation = message.endswith("must not be greater than north.") or message.endswith(
        "must not be greater than east."
    )
    assert response.status_code == (422 if relation else 400)
    assert response.json()["error"]["code"] == "INVALID_BBOX"
    assert response.json()["error"]["message"] == message


def test_bbox_sent_twice_is_invalid_bbox(api_client):
    response = api_client.get(f"/api/trainers?bbox={BOX}&bbox={BOX}")

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "INVALID_BBOX",
        "message": "Send bbox once.",
        "fields": {"bbox": ["Send bbox once."]},
    }


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"price_max": "abc"},
            "price_max",
            "price_max must be a whole number from 0 to 2147483647.",
        ),
        (
            {"price_max": "-1"},
            "price_max",
            "price_max must be a whole number from 0 to 2147483647.",
        ),
        (
            {"price_max": "450.5"},
            "price_max",
            "price_max must be a whole number from 0 to 2147483647.",
        ),
        (
            {"price_max": "99999999999"},
            "price_max",
            "price_max must be a whole number from 0 to 2147483647.",
        ),
        ({"page": "0"}, "page", "page must be a whole number from 1 to 2147483647."),
        ({"page": "two"}, "page", "page must be a whole number from 1 to 2147483647."),
        ({"page": "²"}, "page", "page must be a whole number from 1 to 2147483647."),
        ({"category": "no-such-thing"}, "category", "There is no category no-such-thing."),
        ({"q": "x" * 101}, "q", "q may be at most 100 characters."),
        ({"q": "a\x00b"}, "q", "q must not contain null characters."),
        ({"category": "yo\x00ga"}, "category", "There is no category yoga."),
        ({"format": "xml"}, "format", "format must be json or geojson."),
    ],
    ids=[
        "price text",
        "price negative",
        "price decimal",
        "price huge",
        "page zero",
        "page text",
        "page unicode digit",
        "unknown category",
        "q too long",
        "q with NUL",
        "category with NUL",
        "unknown format",
    ],
)
def test_bad_filter_is_a_400_invalid_filter(api_client, params, field, message):
    response = get(api_client, bbox=BOX, **params)

    # A well-formed slug of no category matches the schema: 422.
    assert response.status_code == (422 if params.get("category") == "no-such-thing" else 400)
    assert response.json() == {
        "error": {"code": "INVALID_FILTER", "message": message, "fields": {field: [message]}}
    }


def test_a_list_request_costs_a_constant_number_of_queries(api_client):
    # given: a full page of trainers, each with two categories
    categories = [CategoryFactory(), CategoryFactory()]
    for trainer in TrainerProfileFactory.create_batch(PAGE_SIZE + 1):
        trainer.categories.set(categories)
    CategoryFactory(slug="wanted").trainers.add(TrainerProfile.objects.first())

    # when
    with CaptureQueriesContext(connection) as plain:
        response = get(api_client, bbox=BOX)
    with CaptureQueriesContext(connection) as filtered:
        filtered_response = get(api_client, bbox=BOX, category="wanted", q="a", price_max="99999")

    # then: rows + categories + profile photos + count; the category filter adds its lookup
    assert response.status_code == 200
    assert len(response.json()["results"]) == PAGE_SIZE
    assert len(plain.captured_queries) == 4
    assert filtered_response.status_code == 200
    assert len(filtered.captured_queries) <= 5


def test_detail_shows_a_published_trainer_with_active_offerings(api_client):
    trainer = TrainerProfileFactory(
        slug="anna", display_name="Anna", bio="Hej!", languages=["sv", "en"], latitude=59.3
    )
    group = OfferingFactory(
        trainer=trainer,
        title="Group strength",
        price_amount=25000,
        capacity=8,
        latitude=59.31,
        longitude=18.07,
        location_name="Tantolunden",
        is_public_place=True,
    )
    OfferingFactory(trainer=trainer, title="Old", is_active=False)

    response = api_client.get(f"/api/trainers/{trainer.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["bio"] == "Hej!"
    assert body["languages"] == ["sv", "en"]
    assert body["time_zone"] == "Europe/Stockholm"
    assert body["offerings"] == [
        {
            "id": group.pk,
            "title": "Group strength",
            "description": "",
            "duration_minutes": 60,
            "price": {"amount": 25000, "currency": "SEK", "formatted": "250 kr"},
            "capacity": 8,
            "is_group": True,
            "location": {"name": "Tantolunden", "latitude": 59.31, "longitude": 18.07},
        }
    ]


def test_detail_of_an_unpublished_trainer_is_a_404(api_client):
    trainer = TrainerProfileFactory(is_published=False)

    response = api_client.get(f"/api/trainers/{trainer.pk}")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "NOT_FOUND",
        "message": "There is no published trainer with this id.",
        "fields": {},
    }
