"""The trainer's calendar pages (schedule form -> RRULE -> Schedule row, edit, stop, cancel
one date, the calendar link) and the slot page a trainee reaches from the public calendar."""

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from bookings import queries
from bookings.models import CalendarFeed, Schedule
from bookings.services import schedule_create
from tests.factories import OfferingFactory, TrainerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def next_weekday(weekday: int, *, weeks_ahead: int = 1) -> date:
    """A date on ``weekday`` (0 = Monday) at least a week from today, so never in the past."""
    today = timezone.localdate()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def form_post(offering, **fields) -> dict:
    data = {
        "offering": str(offering.pk),
        "starts_on": next_weekday(0).isoformat(),
        "start_time": "07:00",
        "duration_minutes": "",
        "repeat": "weekly",
        "interval": "2",
        "weekdays": ["MO", "WE"],
        "end": "count",
        "until_date": "",
        "count": "10",
    }
    data.update(fields)
    return data


@pytest.fixture
def trainer():
    return TrainerProfileFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm")


@pytest.fixture
def offering(trainer):
    return OfferingFactory(trainer=trainer, title="Personal training", duration_minutes=60)


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer.user)
    return client


def make_schedule(offering, *, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8", start=time(7), starts_on=None):
    return schedule_create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=starts_on or next_weekday(0),
        start_time=start,
        rrule=rrule,
    ).schedule


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form_errors(response) -> list[str]:
    return response.context["form"].non_field_errors()


# --- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/trainer/calendar/", "/trainer/schedules/new/"])
def test_anonymous_visitor_is_sent_to_log_in(client, path):
    # when an anonymous visitor opens a calendar page
    response = client.get(path)

    # then they are sent to the log-in page and come back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_someone_who_is_not_a_trainer_is_told_to_become_one(client):
    # given a logged-in trainee
    client.force_login(UserFactory())

    # when they open the trainer calendar
    response = client.get("/trainer/calendar/")

    # then a page explains the calendar is for trainers and links to becoming one
    assert response.status_code == 200
    assert response.templates[0].name == "bookings/not_a_trainer.html"
    body = response.content.decode()
    assert "The calendar is for trainers" in body
    assert 'href="/trainer/become/"' in body


def test_calendar_page_configures_the_calendar_in_the_trainers_zone_and_language(
    trainer_client, trainer, offering
):
    # given a trainer in New York who reads the site in Swedish
    trainer.time_zone = "America/New_York"
    trainer.save()
    make_schedule(offering, starts_on=next_weekday(0))
    trainer_client.cookies["django_language"] = "sv"

    # when they open their calendar on a given date
    response = trainer_client.get("/trainer/calendar/?date=2026-12-07")

    # then FullCalendar gets the zone, the language, the date and the events URL
    assert response.status_code == 200
    body = response.content.decode()
    config = json.loads(
        re.search(r'id="trainer-calendar-config"[^>]*>(.*?)</script>', body, re.S).group(1)
    )
    assert config["timeZone"] == "America/New_York"
    assert config["locale"] == "sv"
    assert config["initialDate"] == "2026-12-07"
    assert config["eventsUrl"] == "/api/trainer/calendar"
    assert config["cancelUrl"] == "/trainer/schedules/{id}/cancel-occurrence/"
    assert "vendor/fullcalendar/6.1.21/index.global.min.js" in body
    assert "vendor/fullcalendar/6.1.21/locales/sv.global.min.js" in body
    # and the schedule is listed with its rule in words
    assert len(response.context["schedules"]) == 1
    assert response.context["schedules"][0].end_time == time(8)


def test_the_form_offers_only_the_trainers_own_active_offerings(trainer_client, trainer, offering):
    # given an inactive offering of the trainer and another trainer's offering
    OfferingFactory(trainer=trainer, title="Old class", is_active=False)
    OfferingFactory(title="Someone else's session")

    # when the trainer opens the new-schedule form
    response = trainer_client.get("/trainer/schedules/new/")

    # then only their own active offering can be picked, and it is picked already
    form = response.context["form"]
    choices = [label for value, label in form.fields["offering"].choices]
    assert choices == ["---------", "Personal training (60 min)"]
    assert form["offering"].value() == offering.pk


