"""The free times on a trainer's public page page by two weeks, up to the schedule horizon
and back, on a desktop and on a phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, screenshot
from tests.e2e.helpers import trainer_with_sessions, without_tiles

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def days(calendar) -> list[str]:
    """The dates the list shows, in order."""
    return calendar.locator(".fc-list-day").evaluate_all(
        "(rows) => rows.map((row) => row.dataset.date)"
    )


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_free_times_page_by_two_weeks_to_the_horizon_and_back(
    page, live_server, settings, size
):
    # given schedules expanded 100 days ahead and a trainer with a session every day for 200
    settings.SCHEDULE_HORIZON_DAYS = 100
    trainer = trainer_with_sessions(days=200, display_name="Erik Berg")
    today = datetime.now(STOCKHOLM).date()
    # and a browser whose clock says 23:30 UTC on the day before: still yesterday in UTC (the
    # browser's own zone), already today in Stockholm, where the list must start
    page.clock.set_fixed_time(datetime.combine(today - timedelta(days=1), time(23, 30), UTC))
    without_tiles(page)
    page.set_viewport_size({"desktop": DESKTOP, "phone": PHONE}[size])

    # when a visitor opens the trainer's page
    page.goto(f"/trainers/{trainer.slug}/")
    calendar = page.get_by_test_id("trainee-calendar")
    earlier = calendar.get_by_role("button", name="Earlier times")
    later = calendar.get_by_role("button", name="Later times")

    # then the list starts with the coming two weeks and cannot go back before today
    expect(calendar.locator(".fc-list-day").first).to_be_visible()
    assert days(calendar)[-1] <= (today + timedelta(days=13)).isoformat()
    expect(earlier).to_be_disabled()
    expect(later).to_be_enabled()

    # when they page forward six times
    for _ in range(6):
        later.click()

    # then they see the sessions of the seventh fortnight, 12 to 14 weeks ahead
    start = today + timedelta(days=84)
    expect(calendar.locator(".fc-list-day").first).to_have_attribute("data-date", start.isoformat())
    shown = days(calendar)
    assert shown == [(start + timedelta(days=n)).isoformat() for n in range(14)]
    expect(calendar.locator(".fc-list-event").first).to_contain_text("Personal training")
    screenshot(page, f"trainee-calendar-week-13-{size}")

    # when they page on, the last page ends at the horizon and "later" is disabled
    later.click()
    expect(calendar.locator(".fc-list-day").first).to_have_attribute(
        "data-date", (today + timedelta(days=98)).isoformat()
    )
    assert days(calendar)[-1] <= (today + timedelta(days=100)).isoformat()
    expect(later).to_be_disabled()

    # and paging back seven times returns to the first fortnight, where "earlier" is disabled
    for _ in range(7):
        earlier.click()
    expect(earlier).to_be_disabled()
    first_days = f"^({today.isoformat()}|{(today + timedelta(days=1)).isoformat()})$"
    expect(calendar.locator(".fc-list-day").first).to_have_attribute(
        "data-date", re.compile(first_days)
    )
