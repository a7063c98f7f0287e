"""The calendars on a phone (390 x 844): a month of chips with counts instead of overlapping
titles, week headers that fit their columns, and a page that stays put when the view or the
page changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Schedule
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language, without_tiles

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def busy_trainer():
    """Sessions every day at 07:00, 09:00 and 12:00 from tomorrow, and Saturdays at 18:00."""
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    group = trainer.offerings.get(title="Running group")
    tomorrow = timezone.localdate() + timedelta(days=1)
    for start in ("09:00", "12:00"):
        Schedule.objects.create(
            trainer=trainer,
            offering=group,
            starts_on=tomorrow,
            start_time=start,
            time_zone="Europe/Stockholm",
            rrule="FREQ=DAILY;COUNT=60",
        )
    return trainer, tomorrow


def place(page, selector: str, y: int) -> None:
    """Scroll so the element's top is y pixels below the top of the screen."""
    page.evaluate(
        """([selector, y]) => {
          const top = document.querySelector(selector).getBoundingClientRect().top;
          window.scrollBy(0, top - y);
        }""",
        [selector, y],
    )


def top_of(page, selector: str) -> float:
    return page.evaluate(
        "(selector) => document.querySelector(selector).getBoundingClientRect().top", selector
    )


def header_cells(page) -> list[dict]:
    return page.locator("[data-testid=trainer-calendar] .fc-col-header-cell-cushion").evaluate_all(
        """(cushions) => cushions.map((cushion) => {
          const cell = cushion.closest("th").getBoundingClientRect();
          const box = cushion.getBoundingClientRect();
          const weekday = cushion.querySelector(".day-head-weekday");
          return {
            weekday: weekday ? weekday.textContent : cushion.textContent,
            day: (cushion.querySelector(".day-head-day") || {}).textContent,
            fits: cushion.scrollWidth <= cushion.clientWidth + 1
                  && box.left >= cell.left - 1 && box.right <= cell.right + 1,
            fontSize: parseFloat(getComputedStyle(weekday || cushion).fontSize),
          };
        })"""
    )


@pytest.mark.browser
def test_the_trainers_calendar_on_a_phone(page, live_server):
    # given a trainer with three or four sessions a day, on a phone
    trainer, tomorrow = busy_trainer()
    sessions_tomorrow = 4 if tomorrow.weekday() == 5 else 3
    log_in(page, live_server, trainer.user)
    page.set_viewport_size(PHONE)
    page.goto(f"/trainer/calendar/?date={tomorrow.isoformat()}")
    calendar = page.get_by_test_id("trainer-calendar")
    expect(calendar.locator(".fc-list-event").first).to_be_visible()

    # when they switch to the week view
    calendar.get_by_role("button", name="week", exact=True).click()
    expect(calendar.locator(".fc-timegrid-event").first).to_be_visible()

    # then each day's header shows its short weekday over the day of the month, uncut
    cells = header_cells(page)
    assert [cell["weekday"] for cell in cells] == WEEKDAYS
    assert all(cell["day"] and cell["day"].isdigit() for cell in cells)
    assert all(cell["fits"] for cell in cells), cells
    assert min(cell["fontSize"] for cell in cells) >= 11
    assert_accessible(page, label="trainer calendar, week, phone")
    screenshot(page, "phone-trainer-week", full_page=False)

    # when, with the view buttons 500 px down the screen, they switch to the month view
    place(page, ".fc-footer-toolbar", 500)
    calendar.get_by_role("button", name="month", exact=True).click()
    chip = calendar.locator(f'.fc-daygrid-day[data-date="{tomorrow.isoformat()}"] .is-day-chip')
    expect(chip).to_be_visible()

    # then the buttons are still under their finger
    page.wait_for_function(
        "() => Math.abs(document.querySelector('.fc-footer-toolbar')"
        ".getBoundingClientRect().top - 500) <= 2"
    )

    # and each day shows one chip with its number of sessions, no titles
    expect(chip).to_have_text(f"{sessions_tomorrow}{sessions_tomorrow} sessions")
    expect(chip.locator(".day-chip-count")).to_have_text(str(sessions_tomorrow))
    day_cells = calendar.locator(".fc-daygrid-day")
    days_with_sessions = day_cells.filter(has=page.locator(".fc-daygrid-event:visible"))
    for index in range(days_with_sessions.count()):
        expect(days_with_sessions.nth(index).locator(".fc-daygrid-event:visible")).to_have_count(1)
    expect(calendar.locator(".fc-event-title:visible")).to_have_count(0)
    assert_accessible(page, label="trainer calendar, month, phone")
    screenshot(page, "phone-trainer-month", full_page=False)

    # when they tap the chip, that day's sessions are listed
    chip.click()
    expect(calendar.locator(".fc-list-event")).to_have_count(sessions_tomorrow)
    expect(calendar.locator(".fc-list-event-time").first).to_have_text("07:00 - 08:00")

    # and switching to the list view from the bottom buttons keeps them in place too
    calendar.get_by_role("button", name="week", exact=True).click()
    expect(calendar.locator(".fc-timegrid-event").first).to_be_visible()
    place(page, ".fc-footer-toolbar", 400)
    calendar.get_by_role("button", name="list", exact=True).click()
    expect(calendar.locator(".fc-list-event").first).to_be_visible()
    page.wait_for_function(
        "() => Math.abs(document.querySelector('.fc-footer-toolbar')"
        ".getBoundingClientRect().top - 400) <= 2"
    )