# --- form -> RRULE -> schedule row -----------------------------------------------------------


def test_weekly_on_monday_and_wednesday_at_seven_until_a_date(trainer_client, trainer, offering):
    first = next_weekday(0)
    last = first + timedelta(weeks=12)

    # when the trainer fills in the form: weekly, Mon + Wed, 07:00, until a date
    response = trainer_client.post(
        "/trainer/schedules/new/",
        form_post(
            offering,
            starts_on=first.isoformat(),
            repeat="weekly",
            weekdays=["WE", "MO"],
            end="until",
            until_date=last.isoformat(),
        ),
    )

    # then one schedule row holds exactly that rule, in the trainer's zone
    assert response.status_code == 302
    assert response["Location"] == f"/trainer/calendar/?date={first.isoformat()}"
    schedule = Schedule.objects.get()
    assert (
        schedule.trainer,
        schedule.offering,
        schedule.starts_on,
        schedule.start_time,
        schedule.duration_minutes,
        schedule.time_zone,
        schedule.rrule,
        schedule.exdates,
        schedule.is_active,
    ) == (
        trainer,
        offering,
        first,
        time(7),
        None,
        "Europe/Stockholm",
        f"FREQ=WEEKLY;BYDAY=MO,WE;UNTIL={last:%Y%m%d}",
        [],
        True,
    )
    # and the calendar page lists it in words, without a horizon notice
    page = trainer_client.get(response["Location"])
    assert page_messages(page) == ["The schedule is saved."]
    assert page.context["schedules"][0].rule_text == (
        f"Every week on Mon, Wed · until {last.day} {last:%b} {last.year}"
    )


def test_every_two_weeks_on_tuesday_and_thursday_ten_times(trainer_client, offering):
    # when the trainer chooses "every few weeks" with 2, Tue + Thu, after 10 sessions
    response = trainer_client.post(
        "/trainer/schedules/new/",
        form_post(
            offering,
            starts_on=next_weekday(1).isoformat(),
            start_time="18:30",
            duration_minutes="45",
            repeat="every_n_weeks",
            interval="2",
            weekdays=["TH", "TU"],
            end="count",
            count="10",
        ),
    )

    # then the rule has the interval and the count, and the length is overridden
    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert schedule.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10"
    assert (schedule.start_time, schedule.duration_minutes) == (time(18, 30), 45)


def test_monthly_on_the_same_day_of_the_month_six_times(trainer_client, offering):
    today = timezone.localdate()
    first = date(today.year + 1, 1, 15)

    # when the trainer chooses "every month", first date the 15th, after 6 sessions
    response = trainer_client.post(
        "/trainer/schedules/new/",
        form_post(
            offering,
            starts_on=first.isoformat(),
            repeat="monthly",
            weekdays=["MO"],
            end="count",
            count="6",
        ),
    )

    # then the rule repeats on day 15 of each month; the weekdays are ignored
    assert response.status_code == 302
    assert Schedule.objects.get().rrule == "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6"


def test_without_weekdays_a_weekly_schedule_repeats_on_the_first_dates_weekday(
    trainer_client, offering
):
    # when the trainer picks no weekday and a Friday as the first date
    response = trainer_client.post(
        "/trainer/schedules/new/",
        form_post(offering, starts_on=next_weekday(4).isoformat(), weekdays=[], count="3"),
    )

    # then the schedule repeats on Fridays
    assert response.status_code == 302
    assert Schedule.objects.get().rrule == "FREQ=WEEKLY;BYDAY=FR;COUNT=3"


