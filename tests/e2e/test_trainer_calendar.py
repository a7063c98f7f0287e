"""A trainer puts a weekly schedule in their calendar with the form and sees its sessions."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Schedule
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import OfferingFactory, TrainerProfileFactory


def log_in(page, live_server, user) -> None:
    """Log in by handing the browser a session cookie (the log-in form has its own test)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def next_monday():
    today = timezone.localdate()
    return today + timedelta(days=(7 - today.weekday()) % 7 + 7)


@pytest.mark.browser
def test_a_trainer_creates_a_weekly_schedule_and_sees_its_sessions(page, live_server):
    # given a trainer in Stockholm with one offering, logged in
    trainer = TrainerProfileFactory(display_name="Anna Lindqvist", time_zone="Europe/Stockholm")
    OfferingFactory(trainer=trainer, title="Morning strength", duration_minutes=60)
    OfferingFactory(trainer=trainer, title="Running group", duration_minutes=45, capacity=8)
    log_in(page, live_server, trainer.user)
    monday = next_monday()
    wednesday = monday + timedelta(days=2)
    last = monday + timedelta(weeks=10)

    # when they open their calendar and fill in the new-schedule form
    page.goto("/trainer/calendar/")
    expect(page.get_by_text("No schedule yet")).to_be_visible()
    page.get_by_test_id("new-schedule").click()
    page.get_by_label("Session", exact=True).select_option(label="Morning strength (60 min)")
    page.get_by_label("First date").fill(monday.isoformat())
    page.get_by_label("Start time").fill("07:00")
    page.get_by_text("Every week", exact=True).click()
    page.locator(".weekday", has_text="Mon").click()
    page.locator(".weekday", has_text="Wed").click()
    page.get_by_text("On a date", exact=True).click()
    page.get_by_label("Last date").fill(last.isoformat())
    screenshot(page, "trainer-schedule-form-desktop")
    page.get_by_test_id("save-schedule").click()

    # then the schedule is saved with the rule the form describes
    expect(page.locator(".messages")).to_contain_text("The schedule is saved.")
    schedule = Schedule.objects.get()
    assert (schedule.start_time.isoformat(), schedule.rrule) == (
        "07:00:00",
        f"FREQ=WEEKLY;BYDAY=MO,WE;UNTIL={last:%Y%m%d}",
    )

    # and the calendar opens on that week with a 07:00-08:00 session on Monday and Wednesday
    calendar = page.get_by_test_id("trainer-calendar")
    events = calendar.locator(".fc-timegrid-event")
    expect(events).to_have_count(2)
    expect(events.locator(".fc-event-time")).to_have_text(["07:00 - 08:00", "07:00 - 08:00"])
    expect(events.locator(".fc-event-title")).to_have_text(["Morning strength"] * 2)
    for day in (monday, wednesday):
        column = calendar.locator(f'.fc-timegrid-col[data-date="{day.isoformat()}"]')
        expect(column.locator(".fc-event-time")).to_have_text("07:00 - 08:00")
    expect(page.get_by_test_id("schedule-rule")).to_have_text(
        f"Every week on Mon, Wed · until {last.day} {last:%b} {last.year}"
    )
    screenshot(page, "trainer-calendar-week-desktop")

    # when they switch to the month view
    calendar.get_by_role("button", name="month").click()

    # then every Monday and Wednesday of the month carries the session
    month_events = calendar.locator(".fc-daygrid-event")
    expect(month_events.first).to_contain_text("07:00")
    screenshot(page, "trainer-calendar-month-desktop")

    # when they click Wednesday's session and cancel that one date
    calendar.get_by_role("button", name="week", exact=True).click()
    calendar.locator(f'.fc-timegrid-col[data-date="{wednesday.isoformat()}"] .fc-event').click()
    dialog = page.locator("#occurrence-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Morning strength")
    screenshot(page, "trainer-calendar-dialog-desktop", full_page=False)
    dialog.get_by_test_id("cancel-occurrence").click()

    # then Wednesday is cancelled and only Monday's session is left that week
    expect(page.locator(".messages")).to_contain_text("is cancelled")
    expect(calendar.locator(".fc-timegrid-event")).to_have_count(1)
    schedule.refresh_from_db()
    assert schedule.exdates == [f"{wednesday.isoformat()}T07:00:00"]

    # and on a phone the same calendar lists the week's session
    page.set_viewport_size(PHONE)
    page.goto(f"/trainer/calendar/?date={monday.isoformat()}")
    expect(calendar.locator(".fc-list-event")).to_have_count(1)
    expect(calendar.locator(".fc-list-event-time")).to_have_text("07:00 - 08:00")
    screenshot(page, "trainer-calendar-phone")
    page.goto(f"/trainer/schedules/{schedule.pk}/edit/")
    screenshot(page, "trainer-schedule-form-phone")


