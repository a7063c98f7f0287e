"""The reviews API and pages: POST /api/bookings/<id>/review, GET /api/trainers/<id>/reviews,
POST /api/reviews/<id>/reply and /report, the review form, and the trainer's public page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import review_services
from bookings.models import Booking, BookingStatus, Review
from tests.bookings.conftest import EN, SV, book, confirm, future_schedule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def completed_booking(trainee, schedule=None):
    """A booking made through the service whose session ended an hour ago (the API uses
    the real clock)."""
    schedule = schedule or future_schedule()
    booking = confirm(book(trainee, schedule, start=_first_start(schedule), now=timezone.now()))
    end = timezone.now() - timedelta(hours=1)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.COMPLETED, start=end - timedelta(hours=1), end=end
    )
    booking.refresh_from_db()
    return booking


def _first_start(schedule):
    from bookings import recurrence

    return recurrence.first_start(schedule)


def reviewed(booking, rating):
    return review_services.review_create(
        booking_id=booking.pk, trainee=booking.trainee, rating=rating
    )


@pytest.fixture
def booking(trainee):
    return completed_booking(trainee)


def post_review(api_client, booking, **body):
    return api_client.post(f"/api/bookings/{booking.pk}/review", body, format="json", **EN)


def test_the_trainee_posts_a_review(api_client, booking):
    api_client.force_authenticate(booking.trainee)

    response = post_review(api_client, booking, rating=5, text="Great!")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rating"] == 5
    assert body["text"] == "Great!"
    assert body["author"] == "Maja S."
    assert body["trainer_id"] == booking.trainer_id
    assert body["reply"] is None
    assert "trainee" not in body and "Svensson" not in response.content.decode()


def test_a_second_review_is_409_already_reviewed_in_english_and_swedish(api_client, booking):
    api_client.force_authenticate(booking.trainee)
    post_review(api_client, booking, rating=5)

    english = post_review(api_client, booking, rating=4)
    swedish = api_client.post(
        f"/api/bookings/{booking.pk}/review", {"rating": 4}, format="json", **SV
    )

    assert english.status_code == swedish.status_code == 409
    assert english.json()["error"]["code"] == "ALREADY_REVIEWED"
    assert english.json()["error"]["message"] == "You have already reviewed this session."
    assert swedish.json()["error"]["message"] == "Du har redan recenserat det här passet."


def test_the_trainer_of_the_booking_gets_403_not_allowed(api_client, booking):
    api_client.force_authenticate(booking.trainer.user)

    response = post_review(api_client, booking, rating=5)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NOT_ALLOWED"


def test_a_stranger_gets_404_and_an_anonymous_caller_401(api_client, booking):
    assert post_review(api_client, booking, rating=5).status_code in (401, 403)
    api_client.force_authenticate(UserFactory())

    response = post_review(api_client, booking, rating=5)

    assert response.status_code == 404
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"rating": 0}, {"rating": 6}, {"rating": "five"}, {"rating": 5, "text": "x" * 2001}],
)
def test_bad_input_is_a_400_naming_the_field(api_client, booking, body):
    api_client.force_authenticate(booking.trainee)

    response = post_review(api_client, booking, **body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert set(response.json()["error"]["fields"]) <= {"rating", "text"}


def test_reviews_of_a_trainer_are_public_newest_first_and_paged(api_client, trainee):
    schedule = future_schedule(offering__capacity=20)
    reviews = []
    for n in range(12):
        someone = UserFactory(name=f"Person{n} Lastname")
        created = review_services.review_create(
            booking_id=completed_booking(someone, schedule).pk, trainee=someone, rating=5
        )
        Review.objects.filter(pk=created.pk).update(
            created_at=timezone.now() - timedelta(minutes=60 - n)
        )
        reviews.append(created)
    Review.objects.filter(pk=reviews[11].pk).update(is_hidden=True)

    first = api_client.get(f"/api/trainers/{schedule.trainer_id}/reviews")
    second = api_client.get(f"/api/trainers/{schedule.trainer_id}/reviews", {"page": 2})

    assert first.status_code == 200
    assert first.json()["count"] == 11
    assert [r["id"] for r in first.json()["results"]] == [r.pk for r in reviews[10::-1]][:10]
    assert [r["id"] for r in second.json()["results"]] == [reviews[0].pk]
    assert first.json()["results"][0]["author"] == "Person10 L."


def test_reviews_of_an_unpublished_trainer_are_404(api_client, booking):
    booking.trainer.__class__.objects.filter(pk=booking.trainer_id).update(is_published=False)

    response = api_client.get(f"/api/trainers/{booking.trainer_id}/reviews")

    assert response.status_code == 404


def test_the_trainer_replies_once_through_the_api(api_client, booking):
    created = review_services.review_create(
        booking_id=booking.pk, trainee=booking.trainee, rating=4
    )
    api_client.force_authenticate(booking.trainer.user)

    first = api_client.post(f"/api/reviews/{created.pk}/reply", {"text": "Tack!"}, format="json")
    second = api_client.post(f"/api/reviews/{created.pk}/reply", {"text": "Igen"}, format="json")

    assert first.status_code == 200
    assert first.json()["reply"]["text"] == "Tack!"
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "ALREADY_REPLIED"


def test_someone_else_cannot_reply(api_client, booking):
    created = review_services.review_create(
        booking_id=booking.pk, trainee=booking.trainee, rating=4
    )
    api_client.force_authenticate(booking.trainee)

    response = api_client.post(f"/api/reviews/{created.pk}/reply", {"text": "Me"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NOT_ALLOWED"


def test_a_review_is_reported_once(api_client, booking):
    created = review_services.review_create(
        booking_id=booking.pk, trainee=booking.trainee, rating=1
    )
    api_client.force_authenticate(UserFactory())

    first = api_client.post(f"/api/reviews/{created.pk}/report", {"reason": "Spam"}, format="json")
    second = api_client.post(f"/api/reviews/{created.pk}/report", {}, format="json")
    missing = api_client.post("/api/reviews/999999/report", {}, format="json")

    assert first.status_code == 201
    assert first.json()["review_id"] == created.pk
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "ALREADY_REPORTED"
    assert missing.status_code == 404


# --- pages ------------------------------------------------------------------------------------


def test_the_review_form_publishes_a_review_shown_on_the_trainers_page(client, booking):
    client.force_login(booking.trainee)

    form = client.get(f"/bookings/{booking.pk}/review/")
    response = client.post(
        f"/bookings/{booking.pk}/review/", {"rating": "4", "text": "Bra tempo"}, follow=True
    )

    assert form.status_code == 200
    assert b'name="rating"' in form.content
    assert response.status_code == 200
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/trainers/{booking.trainer.slug}/#reviews"
    assert "Bra tempo" in page
    assert "Maja S." in page
    assert "Svensson" not in page
    assert Review.objects.get().rating == 4


def test_the_review_form_says_why_it_cannot_be_used(client, booking):
    review_services.review_create(booking_id=booking.pk, trainee=booking.trainee, rating=4)
    client.force_login(booking.trainee)

    response = client.get(f"/bookings/{booking.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")

    assert b'data-testid="review-refusal"' in response.content
    assert b"You have already reviewed this session." in response.content


def test_the_review_form_is_404_for_someone_else(client, booking):
    client.force_login(booking.trainer.user)

    assert client.get(f"/bookings/{booking.pk}/review/").status_code == 404


def test_the_trainer_replies_from_the_public_page(client, booking):
    created = review_services.review_create(
        booking_id=booking.pk, trainee=booking.trainee, rating=5, text="Top"
    )
    client.force_login(booking.trainer.user)
    page = client.get(f"/trainers/{booking.trainer.slug}/").content.decode()
    assert f'action="/reviews/{created.pk}/reply/"' in page

    response = client.post(f"/reviews/{created.pk}/reply/", {"text": "Tack Maja!"}, follow=True)

    assert "Tack Maja!" in response.content.decode()
    assert Review.objects.get().reply == "Tack Maja!"


def test_hidden_reviews_leave_the_public_page(client, booking):
    created = review_services.review_create(
        booking_id=booking.pk, trainee=booking.trainee, rating=1, text="Something rude"
    )
    review_services.review_hide(review_id=created.pk, by=UserFactory(role="staff"))

    page = client.get(f"/trainers/{booking.trainer.slug}/").content.decode()

    assert "Something rude" not in page
    assert 'data-testid="no-reviews"' in page