def test_a_schedule_without_end_is_saved_with_the_horizon_notice(trainer_client, offering):
    # when the trainer chooses "no end"
    response = trainer_client.post(
        "/trainer/schedules/new/", form_post(offering, end="never"), follow=True
    )

    # then the rule has neither COUNT nor UNTIL, and the page says where it is cut
    assert Schedule.objects.get().rrule == "FREQ=WEEKLY;BYDAY=MO,WE"
    notices = page_messages(response)
    assert notices[0] == "The schedule is saved."
    assert len(notices) == 2
    horizon = (timezone.now() + timedelta(days=365)).astimezone(STOCKHOLM).date()
    assert notices[1] == (
        f"This schedule runs past {horizon.day} {horizon:%b} {horizon.year}, 12 months ahead: "
        "sessions are offered up to that date, and later ones open for booking as time moves on."
    )


def test_an_overlapping_schedule_is_refused_on_the_form_naming_the_clash(
    trainer_client, trainer, offering
):
    # given a Monday 07:00-08:00 schedule
    monday = next_weekday(0)
    make_schedule(offering, starts_on=monday, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8")
    group = OfferingFactory(trainer=trainer, title="Morning group", capacity=8)

    # when the trainer adds a Monday 07:30 schedule
    response = trainer_client.post(
        "/trainer/schedules/new/",
        form_post(
            group, starts_on=monday.isoformat(), start_time="07:30", weekdays=["MO"], count="4"
        ),
    )

    # then the form is shown again with the first clash, and nothing is saved
    assert response.status_code == 200
    clash = f"{monday:%a} {monday.day} {monday:%b} {monday.year} 07:00–08:00"
    assert form_errors(response) == [
        f"This schedule overlaps Personal training on {clash}. Choose another time or day."
    ]
    assert "This schedule overlaps Personal training" in response.content.decode()
    assert Schedule.objects.count() == 1


def test_a_schedule_ending_when_the_other_starts_is_not_an_overlap(trainer_client, offering):
    # given a Monday 07:00-08:00 schedule
    make_schedule(offering, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8")

    # when the trainer adds one on Mondays 06:00-07:00
    response = trainer_client.post(
        "/trainer/schedules/new/", form_post(offering, start_time="06:00", weekdays=["MO"])
    )

    # then it is saved
    assert response.status_code == 302
    assert Schedule.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"end": "until", "until_date": "2020-01-01"},
            "until_date",
            "The last date cannot be before the first date.",
        ),
        (
            {"end": "until", "until_date": ""},
            "until_date",
            "Pick the last date, or choose another end.",
        ),
        ({"end": "count", "count": ""}, "count", "Say after how many sessions it ends."),
        (
            {"repeat": "every_n_weeks", "interval": ""},
            "interval",
            "Say how many weeks apart, from 2 to 12.",
        ),
        ({"start_time": "7 o'clock"}, "start_time", "Enter a valid time."),
    ],
)
def test_incomplete_answers_are_shown_on_their_field(
    trainer_client, offering, fields, field, message
):
    # when the form is sent with a missing or wrong answer
    response = trainer_client.post("/trainer/schedules/new/", form_post(offering, **fields))

    # then that field shows why, and nothing is saved
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Schedule.objects.count() == 0


def test_another_trainers_offering_cannot_be_posted(trainer_client):
    # when the form is posted with another trainer's offering
    response = trainer_client.post("/trainer/schedules/new/", form_post(OfferingFactory()))

    # then it is refused as not one of the choices
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["offering"]
    assert Schedule.objects.count() == 0


# --- edit, stop, cancel one date ---------------------------------------------------------------


