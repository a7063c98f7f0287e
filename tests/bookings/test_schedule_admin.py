"""The Schedule admin validates like the services and saves through them (cache bumped)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import queries
from bookings.models import CalendarFeed, Schedule
from marketplace.models import Role
from tests.factories import OfferingFactory, ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))
    return client


def form_data(offering, **values) -> dict:
    return {
        "trainer": offering.trainer_id,
        "offering": offering.pk,
        "starts_on": "2027-01-04",
        "start_time": "07:00",
        "duration_minutes": "",
        "time_zone": "Europe/Stockholm",
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "exdates": "[]",
        "is_active": "on",
        **values,
    }


def errors_of(response) -> dict:
    form = response.context["adminform"].form
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"rrule": "FREQ=HOURLY"}, "rrule", "FREQ must be DAILY, WEEKLY or MONTHLY."),
        ({"rrule": "FREQ=DAILY;UNTIL=99991231T235959Z"}, "rrule", "UNTIL may be at most 20281201."),
        (
            {"exdates": '["next monday"]'},
            "exdates",
            'Give cancelled sessions as a list of local starts, e.g. ["2026-12-07T07:00:00"].',
        ),
        (
            {"exdates": '{"a": 1}'},
            "exdates",
            'Give cancelled sessions as a list of local starts, e.g. ["2026-12-07T07:00:00"].',
        ),
        (
            {"starts_on": "0001-01-01"},
            "starts_on",
            "The first date must be between 2025-11-30 and 2027-12-01.",
        ),
    ],
)
def test_admin_refuses_what_the_services_refuse(staff_client, values, field, message):
    offering = OfferingFactory()

    response = staff_client.post("/admin/bookings/schedule/add/", form_data(offering, **values))

    assert response.status_code == 200
    assert errors_of(response) == {field: [message]}
    assert Schedule.objects.count() == 0


def test_admin_refuses_an_overlap_naming_the_clash(staff_client):
    existing = ScheduleFactory()
    offering = OfferingFactory(trainer=existing.trainer)

    response = staff_client.post(
        "/admin/bookings/schedule/add/", form_data(offering, start_time="07:30")
    )

    assert response.status_code == 200
    assert errors_of(response) == {
        "__all__": [
            "This schedule overlaps Personal training on Mon 4 Jan 2027 07:00–08:00. "
            "Choose another time or day."
        ]
    }
    assert Schedule.objects.count() == 1


def test_admin_creates_through_the_service(staff_client):
    offering = OfferingFactory()

    response = staff_client.post(
        "/admin/bookings/schedule/add/",
        form_data(offering, rrule="freq=weekly;byday=mo", exdates='["2027-01-11T07:00"]'),
    )

    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.rrule, schedule.exdates) == ("FREQ=WEEKLY;BYDAY=MO", ["2027-01-11T07:00:00"])
    assert schedule.starts_on == date(2027, 1, 4)


def test_admin_change_is_seen_at_once_from_a_warm_cache(
    staff_client, django_capture_on_commit_callbacks
):
    schedule = ScheduleFactory()
    start = datetime(2027, 1, 4, tzinfo=UTC)
    window = (schedule.trainer, start, start + timedelta(days=7))
    assert [o.start_local.time() for o in queries.trainer_availability(*window, now=NOW)] == [
        time(7, 0)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/bookings/schedule/{schedule.pk}/change/",
            form_data(schedule.offering, start_time="09:00"),
        )

    assert response.status_code == 302
    assert [o.start_local.time() for o in queries.trainer_availability(*window, now=NOW)] == [
        time(9, 0)
    ]


def test_admin_change_of_an_old_schedule_keeps_its_first_date(staff_client):
    schedule = ScheduleFactory(starts_on=date(2024, 1, 1))

    response = staff_client.post(
        f"/admin/bookings/schedule/{schedule.pk}/change/",
        form_data(schedule.offering, starts_on="2024-01-01", start_time="09:00"),
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.starts_on, schedule.start_time) == (date(2024, 1, 1), time(9, 0))


def test_admin_deactivates_a_schedule_of_an_inactive_offering(staff_client):
    schedule = ScheduleFactory()
    schedule.offering.is_active = False
    schedule.offering.save()
    data = form_data(schedule.offering)
    del data["is_active"]

    response = staff_client.post(f"/admin/bookings/schedule/{schedule.pk}/change/", data)

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.is_active is False


def _availability(trainer):
    start = datetime(2027, 1, 4, tzinfo=UTC)
    found = queries.trainer_availability(trainer, start, start + timedelta(days=7), now=NOW)
    return [o.offering_title for o in found]


def test_admin_delete_goes_through_the_service_and_is_seen_at_once(
    staff_client, django_capture_on_commit_callbacks
):
    schedule = ScheduleFactory()
    assert _availability(schedule.trainer) == ["Personal training"]  # the cache is warm

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/bookings/schedule/{schedule.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert Schedule.objects.count() == 0
    assert _availability(schedule.trainer) == []


def test_admin_bulk_delete_goes_through_the_service_for_each_schedule(
    staff_client, django_capture_on_commit_callbacks
):
    first = ScheduleFactory()
    second = ScheduleFactory(offering=OfferingFactory(title="Yoga"))
    kept = ScheduleFactory(offering=OfferingFactory(trainer=first.trainer, title="Run"))
    assert _availability(first.trainer) == ["Personal training", "Run"]
    assert _availability(second.trainer) == ["Yoga"]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/bookings/schedule/",
            {
                "action": "delete_selected",
                "_selected_action": [first.pk, second.pk],
                "post": "yes",
            },
        )

    assert response.status_code == 302
    assert list(Schedule.objects.all()) == [kept]
    assert _availability(first.trainer) == ["Run"]
    assert _availability(second.trainer) == []


def test_a_calendar_feed_added_in_the_admin_gets_a_generated_token(staff_client):
    trainer = OfferingFactory().trainer

    response = staff_client.post("/admin/bookings/calendarfeed/add/", {"trainer": trainer.pk})

    assert response.status_code == 302
    feed = CalendarFeed.objects.get()
    assert feed.trainer == trainer
    assert len(feed.token) >= 32
