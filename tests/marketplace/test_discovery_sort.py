"""GET /api/trainers?sort=price|rating|distance: the list's orders, with stable paging."""

from decimal import Decimal

import pytest

from marketplace import api_trainers
from marketplace.models import TrainerProfile
from tests.factories import TrainerProfileFactory

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"  # centre 59.3, 18.05


def names(api_client, **params) -> list[str]:
    response = api_client.get("/api/trainers", {"bbox": BOX, **params})
    assert response.status_code == 200, response.content
    return [row["display_name"] for row in response.json()["results"]]


def trainer(name, *, price=45000, rating=None, count=0, at=(59.3, 18.05)):
    return TrainerProfileFactory(
        display_name=name,
        min_price_amount=price,
        rating_avg=Decimal(rating) if rating else None,
        rating_count=count,
        latitude=at[0],
        longitude=at[1],
    )


def test_price_sorts_lowest_first_ties_by_id_and_no_price_last(api_client):
    trainer("Dear", price=90000)
    trainer("No price", price=None)
    trainer("Cheap A", price=30000)
    trainer("Cheap B", price=30000)

    assert names(api_client, sort="price") == ["Cheap A", "Cheap B", "Dear", "No price"]


def test_rating_sorts_best_first_then_most_ratings_and_unrated_last(api_client):
    trainer("Unrated")
    trainer("Good, few", rating="4.50", count=2)
    trainer("Best", rating="4.90", count=1)
    trainer("Good, many", rating="4.50", count=30)

    assert names(api_client, sort="rating") == ["Best", "Good, many", "Good, few", "Unrated"]


def test_distance_sorts_nearest_to_the_box_centre_first(api_client):
    # a degree of longitude is about half a degree of latitude at 59°N
    trainer("North 0.05°", at=(59.35, 18.05))
    trainer("East 0.06°", at=(59.30, 18.11))  # 0.06° east is nearer than 0.05° north
    trainer("Centre", at=(59.30, 18.05))
    trainer("South west", at=(59.22, 17.95))

    assert names(api_client, sort="distance") == [
        "Centre",
        "East 0.06°",
        "North 0.05°",
        "South west",
    ]


def test_without_sort_the_order_is_by_id(api_client):
    first, second = trainer("First", price=90000), trainer("Second", price=10000)

    assert names(api_client) == [first.display_name, second.display_name]


@pytest.mark.parametrize("sort", ["price", "rating", "distance"])
def test_pages_of_a_sorted_list_neither_overlap_nor_skip(api_client, monkeypatch, sort):
    # given seven trainers that all tie on the sort key, two to a page
    monkeypatch.setattr(api_trainers, "PAGE_SIZE", 2)
    created = [trainer(f"T{n}", price=40000, rating="4.00", count=3) for n in range(7)]
    # and the same public point (each trainer's own one differs inside its ~500 m cell)
    TrainerProfile.objects.update(public_latitude=59.3, public_longitude=18.05)

    seen = []
    for page in (1, 2, 3, 4):
        seen += names(api_client, sort=sort, page=page)

    assert seen == [t.display_name for t in created]


@pytest.mark.parametrize("sort", ["cheapest", "PRICE", "price,rating"])
def test_an_unknown_sort_is_a_400_naming_the_parameter(api_client, sort):
    response = api_client.get("/api/trainers", {"bbox": BOX, "sort": sort})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "sort": ["sort must be price, rating or distance."]
    }


def test_the_schema_declares_sort_with_its_values(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    parameters = schema["paths"]["/api/trainers"]["get"]["parameters"]
    sort = next(p for p in parameters if p["name"] == "sort")
    assert (sort["schema"]["type"], sort["schema"]["enum"]) == (
        "string",
        ["distance", "price", "rating"],
    )
    assert {"/api/places", "/api/search"} <= set(schema["paths"])