def test_the_edit_form_shows_the_schedule_and_saves_changes(trainer_client, offering):
    # given a weekly Mon + Wed schedule until a date
    first = next_weekday(0)
    last = first + timedelta(weeks=6)
    schedule = make_schedule(
        offering, starts_on=first, rrule=f"FREQ=WEEKLY;BYDAY=MO,WE;UNTIL={last:%Y%m%d}"
    )

    # when the trainer opens its edit form
    response = trainer_client.get(f"/trainer/schedules/{schedule.pk}/edit/")

    # then the answers are read back from the rule
    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in ("repeat", "weekdays", "end", "until_date")} == {
        "repeat": "weekly",
        "weekdays": ["MO", "WE"],
        "end": "until",
        "until_date": last,
    }
    body = response.content.decode()
    assert f'value="{last.isoformat()}"' in body
    assert 'value="07:00"' in body

    # when they move it to 06:15 on Fridays, every 3 weeks, 5 times
    response = trainer_client.post(
        f"/trainer/schedules/{schedule.pk}/edit/",
        form_post(
            offering,
            starts_on=first.isoformat(),
            start_time="06:15",
            repeat="every_n_weeks",
            interval="3",
            weekdays=["FR"],
            end="count",
            count="5",
        ),
    )

    # then the same row holds the new rule
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.start_time, schedule.rrule) == (
        time(6, 15),
        "FREQ=WEEKLY;INTERVAL=3;BYDAY=FR;COUNT=5",
    )
    assert Schedule.objects.count() == 1


def test_an_edit_that_would_overlap_is_refused_and_the_row_is_unchanged(trainer_client, offering):
    # given Monday 07:00 and Monday 09:00 schedules
    make_schedule(offering, start=time(7))
    later = make_schedule(offering, start=time(9))

    # when the 09:00 one is moved to 07:30
    response = trainer_client.post(
        f"/trainer/schedules/{later.pk}/edit/",
        form_post(offering, start_time="07:30", weekdays=["MO"], count="8"),
    )

    # then the clash is shown and the row keeps 09:00
    assert response.status_code == 200
    assert form_errors(response)[0].startswith("This schedule overlaps Personal training on ")
    later.refresh_from_db()
    assert later.start_time == time(9)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/trainer/schedules/{id}/edit/"),
        ("post", "/trainer/schedules/{id}/edit/"),
        ("post", "/trainer/schedules/{id}/deactivate/"),
        ("post", "/trainer/schedules/{id}/cancel-occurrence/"),
    ],
)
def test_only_the_owner_may_change_a_schedule(client, offering, method, path):
    # given another trainer's schedule
    schedule = make_schedule(offering)
    intruder = TrainerProfileFactory()
    OfferingFactory(trainer=intruder)
    client.force_login(intruder.user)

    # when the other trainer tries to change it
    response = getattr(client, method)(
        path.format(id=schedule.pk),
        form_post(offering, start_time="12:00", start_local="2030-01-07T07:00:00"),
    )

    # then they get 403 and the schedule is as it was
    assert response.status_code == 403
    schedule.refresh_from_db()
    assert (schedule.start_time, schedule.is_active, schedule.exdates) == (time(7), True, [])


def test_an_unknown_schedule_is_404(trainer_client):
    assert trainer_client.get("/trainer/schedules/999999/edit/").status_code == 404


def test_the_owner_stops_a_schedule(trainer_client, offering):
    # given an active schedule
    schedule = make_schedule(offering)

    # when the owner stops it
    response = trainer_client.post(f"/trainer/schedules/{schedule.pk}/deactivate/", follow=True)

    # then it is inactive and the calendar says so
    schedule.refresh_from_db()
    assert schedule.is_active is False
    assert page_messages(response) == [
        "Personal training is no longer in your calendar: trainees cannot book it."
    ]


def test_the_owner_cancels_one_date(trainer_client, offering):
    # given a Monday 07:00 schedule
    first = next_weekday(0)
    schedule = make_schedule(offering, starts_on=first)
    second = first + timedelta(weeks=1)

    # when the owner cancels its second session from the calendar's dialog
    response = trainer_client.post(
        f"/trainer/schedules/{schedule.pk}/cancel-occurrence/",
        {"start_local": f"{second.isoformat()}T07:00:00"},
    )

    # then that date is an EXDATE and the calendar opens on it
    assert response.status_code == 302
    assert response["Location"] == f"/trainer/calendar/?date={second.isoformat()}"
    schedule.refresh_from_db()
    assert schedule.exdates == [f"{second.isoformat()}T07:00:00"]


