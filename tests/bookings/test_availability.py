"""Public availability: the API's body and errors, time filters, the cache and its invalidation."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import queries, services
from bookings.cache import availability_invalidate
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db

# Sunday 3 January 2027, 12:00 in Stockholm; the factory's schedule runs Mondays 07:00 local.
NOW = datetime(2027, 1, 3, 11, 0, tzinfo=UTC)


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def url(trainer_id: int, first: str, last: str) -> str:
    return f"/api/trainers/{trainer_id}/availability?from={first}&to={last}"


def starts(occurrences) -> list[str]:
    return [o.start_local.isoformat() for o in occurrences]


def test_availability_lists_occurrences_with_price_seats_and_book_url(api_client, frozen_now):
    offering = OfferingFactory(title="Yoga", capacity=8, price_amount=20000, duration_minutes=60)
    schedule = ScheduleFactory(offering=offering)

    response = api_client.get(url(offering.trainer_id, "2027-01-04", "2027-01-10"))

    assert response.status_code == 200
    assert response.json() == {
        "trainer": offering.trainer_id,
        "time_zone": "Europe/Stockholm",
        "from": "2027-01-04",
        "to": "2027-01-10",
        "occurrences": [
            {
                "schedule_id": schedule.pk,
                "offering": {"id": offering.pk, "title": "Yoga", "duration_minutes": 60},
                "start": "2027-01-04T06:00:00Z",
                "end": "2027-01-04T07:00:00Z",
                "start_local": "2027-01-04T07:00:00+01:00",
                "end_local": "2027-01-04T08:00:00+01:00",
                "capacity": 8,
                "seats_left": 8,
                "price": {"amount": 20000, "currency": "SEK", "formatted": "200 kr"},
                "book_url": f"/book/{schedule.pk}/20270104T060000Z/",
            }
        ],
    }


def test_window_dates_are_local_days_both_included(api_client, frozen_now):
    schedule = ScheduleFactory(rrule="FREQ=DAILY", start_time=time(0, 30))

    body = api_client.get(url(schedule.trainer_id, "2027-01-05", "2027-01-06")).json()

    # 00:30 Stockholm is 23:30 UTC the day before: the local day decides.
    assert [o["start"] for o in body["occurrences"]] == [
        "2027-01-04T23:30:00Z",
        "2027-01-05T23:30:00Z",
    ]


def test_window_of_62_days_is_fine_and_63_too_large(api_client, frozen_now):
    trainer_id = ScheduleFactory().trainer_id

    fine = api_client.get(url(trainer_id, "2027-01-04", "2027-03-06"))
    too_large = api_client.get(url(trainer_id, "2027-01-04", "2027-03-07"))

    assert fine.status_code == 200
    assert len(fine.json()["occurrences"]) == 9
    assert too_large.status_code == 422
    message = "The window may be at most 62 days; this one is 63."
    assert too_large.json() == {
        "error": {"code": "WINDOW_TOO_LARGE", "message": message, "fields": {"to": [message]}}
    }


def test_a_window_without_dates_names_both(api_client, frozen_now):
    trainer_id = ScheduleFactory().trainer_id

    response = api_client.get(f"/api/trainers/{trainer_id}/availability")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "from": ["Send from=YYYY-MM-DD once."],
        "to": ["Send to=YYYY-MM-DD once."],
    }


@pytest.mark.parametrize(
    ("query", "field", "message", "status"),
    [
        ("?from=2027-01-04", "to", "Send to=YYYY-MM-DD once.", 400),
        (
            "?from=tomorrow&to=2027-01-10",
            "from",
            "from must be a date, YYYY-MM-DD (e.g. 2026-12-07).",
            400,
        ),
        # The schema's pattern accepts it; the calendar has no 30 February.
        (
            "?from=2027-02-30&to=2027-03-01",
            "from",
            "from must be a date, YYYY-MM-DD (e.g. 2026-12-07).",
            422,
        ),
        ("?from=2027-01-10&to=2027-01-04", "to", "to must not be before from.", 422),
        (
            "?from=2027-01-04&from=2027-01-05&to=2027-01-10",
            "from",
            "Send from=YYYY-MM-DD once.",
            400,
        ),
    ],
)
def test_invalid_window_is_refused(api_client, frozen_now, query, field, message, status):
    trainer_id = ScheduleFactory().trainer_id

    response = api_client.get(f"/api/trainers/{trainer_id}/availability{query}")

    assert response.status_code == status
    assert response.json() == {
        "error": {"code": "INVALID_WINDOW", "message": message, "fields": {field: [message]}}
    }


def test_unpublished_or_unknown_trainer_is_a_404(api_client, frozen_now):
    hidden = ScheduleFactory(offering__trainer__is_published=False)

    assert api_client.get(url(hidden.trainer_id, "2027-01-04", "2027-01-10")).status_code == 404
    assert api_client.get(url(999999, "2027-01-04", "2027-01-10")).json()["error"]["code"] == (
        "NOT_FOUND"
    )


def test_stale_bearer_token_does_not_matter(api_client, frozen_now):
    trainer_id = ScheduleFactory().trainer_id
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert api_client.get(url(trainer_id, "2027-01-04", "2027-01-10")).status_code == 200


def test_past_and_closer_than_min_notice_are_left_out(settings):
    settings.MIN_BOOKING_NOTICE_MINUTES = 120
    schedule = ScheduleFactory(rrule="FREQ=DAILY")  # 07:00 local = 06:00 UTC
    start, end = datetime(2027, 1, 4, tzinfo=UTC), datetime(2027, 1, 8, tzinfo=UTC)

    # 04:30 UTC: today's 06:00 is 90 minutes away; yesterday's is past.
    result = queries.trainer_availability(
        schedule.trainer, start, end, now=datetime(2027, 1, 5, 4, 30, tzinfo=UTC)
    )
    exactly_at_notice = queries.trainer_availability(
        schedule.trainer, start, end, now=datetime(2027, 1, 5, 4, 0, tzinfo=UTC)
    )

    assert starts(result) == ["2027-01-06T07:00:00+01:00", "2027-01-07T07:00:00+01:00"]
    assert starts(exactly_at_notice)[0] == "2027-01-05T07:00:00+01:00"


def test_time_filters_apply_to_a_cached_answer(django_assert_num_queries):
    schedule = ScheduleFactory(rrule="FREQ=DAILY")
    start, end = datetime(2027, 1, 4, tzinfo=UTC), datetime(2027, 1, 8, tzinfo=UTC)
    early = queries.trainer_availability(schedule.trainer, start, end, now=start - timedelta(1))

    with django_assert_num_queries(0):
        later = queries.trainer_availability(
            schedule.trainer, start, end, now=datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
        )

    assert len(early) == 4
    assert starts(later) == ["2027-01-06T07:00:00+01:00", "2027-01-07T07:00:00+01:00"]


def test_nothing_beyond_the_horizon(settings):
    settings.SCHEDULE_HORIZON_DAYS = 2
    schedule = ScheduleFactory(rrule="FREQ=DAILY")
    now = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)

    result = queries.trainer_availability(schedule.trainer, now, now + timedelta(days=10), now=now)

    assert starts(result) == ["2027-01-04T07:00:00+01:00", "2027-01-05T07:00:00+01:00"]


def test_cancelled_and_inactive_are_left_out():
    cancelled = ScheduleFactory(exdates=["2027-01-11T07:00:00"])
    ScheduleFactory(
        offering__trainer=cancelled.trainer, offering__is_active=False, start_time=time(9)
    )
    ScheduleFactory(offering__trainer=cancelled.trainer, is_active=False, start_time=time(11))
    start = datetime(2027, 1, 4, tzinfo=UTC)

    result = queries.trainer_availability(
        cancelled.trainer, start, start + timedelta(days=15), now=start
    )

    assert starts(result) == ["2027-01-04T07:00:00+01:00", "2027-01-18T07:00:00+01:00"]


def test_schedule_change_is_seen_at_once_despite_the_cache(django_capture_on_commit_callbacks):
    schedule = ScheduleFactory()
    start = datetime(2027, 1, 4, tzinfo=UTC)
    window = (schedule.trainer, start, start + timedelta(days=7))
    assert starts(queries.trainer_availability(*window, now=start)) == ["2027-01-04T07:00:00+01:00"]

    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_update(schedule=schedule, start_time=time(9, 0), now=start)

    assert starts(queries.trainer_availability(*window, now=start)) == ["2027-01-04T09:00:00+01:00"]


def test_a_slot_just_taken_is_not_offered_from_the_cache(monkeypatch):
    schedule = ScheduleFactory(offering__capacity=1)
    start = datetime(2027, 1, 4, tzinfo=UTC)
    window = (schedule.trainer, start, start + timedelta(days=14))
    assert len(queries.trainer_availability(*window, now=start)) == 2
    taken = {(schedule.pk, datetime(2027, 1, 4, 6, 0, tzinfo=UTC)): 1}
    monkeypatch.setattr(queries, "seats_taken", lambda occurrences, **kwargs: taken)

    cached = queries.trainer_availability(*window, now=start)
    availability_invalidate(schedule.trainer_id)  # what booking a slot calls, after commit
    fresh = queries.trainer_availability(*window, now=start)

    assert len(cached) == 2  # the cache really was in the way...
    assert starts(fresh) == ["2027-01-11T07:00:00+01:00"]  # ...until the invalidation


def test_seats_left_counts_seats_taken(monkeypatch):
    schedule = ScheduleFactory(offering__capacity=8, starts_on=date(2027, 1, 4))
    start = datetime(2027, 1, 4, tzinfo=UTC)
    monkeypatch.setattr(
        queries,
        "seats_taken",
        lambda occurrences, **kwargs: {(schedule.pk, datetime(2027, 1, 4, 6, 0, tzinfo=UTC)): 3},
    )

    result = queries.trainer_availability(
        schedule.trainer, start, start + timedelta(days=8), now=start
    )

    assert [(o.seats_left, o.capacity) for o in result] == [(5, 8), (8, 8)]


# --- "available this week" ---------------------------------------------------------------------


def test_trainer_ids_with_availability_finds_trainers_with_a_bookable_slot():
    weekly = ScheduleFactory()
    ScheduleFactory(starts_on=date(2027, 3, 1))  # starts later
    ScheduleFactory(offering__trainer__is_published=False)
    every_other_week = ScheduleFactory(
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", starts_on=date(2027, 1, 1)
    )
    now = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)

    this_week = queries.trainer_ids_with_availability(now, now + timedelta(days=7), now=now)
    only_some = queries.trainer_ids_with_availability(
        now, now + timedelta(days=7), trainer_ids=[every_other_week.trainer_id], now=now
    )

    assert this_week == {weekly.trainer_id}
    assert only_some == set()


def test_available_trainers_endpoint(api_client, frozen_now):
    # NOW is Sunday: Monday 07:00 is tomorrow.
    available = ScheduleFactory(starts_on=date(2027, 1, 4))
    later = ScheduleFactory(starts_on=date(2027, 2, 1))
    none = TrainerProfileFactory()
    ids = f"{available.trainer_id},{later.trainer_id},{none.pk}"

    response = api_client.get(f"/api/availability/trainers?ids={ids}")

    assert response.status_code == 200
    assert response.json() == {
        "from": "2027-01-03T11:00:00Z",
        "to": "2027-01-10T11:00:00Z",
        "available": [available.trainer_id],
    }


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "INVALID_FILTER"),
        ("?ids=1,x", "INVALID_FILTER"),
        ("?ids=1&days=15", "WINDOW_TOO_LARGE"),
    ],
)
def test_available_trainers_endpoint_refuses_bad_input(api_client, query, code):
    response = api_client.get(f"/api/availability/trainers{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