@pytest.mark.browser
def test_the_month_chip_in_swedish(page, live_server):
    trainer, tomorrow = busy_trainer()
    log_in(page, live_server, trainer.user)
    use_language(page, live_server, "sv")
    page.set_viewport_size(PHONE)
    page.goto(f"/trainer/calendar/?date={tomorrow.isoformat()}")
    calendar = page.get_by_test_id("trainer-calendar")
    expect(calendar.locator(".fc-list-event").first).to_be_visible()

    calendar.get_by_role("button", name="Månad", exact=True).click()

    chip = calendar.locator(f'.fc-daygrid-day[data-date="{tomorrow.isoformat()}"] .is-day-chip')
    count = 4 if tomorrow.weekday() == 5 else 3
    expect(chip.locator(".visually-hidden")).to_have_text(f"{count} pass")
    calendar.get_by_role("button", name="Vecka", exact=True).click()
    weekdays = calendar.locator(".day-head-weekday").all_inner_texts()
    assert [day.lower() for day in weekdays] == ["mån", "tis", "ons", "tors", "fre", "lör", "sön"]
    assert_accessible(page, label="trainer calendar, week, phone, Swedish")


@pytest.mark.browser
def test_the_free_times_on_a_phone_keep_their_place_when_paging(page, live_server):
    # given a visitor on a phone on a trainer's page, the calendar's arrows 120 px down
    trainer, _tomorrow = busy_trainer()
    without_tiles(page)
    page.set_viewport_size(PHONE)
    page.goto(f"/trainers/{trainer.slug}/")
    calendar = page.get_by_test_id("trainee-calendar")
    expect(calendar.locator(".fc-list-event").first).to_be_visible()
    place(page, "#trainee-calendar .fc-header-toolbar", 120)

    # when they page forward twice
    for _ in range(2):
        first = calendar.locator(".fc-list-day").first.get_attribute("data-date")
        calendar.get_by_role("button", name="Later times").click()
        expect(calendar.locator(".fc-list-day").first).not_to_have_attribute("data-date", first)

    # then the arrows are where they were, and the list is legible and accessible
    assert abs(top_of(page, "#trainee-calendar .fc-header-toolbar") - 120) <= 2
    widths = calendar.locator(".fc-list-event").evaluate_all(
        "(rows) => rows.map((row) => row.scrollWidth <= row.clientWidth + 1)"
    )
    assert widths and all(widths)
    assert_accessible(page, label="free times, phone, third fortnight")
    screenshot(page, "phone-trainee-paged", full_page=False)