def test_cancelling_a_time_that_is_not_a_session_says_so(trainer_client, offering):
    schedule = make_schedule(offering)
    tuesday = next_weekday(1)

    # when the owner posts a Tuesday although the schedule is on Mondays
    response = trainer_client.post(
        f"/trainer/schedules/{schedule.pk}/cancel-occurrence/",
        {"start_local": f"{tuesday.isoformat()}T07:00:00"},
        follow=True,
    )

    # then nothing is cancelled and the page says why
    schedule.refresh_from_db()
    assert schedule.exdates == []
    when = f"{tuesday:%a} {tuesday.day} {tuesday:%b} {tuesday.year} 07:00"
    assert page_messages(response) == [f"The schedule has no session at {when}."]


def test_the_calendar_link_is_created_then_regenerated(trainer_client, trainer):
    # when the trainer creates their calendar link
    response = trainer_client.post("/trainer/calendar/link/", follow=True)

    # then the page shows the secret .ics address
    feed = CalendarFeed.objects.get(trainer=trainer)
    assert f"http://testserver/calendar/{feed.token}.ics" in response.content.decode()

    # when they make a new one
    old = feed.token
    response = trainer_client.post("/trainer/calendar/link/", follow=True)

    # then the token changed and the old address is gone from the page
    feed.refresh_from_db()
    assert feed.token != old
    body = response.content.decode()
    assert f"/calendar/{feed.token}.ics" in body
    assert old not in body
    # and only the new address serves the feed
    assert trainer_client.get(f"/calendar/{old}.ics").status_code == 404
    fresh = trainer_client.get(f"/calendar/{feed.token}.ics")
    assert fresh.status_code == 200
    assert fresh["Content-Type"].startswith("text/calendar")


# --- the slot page a trainee reaches from the public calendar -----------------------------------


def slot_path(schedule, start_utc: datetime) -> str:
    return f"/book/{schedule.pk}/{start_utc:%Y%m%dT%H%M%SZ}/"


def test_a_bookable_slot_shows_its_details_and_says_booking_opens_soon(client, offering):
    # given a Monday 07:00 Stockholm schedule of a 450 kr session
    first = next_weekday(0)
    schedule = make_schedule(offering, starts_on=first)
    start = datetime.combine(first, time(7), tzinfo=schedule.zone).astimezone(UTC)

    # when a visitor opens the slot's booking link
    response = client.get(slot_path(schedule, start))

    # then they see the session, its local time and price, and are asked to log in to book
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["problem"] is None
    assert response.context["price"] == "450 kr"
    assert response.context["start_local"] == datetime.combine(first, time(7), tzinfo=schedule.zone)
    assert "Personal training" in body
    assert "07:00–08:00" in body
    assert "450 kr" in body
    assert 'data-testid="slot-login"' in body
    assert 'data-testid="slot-book"' not in body


def test_a_time_that_is_not_in_the_schedule_is_not_offered(client, offering):
    schedule = make_schedule(offering)
    tuesday = datetime.combine(next_weekday(1), time(6), tzinfo=UTC)

    for path in (
        slot_path(schedule, tuesday),
        f"/book/{schedule.pk}/yesterday/",
        "/book/999/20300101T060000Z/",
    ):
        # when a visitor opens a link to a time that is not a session
        response = client.get(path)

        # then a 404 page says so
        assert response.status_code == 404
        assert "This time is not in the trainer&#x27;s schedule." in response.content.decode()


def test_a_past_session_and_a_full_one_are_explained(client, offering, monkeypatch):
    # given a schedule that began last week
    today = timezone.localdate()
    first = today - timedelta(days=7)
    schedule = Schedule.objects.create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=first,
        start_time=time(7),
        time_zone="Europe/Stockholm",
        rrule="FREQ=DAILY;COUNT=30",
    )
    past = datetime.combine(first, time(7), tzinfo=schedule.zone).astimezone(UTC)
    later = datetime.combine(today + timedelta(days=5), time(7), tzinfo=schedule.zone)

    # when a visitor opens a past session
    response = client.get(slot_path(schedule, past))
    # then they are told it has started
    assert response.status_code == 200
    assert response.context["problem"] == "This session has already started."

    # when every seat of a later session is taken
    monkeypatch.setattr(
        queries,
        "seats_taken",
        lambda occurrences, **kwargs: {(o.schedule_id, o.start): o.capacity for o in occurrences},
    )
    response = client.get(slot_path(schedule, later.astimezone(UTC)))
    # then they are told it is full
    assert response.context["problem"] == "This session is full."
    assert 'data-testid="slot-book"' not in response.content.decode()


