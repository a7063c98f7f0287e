"""The trainer's schedule API: owner-only writes, error bodies, and the calendar events."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from bookings.models import Schedule
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def new_schedule(offering, **kw) -> dict:
    return {
        "offering": offering.pk,
        "starts_on": "2027-01-04",
        "start_time": "07:00",
        "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=4",
        **kw,
    }


def test_trainer_creates_a_schedule(api_client):
    offering = OfferingFactory(title="Yoga", duration_minutes=45)
    api_client.force_authenticate(offering.trainer.user)

    response = api_client.post("/api/schedules", new_schedule(offering), format="json")

    assert response.status_code == 201
    schedule = Schedule.objects.get()
    assert response.json() == {
        "id": schedule.pk,
        "offering": {"id": offering.pk, "title": "Yoga", "duration_minutes": 45},
        "starts_on": "2027-01-04",
        "start_time": "07:00",
        "duration_minutes": None,
        "time_zone": "Europe/Stockholm",
        "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=4",
        "exdates": [],
        "is_active": True,
        "horizon_cut": False,
        "horizon_end": "2027-12-01T12:00:00Z",
    }


def test_endless_rule_says_it_is_cut(api_client):
    offering = OfferingFactory()
    api_client.force_authenticate(offering.trainer.user)

    body = api_client.post(
        "/api/schedules", new_schedule(offering, rrule="FREQ=WEEKLY"), format="json"
    ).json()

    assert (body["horizon_cut"], body["horizon_end"]) == (True, "2027-12-01T12:00:00Z")


def test_invalid_rrule_is_a_422_with_the_reason(api_client):
    offering = OfferingFactory()
    api_client.force_authenticate(offering.trainer.user)

    response = api_client.post(
        "/api/schedules", new_schedule(offering, rrule="FREQ=HOURLY"), format="json"
    )

    assert response.status_code == 422
    message = "FREQ must be DAILY, WEEKLY or MONTHLY."
    assert response.json() == {
        "error": {"code": "INVALID_RRULE", "message": message, "fields": {"rrule": [message]}}
    }


def test_overlap_is_a_409_naming_the_clash(api_client):
    existing = ScheduleFactory(offering__title="Boxing")
    offering = OfferingFactory(trainer=existing.trainer)
    api_client.force_authenticate(offering.trainer.user)

    response = api_client.post(
        "/api/schedules", new_schedule(offering, start_time="07:30"), format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "SCHEDULE_OVERLAP",
            "message": "This schedule overlaps Boxing on Mon 4 Jan 2027 07:00–08:00. "
            "Choose another time or day.",
            "fields": {},
        }
    }


def test_overlap_message_in_swedish_by_accept_language(api_client):
    existing = ScheduleFactory(offering__title="Boxning")
    offering = OfferingFactory(trainer=existing.trainer)
    api_client.force_authenticate(offering.trainer.user)

    response = api_client.post(
        "/api/schedules", new_schedule(offering), format="json", HTTP_ACCEPT_LANGUAGE="sv"
    )

    assert response.status_code == 409
    assert "Boxning" in response.json()["error"]["message"]
    assert "mån 4 jan 2027 07:00–08:00" in response.json()["error"]["message"]


def test_someone_elses_offering_is_refused(api_client):
    mine = TrainerProfileFactory()
    theirs = OfferingFactory()
    api_client.force_authenticate(mine.user)

    response = api_client.post("/api/schedules", new_schedule(theirs), format="json")

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"offering": ["Choose one of your own offerings."]}
    assert Schedule.objects.count() == 0


def test_anonymous_gets_401(api_client):
    schedule = ScheduleFactory()

    responses = [
        api_client.get("/api/schedules"),
        api_client.post("/api/schedules", {}, format="json"),
        api_client.patch(f"/api/schedules/{schedule.pk}", {}, format="json"),
        api_client.delete(f"/api/schedules/{schedule.pk}"),
        api_client.get("/api/trainer/calendar?start=2027-01-04&end=2027-01-11"),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert responses[0].json()["error"]["code"] == "NOT_AUTHENTICATED"


def test_another_trainer_gets_403_and_nothing_changes(api_client):
    schedule = ScheduleFactory()
    api_client.force_authenticate(TrainerProfileFactory().user)
    base = f"/api/schedules/{schedule.pk}"

    responses = [
        api_client.get(base),
        api_client.patch(base, {"start_time": "09:00"}, format="json"),
        api_client.delete(base),
        api_client.post(
            f"{base}/cancel-occurrence", {"start_local": "2027-01-11T07:00:00"}, format="json"
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    assert responses[1].json() == {
        "error": {
            "code": "PERMISSION_DENIED",
            "message": "You do not have permission to do this.",
            "fields": {},
        }
    }
    schedule.refresh_from_db()
    assert (schedule.start_time.hour, schedule.is_active, schedule.exdates) == (7, True, [])


def test_a_user_who_is_not_a_trainer_gets_403(api_client):
    api_client.force_authenticate(UserFactory())

    assert api_client.get("/api/schedules").status_code == 403


def test_unknown_schedule_is_404(api_client):
    api_client.force_authenticate(TrainerProfileFactory().user)

    response = api_client.patch("/api/schedules/999999", {}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_owner_edits_cancels_an_occurrence_and_deactivates(api_client):
    schedule = ScheduleFactory()
    api_client.force_authenticate(schedule.trainer.user)
    base = f"/api/schedules/{schedule.pk}"

    patched = api_client.patch(base, {"start_time": "09:15"}, format="json")
    cancelled = api_client.post(
        f"{base}/cancel-occurrence", {"start_local": "2027-01-11T09:15:00"}, format="json"
    )
    not_one = api_client.post(
        f"{base}/cancel-occurrence", {"start_local": "2027-01-12T09:15:00"}, format="json"
    )
    deleted = api_client.delete(base)

    assert (patched.status_code, patched.json()["start_time"]) == (200, "09:15")
    assert (cancelled.status_code, cancelled.json()["exdates"]) == (200, ["2027-01-11T09:15:00"])
    assert (not_one.status_code, not_one.json()["error"]["code"]) == (422, "NOT_AN_OCCURRENCE")
    assert deleted.status_code == 204
    schedule.refresh_from_db()
    assert schedule.is_active is False


def test_calendar_lists_the_trainers_occurrences_for_fullcalendar(api_client):
    schedule = ScheduleFactory(offering__title="Yoga", offering__capacity=6)
    ScheduleFactory()  # another trainer's
    api_client.force_authenticate(schedule.trainer.user)

    response = api_client.get(
        "/api/trainer/calendar?start=2027-01-04T00:00:00&end=2027-01-11T00:00:00"
    )

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": f"{schedule.pk}-20270104T060000Z",
            "title": "Yoga",
            "start": "2027-01-04T07:00:00+01:00",
            "end": "2027-01-04T08:00:00+01:00",
            "extendedProps": {
                "schedule_id": schedule.pk,
                "start_local": "2027-01-04T07:00:00",
                "seats_left": 6,
                "capacity": 6,
                "booked": 0,
                "attendees": [],
                "cancelled": False,
            },
        }
    ]


def test_calendar_bounds_with_an_offset_even_unencoded(api_client):
    schedule = ScheduleFactory()
    api_client.force_authenticate(schedule.trainer.user)

    # 07:00+01:00 is the start itself: included; the end bound excludes the next Monday's.
    response = api_client.get(
        "/api/trainer/calendar?start=2027-01-04T07:00:00+01:00&end=2027-01-11T06:00:00Z"
    )

    assert response.status_code == 200
    assert [event["start"] for event in response.json()] == ["2027-01-04T07:00:00+01:00"]


def test_calendar_window_errors(api_client):
    api_client.force_authenticate(ScheduleFactory().trainer.user)

    garbage = api_client.get("/api/trainer/calendar?start=soon&end=2027-01-11")
    too_large = api_client.get("/api/trainer/calendar?start=2027-01-01&end=2027-04-01")

    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "INVALID_WINDOW")
    assert (too_large.status_code, too_large.json()["error"]["code"]) == (422, "WINDOW_TOO_LARGE")
