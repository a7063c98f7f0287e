"""GET /api/trainers?min_rating=4 and the rating fields on the list (rating_average,
rating_count), kept on the trainer's row by bookings' review services."""

from decimal import Decimal

import pytest

from tests.factories import TrainerProfileFactory

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"


def trainer(name, rating=None, count=0):
    return TrainerProfileFactory(
        display_name=name, rating_avg=Decimal(rating) if rating else None, rating_count=count
    )


def listed(api_client, **params):
    response = api_client.get("/api/trainers", {"bbox": BOX, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_min_rating_keeps_rated_trainers_at_or_above_it(api_client):
    trainer("Four", "4.00", 3)
    trainer("Four and a half", "4.50", 10)
    trainer("Almost", "3.99", 40)
    trainer("Unrated")

    names = {row["display_name"] for row in listed(api_client, min_rating="4")}
    half = {row["display_name"] for row in listed(api_client, min_rating="4.5")}

    assert names == {"Four", "Four and a half"}
    assert half == {"Four and a half"}


def test_min_rating_combines_with_sort_by_rating(api_client):
    trainer("Good", "4.20", 5)
    trainer("Best", "4.90", 2)
    trainer("Weak", "2.00", 8)

    rows = listed(api_client, min_rating="4", sort="rating")

    assert [row["display_name"] for row in rows] == ["Best", "Good"]
    assert [(row["rating_average"], row["rating_count"]) for row in rows] == [(4.9, 2), (4.2, 5)]


def test_an_unrated_trainer_has_no_average(api_client):
    trainer("New")

    row = listed(api_client)[0]

    assert (row["rating_average"], row["rating_count"], row["rating"]) == (None, 0, None)


@pytest.mark.parametrize("value", ["0", "5.01", "abc", "nan", "inf", "-1", ""])
def test_a_bad_min_rating_is_a_400_naming_it(api_client, value):
    response = api_client.get("/api/trainers", {"bbox": BOX, "min_rating": value})

    if value == "":
        assert response.status_code == 200  # empty means no filter, as for the others
        return
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_FILTER"
    assert list(response.json()["error"]["fields"]) == ["min_rating"]
