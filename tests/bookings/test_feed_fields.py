"""The trainer's .ics feed carries, per session, where, what, the price, the public page's
URL and the seats booked (a count, no names)."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from bookings import services
from bookings.feeds import trainer_feed
from tests.bookings.conftest import NOW, book, confirm
from tests.factories import ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)


def events_by_start(ics: bytes) -> dict:
    return {event.decoded("dtstart"): event for event in Calendar.from_ical(ics).walk("VEVENT")}


@pytest.fixture
def schedule(db):
    return ScheduleFactory(
        offering__trainer__display_name="Anna Lindqvist",
        offering__title="Running group",
        offering__description="Intervals by the water.",
        offering__location_name="Rålambshovsparken",
        offering__price_amount=20000,
        offering__capacity=8,
        rrule="FREQ=WEEKLY;COUNT=3",
    )


def test_each_session_has_location_description_price_and_its_page(schedule):
    event = events_by_start(
        trainer_feed(schedule.trainer, now=NOW, base_url="https://traino.example")
    )[MONDAY]

    url = f"https://traino.example/book/{schedule.pk}/20270104T060000Z/"
    assert str(event["location"]) == "Rålambshovsparken"
    assert str(event["url"]) == url
    assert str(event["description"]) == (
        f"Intervals by the water.\n\nPrice: 200 kr\n\n0 of 8 places booked\n\n{url}"
    )
    assert str(event["x-traino-price"]) == "20000 SEK"
    assert (str(event["x-traino-booked"]), str(event["x-traino-capacity"])) == ("0", "8")
    assert str(event["summary"]) == "Running group"


def test_booked_sessions_carry_the_count_and_never_a_name(schedule):
    confirm(book(UserFactory(name="Maja Svensson"), schedule))
    book(UserFactory(name="Erik Berg"), schedule)  # a live hold holds a seat

    ics = trainer_feed(schedule.trainer, now=NOW)

    event = events_by_start(ics)[MONDAY]
    assert str(event["summary"]) == "Running group (2 of 8 places booked)"
    assert str(event["x-traino-booked"]) == "2"
    assert "2 of 8 places booked" in str(event["description"])
    assert b"Maja" not in ics and b"Erik" not in ics
    later = events_by_start(ics)[datetime(2027, 1, 11, 6, 0, tzinfo=UTC)]
    assert str(later["x-traino-booked"]) == "0"


def test_a_personal_session_says_booked_and_falls_back_to_the_trainers_address(db):
    schedule = ScheduleFactory(
        offering__title="Personal training",
        offering__location_name="",
        offering__trainer__address="Hornsgatan 1, Stockholm",
        rrule="FREQ=WEEKLY;COUNT=1",
    )
    confirm(book(UserFactory(), schedule))

    event = events_by_start(trainer_feed(schedule.trainer, now=NOW))[MONDAY]

    assert str(event["location"]) == "Hornsgatan 1, Stockholm"
    assert str(event["summary"]) == "Personal training (Booked)"
    # Without a base address the URL is the site's own path.
    assert str(event["url"]) == f"/book/{schedule.pk}/20270104T060000Z/"


def test_the_served_feed_has_absolute_urls_and_english_text(client, schedule):
    feed = services.calendar_feed_get_or_create(trainer=schedule.trainer)

    response = client.get(f"/calendar/{feed.token}.ics", HTTP_ACCEPT_LANGUAGE="sv")

    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert events, response.content
    assert str(events[0]["url"]).startswith("http://testserver/book/")
    assert "Price: 200 kr" in str(events[0]["description"])
