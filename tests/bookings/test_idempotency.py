"""Idempotency-Key on POST /api/bookings: a retry gets the first answer, another request
with the same key is refused, keys are per user and kept a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import booking_services, idempotency, tasks
from bookings.models import Booking, IdempotencyKey
from tests.bookings.conftest import SV, first_start, future_schedule, iso
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/bookings"


@pytest.fixture
def slot(db):
    schedule = future_schedule(offering__capacity=3)
    return schedule, first_start(schedule)


def post(client, schedule, start, key, **extra):
    return client.post(
        URL,
        {"schedule_id": schedule.pk, "start": iso(start)},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        **extra,
    )


def test_the_same_key_and_body_give_the_first_answer_and_one_booking(api_client, slot, trainee):
    api_client.force_login(trainee)

    first = post(api_client, *slot, "key-1")
    again = post(api_client, *slot, "key-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Booking.objects.count() == 1
    stored = IdempotencyKey.objects.get()
    assert (stored.user, stored.key, stored.response_status) == (trainee, "key-1", 201)


def test_the_same_key_with_another_body_is_refused(api_client, slot, trainee):
    schedule, start = slot
    api_client.force_login(trainee)
    post(api_client, schedule, start, "key-1")

    other = post(api_client, schedule, start + timedelta(days=7), "key-1")
    swedish = post(api_client, schedule, start + timedelta(days=7), "key-1", **SV)

    body = other.json()["error"]
    assert (other.status_code, body["code"]) == (422, "IDEMPOTENCY_KEY_REUSED")
    assert body["message"] == "This Idempotency-Key was already used for a different request."
    assert swedish.json()["error"]["message"] == (
        "Den här Idempotency-Key har redan använts för en annan begäran."
    )
    assert Booking.objects.count() == 1


def test_a_refusal_is_replayed_too(api_client, trainee):
    schedule = future_schedule(offering__capacity=1)
    start = first_start(schedule)
    taken = booking_services.book_slot(trainee=UserFactory(), schedule_id=schedule.pk, start=start)
    api_client.force_login(trainee)

    refused = post(api_client, schedule, start, "key-1")
    booking_services.booking_cancel(booking_id=taken.pk, by="staff", actor=None)
    retried = post(api_client, schedule, start, "key-1")
    fresh = post(api_client, schedule, start, "key-2")

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "SLOT_FULL")
    assert (retried.status_code, retried.json()) == (409, refused.json())
    assert fresh.status_code == 201


def test_a_validation_error_is_stored_like_any_answer(api_client, trainee):
    api_client.force_login(trainee)

    first = api_client.post(URL, {"start": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    again = api_client.post(URL, {"start": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert first.json()["error"]["code"] == "VALIDATION_ERROR"


def test_keys_belong_to_their_user(api_client, slot, trainee):
    api_client.force_login(trainee)
    mine = post(api_client, *slot, "shared-key")
    api_client.force_login(UserFactory())
    theirs = post(api_client, *slot, "shared-key")

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["", "has space", "ä", "x" * 256])
def test_a_malformed_key_is_refused(api_client, slot, trainee, key):
    api_client.force_login(trainee)

    response = post(api_client, *slot, key)

    assert (response.status_code, response.json()["error"]["code"]) == (
        400,
        "INVALID_IDEMPOTENCY_KEY",
    )
    assert Booking.objects.count() == 0


def test_the_fingerprint_ignores_key_order_but_not_values():
    a = idempotency.fingerprint(method="post", path="/api/bookings", body={"a": 1, "b": 2})
    b = idempotency.fingerprint(method="POST", path="/api/bookings", body={"b": 2, "a": 1})
    c = idempotency.fingerprint(method="POST", path="/api/bookings", body={"a": 1, "b": 3})

    assert a == b != c


def test_keys_are_kept_a_day_then_deleted(api_client, slot, trainee, monkeypatch):
    api_client.force_login(trainee)
    post(api_client, *slot, "old")
    post(api_client, *slot[:1], slot[1] + timedelta(days=7), "new")
    IdempotencyKey.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=24, minutes=1)
    )
    IdempotencyKey.objects.filter(key="new").update(
        created_at=timezone.now() - timedelta(hours=23, minutes=59)
    )

    assert tasks.delete_old_idempotency_keys.delay().get() == 1

    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def test_a_malformed_key_is_explained_in_swedish(api_client, slot, trainee):
    api_client.force_login(trainee)

    response = post(api_client, *slot, "has space", **SV)

    assert response.json()["error"]["message"] == (
        "En Idempotency-Key består av 1 till 255 synliga ASCII-tecken."
    )
