"""Approximate location until booked: the public point (deterministic, ~500 m, keyed) and
no public response carrying a trainer's stored coordinates or address."""

import math

import pytest

from marketplace import location
from marketplace.models import TrainerProfile
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"
EXACT = (59.312345, 18.076543)
ADDRESS = "Hemligvägen 7, 118 26 Stockholm"
SECRET_VENUE = "Min studio, Hemligvägen 7"


def metres(a, b) -> float:
    dlat = (a[0] - b[0]) * 111_320
    dlon = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlon)


@pytest.fixture
def trainer(db):
    profile = TrainerProfileFactory(
        slug="hidden-home",
        display_name="Hanna Hemlig",
        city="Södermalm",
        address=ADDRESS,
        latitude=EXACT[0],
        longitude=EXACT[1],
    )
    OfferingFactory(
        trainer=profile,
        title="At my studio",
        location_name=SECRET_VENUE,
        latitude=59.311111,
        longitude=18.071111,
    )
    OfferingFactory(
        trainer=profile,
        title="In the park",
        location_name="Tantolunden",
        latitude=59.3130,
        longitude=18.0520,
        is_public_place=True,
    )
    ScheduleFactory(offering=profile.offerings.first())
    return profile


def leaks(text: str) -> list[str]:
    secrets = ["59.312345", "18.076543", "Hemligvägen", "59.311111", "18.071111"]
    return [secret for secret in secrets if secret in text]


def test_the_public_point_is_near_but_not_at_the_exact_one(trainer):
    public = (trainer.public_latitude, trainer.public_longitude)

    assert public != EXACT
    assert metres(public, EXACT) < 750  # inside the ~500 m cell (its diagonal is ~710 m)
    assert public == location.public_point(
        key=trainer.user_id, latitude=EXACT[0], longitude=EXACT[1]
    )


def test_the_public_point_does_not_jump_and_follows_a_move(trainer):
    same_cell = location.public_point(key=trainer.user_id, latitude=59.3124, longitude=18.0766)
    assert same_cell == (trainer.public_latitude, trainer.public_longitude)

    trainer.latitude, trainer.longitude = 59.40, 17.95
    trainer.save(update_fields=["latitude", "longitude"])
    trainer.refresh_from_db()
    assert metres((trainer.public_latitude, trainer.public_longitude), (59.40, 17.95)) < 750


def test_neighbours_in_one_cell_get_different_points_and_the_key_matters(trainer, settings):
    neighbour = TrainerProfileFactory(latitude=EXACT[0], longitude=EXACT[1])
    assert (neighbour.public_latitude, neighbour.public_longitude) != (
        trainer.public_latitude,
        trainer.public_longitude,
    )

    settings.PUBLIC_LOCATION_KEY = "another key entirely"
    moved = location.public_point(key=trainer.user_id, latitude=EXACT[0], longitude=EXACT[1])
    assert moved != (trainer.public_latitude, trainer.public_longitude)


def test_no_location_no_public_point(db):
    profile = TrainerProfileFactory(latitude=None, longitude=None, is_published=False)

    assert (profile.public_latitude, profile.public_longitude) == (None, None)


def test_the_profile_service_keeps_the_public_point(trainer):
    from marketplace import services

    services.trainer_profile_update(profile=trainer, latitude=57.70, longitude=11.97)

    stored = TrainerProfile.objects.get(pk=trainer.pk)
    assert metres((stored.public_latitude, stored.public_longitude), (57.70, 11.97)) < 750


def test_many_answers_all_carry_the_same_point(api_client, trainer):
    points = {
        (row["latitude"], row["longitude"])
        for row in (
            api_client.get("/api/trainers", {"bbox": BOX}).json()["results"][0] for _ in range(5)
        )
    }

    assert points == {(trainer.public_latitude, trainer.public_longitude)}


def test_no_public_response_carries_the_stored_place(api_client, client, trainer):
    responses = {
        "list": api_client.get("/api/trainers", {"bbox": BOX}),
        "list sorted by distance": api_client.get(
            "/api/trainers", {"bbox": BOX, "sort": "distance"}
        ),
        "geojson": api_client.get("/api/trainers", {"bbox": BOX, "format": "geojson"}),
        "detail": api_client.get(f"/api/trainers/{trainer.pk}"),
        "availability": api_client.get(
            f"/api/trainers/{trainer.pk}/availability", {"from": "2027-01-01", "to": "2027-01-10"}
        ),
        "available trainers": api_client.get(
            "/api/availability/trainers", {"ids": str(trainer.pk)}
        ),
        "reviews": api_client.get(f"/api/trainers/{trainer.pk}/reviews"),
        "public page": client.get(f"/trainers/{trainer.slug}/"),
        "home page": client.get("/"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, (name, response.content[:300])
        assert leaks(response.content.decode()) == [], name

    assert "2027-01-04" in responses["availability"].content.decode()  # not an empty answer
    detail = responses["detail"].json()
    assert (detail["latitude"], detail["longitude"]) == (
        trainer.public_latitude,
        trainer.public_longitude,
    )
    assert detail["city"] == "Södermalm"
    venues = {o["title"]: o["location"] for o in detail["offerings"]}
    assert venues["At my studio"] is None
    assert venues["In the park"] == {"name": "Tantolunden", "latitude": 59.313, "longitude": 18.052}
    assert "Tantolunden" in responses["public page"].content.decode()


def test_a_slot_page_carries_the_area_only(client, trainer):
    from bookings import recurrence
    from bookings.api import SLOT_FORMAT

    schedule = trainer.schedules.get()
    start = recurrence.first_start(schedule)

    response = client.get(f"/book/{schedule.pk}/{start.strftime(SLOT_FORMAT)}/")

    assert response.status_code == 200
    assert leaks(response.content.decode()) == []


def test_the_trainer_and_staff_see_the_exact_place_on_the_page(client, trainer):
    client.force_login(trainer.user)
    own = client.get(f"/trainers/{trainer.slug}/").content.decode()
    client.force_login(UserFactory(role="staff"))
    staff = client.get(f"/trainers/{trainer.slug}/").content.decode()
    client.force_login(UserFactory())
    stranger = client.get(f"/trainers/{trainer.slug}/").content.decode()

    for page in (own, staff):
        assert "Hemligvägen" in page
        assert "59.312345" in page
    assert leaks(stranger) == []
    assert 'data-testid="approximate-note"' in stranger
