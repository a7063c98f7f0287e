"""Far dates (year 1, year 9999) are refused with a 400 or a 404, never a 500 or a long walk."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import recurrence, services
from bookings.errors import InvalidRRule, InvalidSchedule, NotAnOccurrence
from bookings.models import Schedule
from tests.factories import OfferingFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        ("0001-01-01", "0001-01-01", "from"),
        ("9999-12-31", "9999-12-31", "from"),
        ("2026-12-01", "9999-12-31", "to"),
        ("2025-11-29", "2025-12-01", "from"),
    ],
)
def test_availability_refuses_far_dates(api_client, first, last, field):
    trainer = ScheduleFactory().trainer

    response = api_client.get(f"/api/trainers/{trainer.pk}/availability?from={first}&to={last}")

    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "INVALID_WINDOW"
    assert list(body["fields"]) == [field]


def test_availability_accepts_the_edges_of_the_range(api_client):
    trainer = ScheduleFactory().trainer

    response = api_client.get(
        f"/api/trainers/{trainer.pk}/availability?from=2025-11-30&to=2025-12-01"
    )

    assert response.status_code == 200
    assert response.json()["occurrences"] == []


@pytest.mark.parametrize(
    "query",
    [
        "start=0001-01-01&end=0001-01-02",
        "start=0001-01-01T00:00:00%2B14:00&end=0001-01-02T00:00:00%2B14:00",
        "start=9999-12-30&end=9999-12-31",
    ],
)
def test_trainer_calendar_refuses_far_dates(api_client, query):
    schedule = ScheduleFactory()
    api_client.force_authenticate(schedule.trainer.user)

    response = api_client.get(f"/api/trainer/calendar?{query}")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "INVALID_WINDOW"


@pytest.mark.parametrize(
    ("values", "error", "field"),
    [
        (
            {"starts_on": date(9999, 12, 31), "start_time": time(23, 30)},
            InvalidSchedule,
            "starts_on",
        ),
        ({"starts_on": date(1, 1, 1)}, InvalidSchedule, "starts_on"),
        ({"starts_on": date(2025, 11, 29)}, InvalidSchedule, "starts_on"),
        ({"starts_on": date(2027, 12, 2)}, InvalidSchedule, "starts_on"),
        ({"rrule": "FREQ=DAILY;UNTIL=99991231T235959Z"}, InvalidRRule, "rrule"),
        ({"rrule": "FREQ=DAILY;UNTIL=20281202"}, InvalidRRule, "rrule"),
    ],
)
def test_schedule_far_dates_are_refused(values, error, field):
    offering = OfferingFactory()
    fields = {
        "trainer": offering.trainer,
        "offering": offering,
        "starts_on": date(2026, 12, 7),
        "start_time": time(7, 0),
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        **values,
    }

    with pytest.raises(error) as refused:
        services.schedule_create(**fields)

    assert list(refused.value.fields) == [field]
    assert Schedule.objects.count() == 0


def test_schedule_dates_at_the_edges_are_accepted():
    offering = OfferingFactory()

    result = services.schedule_create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=date(2025, 11, 30),
        start_time=time(7, 0),
        rrule="FREQ=DAILY;UNTIL=20281201",
    )

    assert result.schedule.rrule == "FREQ=DAILY;UNTIL=20281201"
    assert result.horizon_cut is True


def test_the_api_refuses_far_schedule_dates(api_client):
    offering = OfferingFactory()
    api_client.force_authenticate(offering.trainer.user)
    base = {"offering": offering.pk, "starts_on": "2026-12-07", "start_time": "07:00"}

    late = api_client.post(
        "/api/schedules",
        {**base, "starts_on": "9999-12-31", "start_time": "23:30", "rrule": "FREQ=WEEKLY"},
        format="json",
    )
    until = api_client.post(
        "/api/schedules", {**base, "rrule": "FREQ=DAILY;UNTIL=99991231T235959Z"}, format="json"
    )

    assert (late.status_code, late.json()["error"]["code"]) == (422, "INVALID_SCHEDULE")
    assert (until.status_code, until.json()["error"]["code"]) == (422, "INVALID_RRULE")
    assert Schedule.objects.count() == 0


def test_calendar_page_survives_a_schedule_on_the_last_day_there_is(client):
    schedule = ScheduleFactory(starts_on=date(9999, 12, 31), start_time=time(23, 30))
    client.force_login(schedule.trainer.user)

    response = client.get("/trainer/calendar/")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "start_local", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00"]
)
def test_cancel_occurrence_refuses_far_dates(api_client, start_local):
    schedule = ScheduleFactory()
    api_client.force_authenticate(schedule.trainer.user)

    response = api_client.post(
        f"/api/schedules/{schedule.pk}/cancel-occurrence",
        {"start_local": start_local},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "NOT_AN_OCCURRENCE"
    schedule.refresh_from_db()
    assert schedule.exdates == []


def test_cancel_occurrence_service_refuses_year_one():
    schedule = ScheduleFactory()

    with pytest.raises(NotAnOccurrence):
        services.schedule_cancel_occurrence(
            schedule=schedule, start_local=datetime(1, 1, 1, tzinfo=UTC)
        )


@pytest.mark.parametrize("start", ["00010101T000000Z", "99991231T235959Z"])
def test_slot_page_for_a_far_date_is_a_404(client, start):
    schedule = ScheduleFactory()

    response = client.get(f"/book/{schedule.pk}/{start}/")

    assert response.status_code == 404


def test_expansion_of_an_old_daily_rule_starts_near_the_window():
    recurrence._compiled.cache_clear()
    schedule = ScheduleFactory(starts_on=date(1, 1, 1), rrule="FREQ=DAILY")
    start = datetime(2027, 3, 1, tzinfo=UTC)

    found = recurrence.expand(schedule, start, start + timedelta(days=7))

    assert [o.start_local.isoformat() for o in found[:2]] == [
        "2027-03-01T07:00:00+01:00",
        "2027-03-02T07:00:00+01:00",
    ]
    assert len(found) == 7
    # Started near the window: the rule cached a few hundred dates, not 740,000 days since year 1.
    assert max(len(rule._cache or []) for rule in _cached_rules()) < 800


def _cached_rules():
    # lru_cache keeps no public list of values: compile again, which is a cache hit.
    schedule = Schedule.objects.get()
    low = datetime(2027, 2, 27, 7, 0)
    return [recurrence.compiled_rule(schedule, low)]


@pytest.mark.parametrize(
    ("rrule", "starts_on"),
    [
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TH", date(2019, 1, 7)),
        ("FREQ=MONTHLY", date(2020, 1, 31)),
        ("FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR", date(2020, 2, 28)),
        ("FREQ=DAILY;INTERVAL=11", date(2018, 5, 3)),
    ],
)
def test_expansion_from_the_window_gives_what_expansion_from_the_first_date_gives(rrule, starts_on):
    schedule = ScheduleFactory(starts_on=starts_on, rrule=rrule)
    dtstart = datetime.combine(starts_on, time(7, 0))
    low, high = datetime(2026, 11, 1), datetime(2027, 9, 1)
    full = recurrence._compiled(rrule, dtstart, "Europe/Stockholm", starts_on.day)

    moved = recurrence.compiled_rule(schedule, low).between(low, high, inc=True)

    assert moved == full.between(low, high, inc=True)
    assert len(moved) >= 2


def test_the_schedule_form_refuses_a_first_date_in_year_one(client):
    offering = OfferingFactory()
    client.force_login(offering.trainer.user)

    response = client.post(
        "/trainer/schedules/new/",
        {
            "offering": str(offering.pk),
            "starts_on": "0001-01-01",
            "start_time": "07:00",
            "duration_minutes": "",
            "repeat": "weekly",
            "interval": "2",
            "weekdays": ["MO"],
            "end": "never",
            "until_date": "",
            "count": "",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "starts_on": ["The first date must be between 2025-11-30 and 2027-12-01."]
    }
    assert Schedule.objects.count() == 0


def test_cancelling_a_year_one_session_on_the_page_is_refused_without_a_far_date(client):
    schedule = ScheduleFactory()
    client.force_login(schedule.trainer.user)

    response = client.post(
        f"/trainer/schedules/{schedule.pk}/cancel-occurrence/",
        {"start_local": "0001-01-01T00:00:00"},
    )
    page = client.get("/trainer/calendar/?date=0001-01-01")

    assert (response.status_code, response["Location"]) == (302, "/trainer/calendar/")
    assert page.context["calendar_config"]["initialDate"] is None
    schedule.refresh_from_db()
    assert schedule.exdates == []