def test_every_book_url_of_the_availability_api_opens_its_slot_page(client, offering):
    # given a Monday and Wednesday 07:00 schedule
    first = next_weekday(0)
    make_schedule(offering, starts_on=first, rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4")

    # when a visitor lists the free times and opens each slot's link
    response = client.get(
        f"/api/trainers/{offering.trainer_id}/availability",
        {"from": first.isoformat(), "to": (first + timedelta(days=13)).isoformat()},
    )
    assert response.status_code == 200
    slots = response.json()["occurrences"]
    pages = [client.get(slot["book_url"]) for slot in slots]

    # then each page shows that slot, bookable
    assert len(slots) == 4
    assert [page.status_code for page in pages] == [200] * 4
    assert [page.context["problem"] for page in pages] == [None] * 4
    assert [page.context["start_local"].isoformat() for page in pages] == [
        slot["start_local"] for slot in slots
    ]


def test_the_public_trainer_page_carries_the_free_times_calendar(client, trainer, offering):
    # when a visitor opens a published trainer's page in Swedish
    client.cookies["django_language"] = "sv"
    body = client.get(f"/trainers/{trainer.slug}/").content.decode()

    # then the calendar section is set up to load the trainer's availability in Swedish
    assert re.search(
        r'<div id="trainee-calendar"[^>]*'
        rf'data-availability-url="/api/trainers/{trainer.pk}/availability"\s+'
        r'data-time-zone="Europe/Stockholm"\s+data-locale="sv"\s+'
        rf'data-horizon-days="{settings.SCHEDULE_HORIZON_DAYS}"',
        body,
    )
    for script in (
        "vendor/fullcalendar/6.1.21/index.global.min.js",
        "vendor/fullcalendar/6.1.21/locales/sv.global.min.js",
        "js/trainee-calendar.js",
    ):
        assert re.search(
            rf'<script src="/static/{re.escape(script)}" nonce="[^"]+"></script>', body
        )


# --- one RRULE parser, one COUNT bound -------------------------------------------------------


def test_the_form_and_the_rrule_parser_share_the_count_bound(trainer_client, offering):
    from bookings.recurrence import MAX_COUNT

    too_many = trainer_client.post(
        "/trainer/schedules/new/", form_post(offering, count=str(MAX_COUNT + 1))
    )
    most = trainer_client.post("/trainer/schedules/new/", form_post(offering, count=str(MAX_COUNT)))

    assert too_many.status_code == 200
    assert too_many.context["form"].errors["count"] == [
        f"Ensure this value is less than or equal to {MAX_COUNT}."
    ]
    assert most.status_code == 302
    assert Schedule.objects.get().rrule == f"FREQ=WEEKLY;BYDAY=MO,WE;COUNT={MAX_COUNT}"


def test_a_rule_written_through_the_api_reads_back_into_the_form_and_the_list(
    trainer_client, offering
):
    # given a rule the form does not write itself: a UTC UNTIL and lower-case input
    first = next_weekday(2)
    schedule = make_schedule(
        offering,
        starts_on=first,
        rrule=f"rrule:freq=weekly;byday=we,mo;until={first:%Y%m%d}T225959Z",
    )

    form = trainer_client.get(f"/trainer/schedules/{schedule.pk}/edit/").context["form"]
    calendar = trainer_client.get("/trainer/calendar/")

    assert {name: form[name].value() for name in ("repeat", "weekdays", "end", "until_date")} == {
        "repeat": "weekly",
        "weekdays": ["MO", "WE"],
        "end": "until",
        "until_date": first,
    }
    (listed,) = calendar.context["schedules"]
    assert listed.rule_text.startswith("Every week on Mon, Wed · until ")
