"""Search by when: ?days=tue,thu&from_time=06:00&to_time=09:00 on GET /api/trainers, in each
trainer's own time zone, across a daylight-saving change, joined with the other filters."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.http import QueryDict

from bookings import search_by_when
from bookings.recurrence import WEEKDAYS
from bookings.search_by_when import When, parse_when, trainer_ids_free_when
from marketplace import discovery_filters
from marketplace.models import TrainerProfile
from tests.bookings.conftest import book, future_schedule
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"
# Stockholm springs forward on Sunday 2027-03-28 (CET +01:00 -> CEST +02:00).
BEFORE_DST = datetime(2027, 3, 20, 12, 0, tzinfo=UTC)  # a Saturday
TUESDAY = frozenset({1})


def when(days=TUESDAY, start=time(6, 30), end=time(7, 30)) -> When:
    return When(weekdays=frozenset(days), start=start, end=end)


def tuesday_seven(trainer=None, zone="Europe/Stockholm", **fields):
    offering = OfferingFactory(trainer=trainer or TrainerProfileFactory())
    fields = {
        "starts_on": date(2027, 3, 16),
        "start_time": time(7, 0),
        "time_zone": zone,
        "rrule": "FREQ=WEEKLY;BYDAY=TU",
        **fields,
    }
    return ScheduleFactory(offering=offering, **fields)


def free(when_, now=BEFORE_DST) -> set[int]:
    return trainer_ids_free_when(TrainerProfile.objects.all(), when_, now=now)


def test_the_filter_is_registered_with_marketplace_when_bookings_starts():
    assert "when" in {f.name for f in discovery_filters.registered()}


def test_a_tuesday_seven_oclock_matches_a_tuesday_morning_window():
    schedule = tuesday_seven()

    assert free(when()) == {schedule.trainer_id}
    assert free(when(days={3})) == set()  # Thursday
    assert free(when(start=time(7, 1), end=None)) == set()
    assert free(when(start=time(6, 0), end=time(7, 0))) == set()  # the end is excluded


def test_local_time_holds_across_the_daylight_saving_change():
    # Tuesday 23 March is 06:00 UTC (CET); Tuesday 30 March is 05:00 UTC (CEST). Cancel
    # the one before the change: the one after must still be found at 07:00 local.
    schedule = tuesday_seven(exdates=["2027-03-23T07:00:00"])

    assert free(when()) == {schedule.trainer_id}
    # A UTC reading of the window (06:30-07:30 UTC) would miss 05:00 UTC.
    only_after = datetime(2027, 3, 30, 5, 0, tzinfo=UTC)
    assert only_after.astimezone(schedule.zone).time() == time(7, 0)


def test_after_the_change_a_utc_window_would_find_nothing_but_local_time_does():
    schedule = tuesday_seven(exdates=["2027-03-23T07:00:00"])

    # 05:00-06:00 is the UTC time of the session after the change: not its local time.
    assert free(when(start=time(5, 0), end=time(6, 0))) == set()
    assert free(when(start=time(7, 0), end=time(7, 1))) == {schedule.trainer_id}


def test_each_trainer_is_judged_in_their_own_time_zone():
    new_york = tuesday_seven(
        trainer=TrainerProfileFactory(time_zone="America/New_York"), zone="America/New_York"
    )
    stockholm = tuesday_seven()

    assert free(when()) == {new_york.trainer_id, stockholm.trainer_id}


def test_only_the_next_fourteen_days_count():
    schedule = tuesday_seven(starts_on=date(2027, 4, 6))  # 17 days after BEFORE_DST

    assert free(when()) == set()
    assert free(when(), now=BEFORE_DST + timedelta(days=4)) == {schedule.trainer_id}


def test_a_full_session_does_not_count(trainee):
    schedule = tuesday_seven(exdates=["2027-03-30T07:00:00"])  # one Tuesday left: 23 March
    book(trainee, schedule, start=datetime(2027, 3, 23, 6, 0, tzinfo=UTC), now=BEFORE_DST)

    assert free(when()) == set()


def test_a_rule_without_byday_is_still_considered():
    offering = OfferingFactory()
    schedule = ScheduleFactory(
        offering=offering,
        starts_on=date(2027, 3, 23),  # a Tuesday
        start_time=time(7, 0),
        rrule="FREQ=WEEKLY",
    )

    assert free(when()) == {schedule.trainer_id}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("days=tuesday", "days"),
        ("days=", None),
        ("days=tue&days=thu", "days"),
        ("from_time=6", "from_time"),
        ("from_time=25:00", "from_time"),
        ("to_time=09:60", "to_time"),
        ("from_time=09:00&to_time=06:00", "to_time"),
        ("from_time=09:00&to_time=09:00", "to_time"),
        ("from_time=24:00", "from_time"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(query, field):
    params = QueryDict(query)
    if field is None:
        assert parse_when(params) is None
        return
    with pytest.raises(search_by_when.InvalidWhen) as refused:
        parse_when(params)
    assert list(refused.value.fields) == [field]
    assert refused.value.code == "INVALID_FILTER"


def test_parsing_defaults_to_every_day_and_the_whole_day():
    assert parse_when(QueryDict("")) is None
    assert parse_when(QueryDict("days=tue,THU")) == When(frozenset({1, 3}), time(0, 0), None)
    assert parse_when(QueryDict("from_time=06:00&to_time=24:00")) == When(
        frozenset(range(7)), time(6, 0), None
    )


# --- through GET /api/trainers (the real clock) ------------------------------------------------


def test_the_api_joins_the_window_with_the_box_and_other_filters(api_client):
    schedule = future_schedule(days_ahead=3)
    weekday = schedule.starts_on.weekday()
    day = search_by_when.DAY_NAMES[weekday]
    TrainerProfileFactory()  # in the box, no schedule
    far = future_schedule(
        days_ahead=3,
        offering=OfferingFactory(trainer=TrainerProfileFactory(latitude=57.7, longitude=11.97)),
    )
    assert WEEKDAYS[weekday] in schedule.rrule

    def listed(**params):
        response = api_client.get("/api/trainers", {"bbox": BOX, **params})
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert listed(days=day, from_time="06:00", to_time="09:00") == [schedule.trainer_id]
    assert listed(days=day, from_time="06:00", to_time="07:00") == []
    assert listed(days=day, from_time="06:00", to_time="09:00", price_max="100") == []
    assert far.trainer_id not in listed(days=day)


def test_the_api_answers_a_window_that_ends_before_it_starts_with_422(api_client):
    response = api_client.get(
        "/api/trainers",
        {"bbox": BOX, "from_time": "09:00", "to_time": "06:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "INVALID_FILTER",
        "message": "to_time must be later than from_time.",
        "fields": {"to_time": ["to_time must be later than from_time."]},
    }


def test_the_map_page_keeps_the_window_in_its_form(client):
    page = client.get(
        "/", {"days": ["tue", "thu"], "from_time": "06:00", "to_time": "09:00"}
    ).content.decode()

    assert 'id="filter-day-tue" name="days" value="tue" checked' in page
    assert 'id="filter-day-mon" name="days" value="mon">' in page
    assert 'name="from_time" value="06:00"' in page
    assert 'name="to_time" value="09:00"' in page
