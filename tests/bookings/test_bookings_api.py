"""The bookings API: book, list, show, cancel, attendance; every refusal in English and
Swedish, in the one error format."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import booking_services
from bookings.models import Booking, BookingStatus
from marketplace.services import api_token_issue
from tests.bookings.conftest import (
    EN,
    SV,
    first_start,
    future_schedule,
    iso,
    schedule_starting_in,
)
from tests.factories import ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/bookings"


@pytest.fixture
def slot(db):
    schedule = future_schedule()
    return schedule, first_start(schedule)


def post_booking(client, schedule, start, **headers):
    return client.post(
        URL, {"schedule_id": schedule.pk, "start": iso(start)}, format="json", **headers
    )


def error(response) -> tuple[int, str, str]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["message"]


def test_booking_through_the_api_with_a_bearer_token(api_client, slot, trainee):
    schedule, start = slot
    _token, raw = api_token_issue(user=trainee)

    response = post_booking(api_client, schedule, start, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 201, response.content
    body = response.json()
    booking = Booking.objects.get()
    assert body["id"] == booking.pk
    assert body["status"] == "pending_payment"
    assert (body["start"], body["end"]) == (iso(start), iso(start + timedelta(hours=1)))
    assert body["price"] == {"amount": 45000, "currency": "SEK", "formatted": "450 kr"}
    assert body["hold_expires_at"] == iso(booking.hold_expires_at)
    assert body["pay_url"] == f"/bookings/{booking.pk}/pay/"
    assert body["trainer"] == {
        "id": schedule.trainer_id,
        "display_name": schedule.trainer.display_name,
    }
    assert body["offering"] == {"id": schedule.offering_id, "title": "Personal training"}
    assert body["refund"] is None
    assert booking.trainee == trainee


def test_booking_with_the_session_cookie(api_client, slot, trainee):
    schedule, start = slot
    api_client.force_login(trainee)

    response = post_booking(api_client, schedule, start)

    assert response.status_code == 201
    assert Booking.objects.get().trainee == trainee


def test_booking_needs_a_log_in(api_client, slot):
    response = post_booking(api_client, *slot)

    assert error(response)[:2] == (401, "NOT_AUTHENTICATED")
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2027-01-04T06:00:00Z"}, "schedule_id"),
        ({"schedule_id": 1, "start": "soon"}, "start"),
    ],
)
def test_malformed_input_is_a_validation_error(api_client, trainee, body, field):
    api_client.force_login(trainee)

    response = api_client.post(URL, body, format="json")

    assert error(response)[:2] == (400, "VALIDATION_ERROR")
    assert field in response.json()["error"]["fields"]


REFUSALS = {
    "NOT_AN_OCCURRENCE": (
        422,
        "The schedule has no session at this time.",
        "Schemat har inget pass vid den här tiden.",
    ),
    "SLOT_UNAVAILABLE": (
        409,
        "This session starts too soon to be booked online.",
        "Det här passet börjar för snart för att kunna bokas online.",
    ),
    "SLOT_FULL": (409, "This session is full.", "Det här passet är fullbokat."),
    "TRAINEE_CONFLICT": (
        409,
        "You already have a booking at this time.",
        "Du har redan en bokning vid den här tiden.",
    ),
    "CANNOT_BOOK_SELF": (
        403,
        "You cannot book your own session.",
        "Du kan inte boka ditt eget pass.",
    ),
}


def _refused(code, api_client, trainee):
    """Sets up the situation; returns the request that is refused."""
    schedule = future_schedule(offering__capacity=1)
    start = first_start(schedule)
    if code == "NOT_AN_OCCURRENCE":
        return lambda: post_booking(api_client, schedule, start + timedelta(minutes=5))
    if code == "SLOT_UNAVAILABLE":
        soon = schedule_starting_in(timedelta(minutes=30))
        return lambda: post_booking(api_client, soon, first_start(soon))
    if code == "SLOT_FULL":
        booking_services.book_slot(trainee=UserFactory(), schedule_id=schedule.pk, start=start)
    if code == "TRAINEE_CONFLICT":
        booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
        schedule = ScheduleFactory(
            starts_on=schedule.starts_on, rrule=schedule.rrule, start_time=schedule.start_time
        )
    if code == "CANNOT_BOOK_SELF":
        api_client.force_login(schedule.trainer.user)
    return lambda: post_booking(api_client, schedule, start)


@pytest.mark.parametrize("language", ["en", "sv"])
@pytest.mark.parametrize("code", list(REFUSALS))
def test_each_refusal_has_its_code_and_message_in_both_languages(
    api_client, trainee, code, language
):
    api_client.force_login(trainee)
    api_client.defaults.update(SV if language == "sv" else EN)
    request = _refused(code, api_client, trainee)
    before = Booking.objects.count()

    response = request()

    status, english, swedish = REFUSALS[code]
    assert response.status_code == status, response.content
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message"] == (english if language == "en" else swedish)
    assert Booking.objects.count() == before


def test_swedish_slot_problems_are_translated(api_client, trainee):
    api_client.force_login(trainee)
    soon = schedule_starting_in(timedelta(minutes=30))

    response = post_booking(api_client, soon, first_start(soon), **SV)

    assert error(response)[:2] == (409, "SLOT_UNAVAILABLE")
    assert (
        response.json()["error"]["message"]
        == "Det här passet börjar för snart för att kunna bokas online."
    )


# --- reading ------------------------------------------------------------------------------------


def test_the_list_shows_the_callers_bookings_and_a_trainers_with_as_trainer(
    api_client, slot, trainee
):
    schedule, start = slot
    mine = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    other_schedule = future_schedule(days_ahead=11)
    booking_services.book_slot(
        trainee=UserFactory(), schedule_id=other_schedule.pk, start=first_start(other_schedule)
    )

    api_client.force_login(trainee)
    as_trainee = api_client.get(URL).json()
    api_client.force_login(schedule.trainer.user)
    as_trainer = api_client.get(URL, {"as": "trainer"}).json()
    as_trainee_of_trainer = api_client.get(URL).json()

    assert [row["id"] for row in as_trainee["results"]] == [mine.pk]
    assert as_trainee["count"] == 1
    assert [row["id"] for row in as_trainer["results"]] == [mine.pk]
    assert as_trainer["results"][0]["trainee_first_name"] == "Maja"
    assert as_trainee_of_trainer["results"] == []


def test_as_trainer_needs_a_trainer(api_client, trainee):
    api_client.force_login(trainee)

    response = api_client.get(URL, {"as": "trainer"})

    assert error(response)[:2] == (403, "PERMISSION_DENIED")


def test_a_booking_is_shown_to_its_trainee_trainer_and_staff_only(api_client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    url = f"{URL}/{booking.pk}"

    seen = {}
    for name, user in [
        ("trainee", trainee),
        ("trainer", schedule.trainer.user),
        ("staff", UserFactory(role="staff")),
        ("stranger", UserFactory()),
    ]:
        api_client.force_login(user)
        seen[name] = api_client.get(url).status_code

    assert seen == {"trainee": 200, "trainer": 200, "staff": 200, "stranger": 404}
    api_client.force_login(UserFactory())
    assert error(api_client.get(url, **SV))[:2] == (404, "NOT_FOUND")


# --- cancelling ---------------------------------------------------------------------------------


def test_a_trainee_cancels_with_the_policy_refund(api_client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    api_client.force_login(trainee)

    quote = api_client.get(f"{URL}/{booking.pk}/refund-quote").json()
    response = api_client.post(f"{URL}/{booking.pk}/cancel", {"reason": "Sick"}, format="json")

    assert quote == {
        "amount": 45000,
        "currency": "SEK",
        "percent": 100,
        "reason": "policy",
        "formatted": "450 kr",
    }
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancelled_by"], body["cancel_reason"]) == (
        "cancelled",
        "trainee",
        "Sick",
    )
    assert body["refund"] == quote
    assert body["pay_url"] is None


def test_a_trainer_cancels_with_a_full_refund(api_client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    Booking.objects.filter(pk=booking.pk).update(price_amount=333)
    api_client.force_login(schedule.trainer.user)

    body = api_client.post(f"{URL}/{booking.pk}/cancel", {}, format="json").json()

    assert body["cancelled_by"] == "trainer"
    assert body["refund"]["amount"] == 333
    assert body["refund"]["percent"] == 100


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_started_session_cannot_be_cancelled_by_the_trainee(api_client, slot, trainee, language):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    past = timezone.now() - timedelta(minutes=5)
    Booking.objects.filter(pk=booking.pk).update(start=past, end=past + timedelta(hours=1))
    api_client.force_login(trainee)

    response = api_client.post(
        f"{URL}/{booking.pk}/cancel", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    status, code, message = error(response)
    assert (status, code) == (409, "TOO_LATE_TO_CANCEL")
    assert (
        message
        == {
            "en": "This session has already started: it can no longer be cancelled.",
            "sv": "Passet har redan börjat: det kan inte längre avbokas.",
        }[language]
    )


@pytest.mark.parametrize("language", ["en", "sv"])
def test_an_expired_booking_cannot_be_cancelled(api_client, slot, trainee, language):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    api_client.force_login(trainee)

    response = api_client.post(
        f"{URL}/{booking.pk}/cancel", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert error(response) == (
        409,
        "INVALID_TRANSITION",
        {
            "en": "A booking that is Expired cannot be cancelled.",
            "sv": "En bokning med status Förfallen kan inte avbokas.",
        }[language],
    )


# --- attendance ---------------------------------------------------------------------------------


def started(trainee, schedule, start):
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    began = timezone.now() - timedelta(minutes=70)
    Booking.objects.filter(pk=booking.pk).update(start=began, end=began + timedelta(hours=1))
    return booking


def test_the_trainer_marks_a_no_show_and_the_trainee_may_not(api_client, slot, trainee):
    booking = started(trainee, *slot)
    url = f"{URL}/{booking.pk}/no-show-trainee"

    api_client.force_login(trainee)
    refused = api_client.post(url, {}, format="json", **SV)
    api_client.force_login(slot[0].trainer.user)
    marked = api_client.post(url, {}, format="json")

    assert error(refused)[:2] == (403, "PERMISSION_DENIED")
    assert marked.status_code == 200
    assert marked.json()["status"] == "no_show_trainee"


def test_the_trainee_reports_a_no_show_and_staff_decide(api_client, slot, trainee):
    booking = started(trainee, *slot)

    api_client.force_login(slot[0].trainer.user)
    not_theirs = api_client.post(f"{URL}/{booking.pk}/no-show-trainer", {}, format="json")
    api_client.force_login(trainee)
    reported = api_client.post(
        f"{URL}/{booking.pk}/no-show-trainer", {"note": "Nobody came"}, format="json"
    )
    not_staff = api_client.post(
        f"{URL}/{booking.pk}/no-show-review", {"decision": "uphold"}, format="json"
    )
    api_client.force_login(UserFactory(role="staff"))
    upheld = api_client.post(
        f"{URL}/{booking.pk}/no-show-review", {"decision": "uphold"}, format="json"
    )

    assert error(not_theirs)[:2] == (403, "PERMISSION_DENIED")
    assert (reported.json()["status"], reported.json()["no_show_review"]) == (
        "no_show_trainer",
        "pending",
    )
    assert error(not_staff)[:2] == (403, "PERMISSION_DENIED")
    assert upheld.json()["refund"]["amount"] == 45000
    assert upheld.json()["no_show_review"] == "upheld"


@pytest.mark.parametrize("language", ["en", "sv"])
def test_a_no_show_before_the_start_is_refused(api_client, slot, trainee, language):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    api_client.force_login(trainee)

    response = api_client.post(
        f"{URL}/{booking.pk}/no-show-trainer", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert error(response) == (
        409,
        "NO_SHOW_NOT_ALLOWED",
        {
            "en": "A no-show can only be reported once the session has started.",
            "sv": "Utebliven närvaro kan rapporteras först när passet har börjat.",
        }[language],
    )
