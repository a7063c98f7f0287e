"""In the browser: a trainer cancels a session on their calendar, sees it struck through and
restores it; a booked session is cancelled only after the bookings are shown; a stopped
schedule starts again. axe checks the new and changed pages."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings import booking_services, recurrence
from bookings.models import Booking, Schedule
from tests.e2e.accessibility import AXE_VERSION, accessibility_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language
from tests.factories import UserFactory

SHOTS = Path("/tmp/shots-journeys")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def week_of_tomorrow() -> str:
    return f"/trainer/calendar/?date={timezone.localdate() + timedelta(days=1)}"


def has_class(name: str):
    return re.compile(rf"(^|\s){name}(\s|$)")


def first_session(page, tomorrow):
    calendar = page.get_by_test_id("trainer-calendar")
    column = calendar.locator(f'.fc-timegrid-col[data-date="{tomorrow.isoformat()}"]')
    return column.locator(".fc-timegrid-event", has_text="Personal training")


@pytest.mark.browser
def test_a_trainer_cancels_a_session_and_restores_it(page, live_server):
    # given a trainer with a daily 07:00 session from tomorrow, on their calendar
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    log_in(page, live_server, trainer.user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(week_of_tomorrow())
    session = first_session(page, tomorrow)
    expect(session).to_be_visible()

    # when they open tomorrow's session and cancel it
    session.click()
    dialog = page.locator("#occurrence-dialog")
    expect(dialog.get_by_test_id("occurrence-booked")).to_have_text("Nobody has booked yet.")
    dialog.get_by_test_id("cancel-occurrence").click()

    # then the session stays on the calendar, struck through
    expect(page.locator(".messages")).to_contain_text("is cancelled.")
    cancelled = first_session(page, tomorrow)
    expect(cancelled).to_have_class(has_class("is-cancelled"))
    expect(cancelled).to_contain_text("Cancelled: Personal training")
    personal = Schedule.objects.get(offering__title="Personal training")
    assert personal.exdates == [f"{tomorrow.isoformat()}T07:00:00"]
    shot(page, "calendar-cancelled-session-desktop")

    # when they open it again and restore it
    cancelled.click()
    expect(dialog.get_by_test_id("cancel-occurrence")).to_be_hidden()
    shot(page, "calendar-restore-dialog-desktop")
    dialog.get_by_test_id("restore-occurrence").click()

    # then it is a normal, bookable session again
    expect(page.locator(".messages")).to_contain_text("trainees can book it again.")
    restored = first_session(page, tomorrow)
    expect(restored).not_to_have_class(has_class("is-cancelled"))
    expect(restored).to_contain_text("Personal training")
    personal.refresh_from_db()
    assert personal.exdates == []


@pytest.mark.browser
def test_a_booked_session_is_cancelled_only_after_the_bookings_are_shown(page, live_server):
    # given a trainer whose session tomorrow is booked by Maja
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    personal = Schedule.objects.get(offering__title="Personal training")
    start = recurrence.first_start(personal)
    booking = booking_services.book_slot(
        trainee=UserFactory(name="Maja Svensson"), schedule_id=personal.pk, start=start
    )
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    log_in(page, live_server, trainer.user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(week_of_tomorrow())

    # when they open it: the dialog names who booked it
    first_session(page, tomorrow).click()
    dialog = page.locator("#occurrence-dialog")
    expect(dialog.get_by_test_id("occurrence-booked")).to_have_text("1 booked: Maja")
    dialog.get_by_test_id("cancel-occurrence").click()

    # then the confirm step lists the booking and nothing has changed yet
    confirm = page.get_by_test_id("confirm-cancel-bookings")
    expect(confirm.get_by_test_id("affected-booking")).to_contain_text("Maja")
    shot(page, "confirm-cancel-booked-session-desktop")
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    # when they go ahead
    page.get_by_test_id("confirm-cancel-bookings-button").click()

    # then the booking is cancelled by the trainer with a full refund, the session struck through
    expect(page.locator(".messages")).to_contain_text("is cancelled.")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.refund_percent) == (
        "cancelled",
        "trainer",
        100,
    )
    expect(first_session(page, tomorrow)).to_have_class(has_class("is-cancelled"))


@pytest.mark.browser
def test_keeping_the_bookings_changes_nothing(page, live_server):
    # given a booked schedule
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    personal = Schedule.objects.get(offering__title="Personal training")
    booking = booking_services.book_slot(
        trainee=UserFactory(name="Maja Svensson"),
        schedule_id=personal.pk,
        start=recurrence.first_start(personal),
    )
    log_in(page, live_server, trainer.user)
    page.goto("/trainer/calendar/")

    # when they stop it, see the bookings, and keep them
    page.once("dialog", lambda d: d.accept())
    row = page.get_by_test_id("schedule-row").filter(has_text="Personal training")
    row.get_by_test_id("deactivate-schedule").click()
    expect(page.get_by_test_id("affected-booking")).to_contain_text("Maja")
    page.get_by_test_id("keep-bookings").click()

    # then the schedule runs and the booking holds
    expect(page.get_by_test_id("trainer-calendar")).to_be_visible()
    assert Schedule.objects.get(pk=personal.pk).is_active is True
    assert Booking.objects.get(pk=booking.pk).status == "pending_payment"


@pytest.mark.browser
def test_a_stopped_schedule_starts_again(page, live_server):
    # given a trainer who stopped their running group
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    Schedule.objects.filter(offering__title="Running group").update(is_active=False)
    log_in(page, live_server, trainer.user)
    page.goto("/trainer/calendar/")

    # when they start it again
    row = page.get_by_test_id("schedule-row").filter(has_text="Running group")
    row.get_by_test_id("restart-schedule").click()

    # then it is active again
    expect(page.locator(".messages")).to_contain_text("Running group is back in your calendar")
    assert Schedule.objects.get(offering__title="Running group").is_active is True


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_axe_passes_the_exception_pages(page, live_server, size):
    # given a trainer with a cancelled session, a booked one, and a stopped schedule
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    personal = Schedule.objects.get(offering__title="Personal training")
    tomorrow = timezone.localdate() + timedelta(days=1)
    personal.exdates = [f"{(tomorrow + timedelta(days=1)).isoformat()}T07:00:00"]
    personal.save()
    booking_services.book_slot(
        trainee=UserFactory(name="Maja Svensson"),
        schedule_id=personal.pk,
        start=recurrence.first_start(personal),
    )
    Schedule.objects.filter(offering__title="Running group").update(is_active=False)
    log_in(page, live_server, trainer.user)
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)

    reports = []
    for language in ("en", "sv"):
        use_language(page, live_server, language)
        # the calendar with a cancelled session's dialog open
        page.goto(week_of_tomorrow())
        calendar = page.get_by_test_id("trainer-calendar")
        expect(calendar.locator(".fc-event.is-cancelled").first).to_be_visible()
        calendar.locator(".fc-event.is-cancelled").first.click()
        expect(page.locator("#occurrence-dialog")).to_be_visible()
        reports.append(accessibility_report(page, label=f"restore dialog, {language}, {size}"))
        if language == "en":
            shot(page, f"calendar-restore-dialog-{size}")
        # the schedule form with its dates off
        page.goto(f"/trainer/schedules/{personal.pk}/edit/")
        expect(page.get_by_test_id("exdates")).to_be_visible()
        reports.append(accessibility_report(page, label=f"schedule form, {language}, {size}"))
        if language == "en":
            shot(page, f"schedule-form-dates-off-{size}")
        # the confirm step of stopping the booked schedule
        page.goto("/trainer/calendar/")
        page.once("dialog", lambda d: d.accept())
        row = page.get_by_test_id("schedule-row").filter(has_text="Personal training")
        row.get_by_test_id("deactivate-schedule").click()
        expect(page.get_by_test_id("confirm-cancel-bookings")).to_be_visible()
        reports.append(accessibility_report(page, label=f"confirm step, {language}, {size}"))
        if language == "en":
            shot(page, f"confirm-stop-schedule-{size}")
        # the offerings with archive, make bookable and delete
        page.goto("/trainer/offerings/")
        expect(page.get_by_test_id("archive-offering").first).to_be_visible()
        reports.append(accessibility_report(page, label=f"offerings, {language}, {size}"))
        if language == "en":
            shot(page, f"offerings-archive-{size}")

    found = "\n".join(report for report in reports if report)
    assert not found, f"axe-core {AXE_VERSION} found WCAG 2.1 AA violations:\n{found}"


@pytest.mark.browser
def test_a_trainer_archives_a_booked_offering_after_seeing_the_bookings(page, live_server):
    # given a trainer whose personal training tomorrow is booked
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    personal = Schedule.objects.get(offering__title="Personal training")
    booking = booking_services.book_slot(
        trainee=UserFactory(name="Maja Svensson"),
        schedule_id=personal.pk,
        start=recurrence.first_start(personal),
    )
    log_in(page, live_server, trainer.user)
    page.goto("/trainer/offerings/")

    # when they archive it, see the booking and confirm
    row = page.get_by_test_id("offering-row").filter(has_text="Personal training")
    row.get_by_test_id("archive-offering").click()
    expect(page.get_by_test_id("affected-booking")).to_contain_text("Maja")
    page.get_by_test_id("confirm-cancel-bookings-button").click()

    # then the offering is archived and the booking cancelled by the trainer
    expect(page.locator(".messages")).to_contain_text("Personal training is archived")
    row = page.get_by_test_id("offering-row").filter(has_text="Personal training")
    expect(row.get_by_test_id("restore-offering")).to_be_visible()
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "trainer")
