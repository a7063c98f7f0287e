"""The .ics feed: secret address, regeneration, and times that survive daylight saving."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings import services
from bookings.feeds import trainer_feed
from tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


def events(ics: bytes) -> list[tuple[str, datetime, datetime]]:
    calendar = Calendar.from_ical(ics)
    return [
        (str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"))
        for e in calendar.walk("VEVENT")
    ]


def test_feed_parses_and_keeps_seven_o_clock_across_both_changes():
    schedule = ScheduleFactory(
        offering__title="Morning class",
        rrule="FREQ=WEEKLY;BYDAY=SU",
        starts_on=date(2027, 3, 21),
        start_time=time(7, 0),
    )
    ScheduleFactory(
        offering__trainer=schedule.trainer,
        offering__title="Autumn class",
        rrule="FREQ=WEEKLY;BYDAY=SU;COUNT=2",
        starts_on=date(2027, 10, 24),
        start_time=time(9, 0),
    )

    found = events(trainer_feed(schedule.trainer, now=datetime(2027, 3, 20, tzinfo=UTC)))

    by_start = {start: (summary, end) for summary, start, end in found}
    # 2027-03-28 and 2027-10-31 are the change days in Europe/Stockholm.
    assert by_start[datetime(2027, 3, 21, 6, 0, tzinfo=UTC)][0] == "Morning class"
    assert datetime(2027, 3, 28, 5, 0, tzinfo=UTC) in by_start
    assert datetime(2027, 10, 24, 5, 0, tzinfo=UTC) in by_start
    assert datetime(2027, 10, 31, 6, 0, tzinfo=UTC) in by_start
    assert by_start[datetime(2027, 10, 31, 8, 0, tzinfo=UTC)] == (
        "Autumn class",
        datetime(2027, 10, 31, 9, 0, tzinfo=UTC),
    )
    assert by_start[datetime(2027, 10, 24, 7, 0, tzinfo=UTC)][0] == "Autumn class"
    # Weekly from 21 March up to the 365-day horizon, plus the two autumn classes.
    assert len(found) == 52 + 2


def test_feed_leaves_out_cancelled_occurrences_and_has_unique_uids():
    schedule = ScheduleFactory(rrule="FREQ=WEEKLY;COUNT=3", exdates=["2027-01-11T07:00:00"])

    ics = trainer_feed(schedule.trainer, now=datetime(2027, 1, 1, tzinfo=UTC))

    calendar = Calendar.from_ical(ics)
    uids = [str(e["uid"]) for e in calendar.walk("VEVENT")]
    assert uids == [
        f"schedule-{schedule.pk}-20270104T060000Z@traino",
        f"schedule-{schedule.pk}-20270118T060000Z@traino",
    ]


def test_feed_is_served_at_the_secret_address_until_regenerated(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 1, 1, tzinfo=UTC))
    schedule = ScheduleFactory(rrule="FREQ=WEEKLY;COUNT=2", starts_on=date(2027, 1, 4))
    feed = services.calendar_feed_get_or_create(trainer=schedule.trainer)
    old_url = f"/calendar/{feed.token}.ics"

    response = client.get(old_url)
    services.calendar_feed_regenerate(trainer=schedule.trainer)
    after = client.get(old_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert [start for _, start, _ in events(response.content)] == [
        datetime(2027, 1, 4, 6, 0, tzinfo=UTC),
        datetime(2027, 1, 11, 6, 0, tzinfo=UTC),
    ]
    assert after.status_code == 404


def test_unknown_token_is_404(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404