@pytest.mark.browser
def test_a_visitor_sees_free_times_with_price_and_places_and_opens_one(page, live_server):
    # given a published trainer with a personal session and a group class from tomorrow on
    trainer = TrainerProfileFactory(display_name="Erik Berg", time_zone="Europe/Stockholm")
    personal = OfferingFactory(trainer=trainer, title="Personal training", price_amount=45000)
    group = OfferingFactory(
        trainer=trainer, title="Running group", price_amount=20000, capacity=8, duration_minutes=45
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    for offering, start, rule in (
        (personal, "07:00", "FREQ=DAILY;COUNT=3"),
        (group, "18:00", "FREQ=DAILY;COUNT=2"),
    ):
        Schedule.objects.create(
            trainer=trainer,
            offering=offering,
            starts_on=tomorrow,
            start_time=start,
            time_zone="Europe/Stockholm",
            rrule=rule,
        )

    # when a visitor opens the trainer's page
    page.goto(f"/trainers/{trainer.slug}/")

    # then the calendar lists the coming sessions in time order with price and places left
    calendar = page.get_by_test_id("trainee-calendar")
    slots = calendar.locator(".fc-list-event")
    expect(slots).to_have_count(5)
    expect(slots.locator(".fc-list-event-time")).to_have_text(
        ["07:00 - 08:00", "18:00 - 18:45", "07:00 - 08:00", "18:00 - 18:45", "07:00 - 08:00"]
    )
    expect(slots.nth(0).locator(".slot-title")).to_have_text("Personal training")
    expect(slots.nth(0).locator(".slot-price")).to_have_text("450 kr")
    expect(slots.nth(0).locator(".slot-seats")).to_have_text("Personal session")
    expect(slots.nth(1).locator(".slot-title")).to_have_text("Running group")
    expect(slots.nth(1).locator(".slot-price")).to_have_text("200 kr")
    expect(slots.nth(1).locator(".slot-seats")).to_have_text("8 places left")
    screenshot(page, "trainee-calendar-desktop")

    # when they pick the group class
    slots.nth(1).locator("a").click()

    # then the slot page shows it and asks the visitor to log in to book
    expect(page.get_by_test_id("slot-title")).to_have_text("Running group")
    expect(page.get_by_test_id("slot-when")).to_contain_text("18:00–18:45")
    expect(page.get_by_test_id("slot-price")).to_have_text("200 kr")
    expect(page.get_by_test_id("slot-seats")).to_have_text("8 places left")
    expect(page.get_by_test_id("slot-login")).to_contain_text("Log in to book")
    screenshot(page, "book-slot-desktop")

    # and on a phone, in Swedish, the list still shows the times
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "sv", "url": live_server.url}])
    page.goto(f"/trainers/{trainer.slug}/")
    expect(calendar.locator(".fc-list-event")).to_have_count(5)
    screenshot(page, "trainee-calendar-phone-sv")
    page.goto(calendar.locator(".fc-list-event a").first.get_attribute("href"))
    screenshot(page, "book-slot-phone-sv")
