"""A trainee books a slot from a trainer's public calendar, finds it in My bookings, cancels
it, and the slot is free again on the calendar; the trainer sees the booking by day."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bookings import booking_services
from bookings.models import Booking, BookingStatus
from bookings.recurrence import first_start
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language, without_tiles
from tests.factories import UserFactory

SHOTS = Path("/tmp/shots-bpages")


def shot(page, name: str) -> None:
    """A screenshot in test-artifacts/ and, for the report, a copy in /tmp/shots-bpages/."""
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def first_session(calendar):
    return calendar.locator(".fc-list-event").first


def second_personal_session(calendar):
    """The day after tomorrow's 07:00: more than 24 hours ahead, so a full refund."""
    return calendar.locator(".fc-list-event", has_text="Personal training").nth(1)


@pytest.mark.browser
def test_book_from_the_calendar_see_it_cancel_it_and_the_slot_is_free_again(page, live_server):
    # given a trainer with a personal session every morning, and a trainee logged in
    trainer = trainer_with_sessions(days=10, display_name="Erik Berg")
    trainee = UserFactory(name="Tove Berg")
    without_tiles(page)
    log_in(page, live_server, trainee)

    # when the trainee picks a morning session on the trainer's page
    page.goto(f"/trainers/{trainer.slug}/")
    calendar = page.get_by_test_id("trainee-calendar")
    expect(second_personal_session(calendar)).to_be_visible()
    first_href = second_personal_session(calendar).locator("a").get_attribute("href")
    second_personal_session(calendar).locator("a").click()

    # then the slot page offers booking; the review shows price, policy and what comes next
    page.get_by_test_id("slot-book").click()
    expect(page.get_by_test_id("review-price")).to_contain_text("450 kr")
    expect(page.get_by_test_id("policy")).to_contain_text(
        "Cancel at least 24 hours before the start: 100 % back"
    )
    expect(page.get_by_test_id("review-next")).to_contain_text("held for 15 minutes")
    shot(page, "booking-review-desktop")

    # when they book
    page.get_by_test_id("review-book").click()

    # then the booking's page shows it held, with the time left to pay
    expect(page.get_by_test_id("booking-status")).to_have_text("Awaiting payment")
    expect(page.get_by_test_id("hold-clock")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    booking = Booking.objects.get(trainee=trainee)
    assert booking.status == BookingStatus.PENDING_PAYMENT
    shot(page, "booking-held-desktop")

    # and the session is gone from the trainer's free times (one seat, now held)
    page.goto(f"/trainers/{trainer.slug}/")
    expect(first_session(calendar)).to_be_visible()
    expect(calendar.locator(f'a[href="{first_href}"]')).to_have_count(0)

    # when the payment arrives (the payments app confirms it) and they open My bookings
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    page.get_by_test_id("nav-my-bookings").click()

    # then the booking is listed as coming up and confirmed
    row = page.get_by_test_id("upcoming").get_by_test_id("booking-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("booking-status")).to_have_text("Confirmed")
    expect(row).to_contain_text("Personal training")
    shot(page, "my-bookings-desktop")

    # when they cancel it: the refund is shown before they confirm
    row.get_by_test_id("row-cancel").click()
    expect(page.get_by_test_id("refund-amount")).to_have_text("450 kr")
    shot(page, "booking-cancel-desktop")
    page.get_by_label("Reason (optional)").fill("Something came up")
    page.get_by_test_id("cancel-confirm").click()

    # then the booking reads cancelled with the refund
    expect(page.get_by_test_id("booking-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("booking-refund")).to_contain_text("450 kr (100 %)")
    booking.refresh_from_db()
    assert (booking.status, booking.refund_amount) == (BookingStatus.CANCELLED, 45000)

    # and the freed session is back on the trainer's calendar
    page.goto(f"/trainers/{trainer.slug}/")
    expect(calendar.locator(f'a[href="{first_href}"]')).to_have_count(1)

    # and My bookings lists it as cancelled
    page.goto("/bookings/")
    expect(page.get_by_test_id("booking-status").first).to_have_text("Cancelled")


@pytest.mark.browser
def test_the_trainer_sees_the_day_and_the_trainee_the_page_in_swedish_on_a_phone(page, live_server):
    # given a confirmed booking of a trainer's session
    trainer = trainer_with_sessions(days=10, display_name="Erik Berg")
    trainee = UserFactory(name="Tove Berg")
    schedule = trainer.schedules.get(offering__title="Personal training")
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=first_start(schedule)
    )
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    without_tiles(page)
    page.set_viewport_size(PHONE)

    # when the trainer opens their bookings
    log_in(page, live_server, trainer.user)
    page.goto("/trainer/bookings/")

    # then the day lists the session with the trainee's first name only
    expect(page.get_by_test_id("booking-day")).to_have_count(1)
    expect(page.get_by_test_id("booking-attendee")).to_have_text("Tove")
    shot(page, "trainer-bookings-phone")

    # when the trainee opens the booking in Swedish on a phone
    page.context.clear_cookies()
    log_in(page, live_server, trainee)
    use_language(page, live_server, "sv")
    page.goto(f"/bookings/{booking.pk}/")

    # then it reads Swedish
    expect(page.get_by_test_id("booking-status")).to_have_text("Bekräftad")
    expect(page.get_by_test_id("booking-cancel")).to_have_text("Avboka")
    shot(page, "booking-confirmed-phone-sv")
