"""axe-core finds no WCAG 2.1 A/AA violation on the pages trainees and trainers use, in
English and Swedish, on a desktop and on a phone (tests/e2e/accessibility.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.accessibility import AXE_VERSION, accessibility_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language, without_tiles
from tests.factories import ScheduleFactory, UserFactory

LANGUAGES = ("en", "sv")
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def settle_trainer_page(page):
    expect(page.locator("[data-testid=trainee-calendar] .fc-list-event").first).to_be_visible()


def settle_calendar(page):
    expect(page.locator("[data-testid=trainer-calendar] .fc-event").first).to_be_visible()


def settle_form(page):
    expect(page.locator("main form").first).to_be_visible()


def shows(test_id):
    def settle(page):
        expect(page.get_by_test_id(test_id).first).to_be_visible()

    return settle


# name: (who is logged in, the address, what shows the page has settled)
PAGES = {
    "home": (None, "/", shows("trainer-card")),
    "trainer-page": (None, "/trainers/{slug}/", settle_trainer_page),
    "slot-page": (None, "{slot}", shows("slot-title")),
    "sign-up": (None, "/accounts/signup/", settle_form),
    "log-in": (None, "/accounts/login/", settle_form),
    "account": ("trainee", "/accounts/", settle_form),
    "trainer-profile": ("trainer", "/trainer/profile/", settle_form),
    "offerings": ("trainer", "/trainer/offerings/", shows("offering-row")),
    # The week of the first sessions (tomorrow's), which on a Sunday is the next one.
    "calendar": ("trainer", "/trainer/calendar/?date={tomorrow}", settle_calendar),
    "setup": ("trainer", "/trainer/setup/", shows("setup-step")),
}


def first_slot_url(page, trainer) -> str:
    page.goto(f"/trainers/{trainer.slug}/")
    link = page.locator("[data-testid=trainee-calendar] .fc-list-event a").first
    expect(link).to_be_visible()
    return link.get_attribute("href")


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_21_aa_violation(page, live_server, name):
    # given a published trainer with sessions, and a trainee
    who, address, settle = PAGES[name]
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    ScheduleFactory(
        offering=trainer.offerings.get(title="Running group"),
        starts_on=timezone.localdate(),
        start_time="12:00",
        rrule="FREQ=WEEKLY;BYDAY=SU",
        is_active=False,
    )
    trainee = UserFactory(name="Tove Berg")
    without_tiles(page)
    if who == "trainer":
        log_in(page, live_server, trainer.user)
    elif who == "trainee":
        log_in(page, live_server, trainee)
    if "{slot}" in address:
        address = first_slot_url(page, trainer)
    tomorrow = timezone.localdate() + timedelta(days=1)
    address = address.format(slug=trainer.slug, tomorrow=tomorrow.isoformat())

    # when the page is checked in each language and size
    reports = []
    for language in LANGUAGES:
        use_language(page, live_server, language)
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            page.goto(address)
            settle(page)
            reports.append(accessibility_report(page, label=f"{name}, {language}, {size}"))

    # then axe found nothing
    found = "\n".join(report for report in reports if report)
    assert not found, f"axe-core {AXE_VERSION} found WCAG 2.1 AA violations:\n{found}"


@pytest.mark.browser
def test_the_check_reports_what_axe_finds(page, live_server):
    # given the log-in page with an image added that has no text alternative
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
          const image = document.createElement("img");
          image.src = "/static/favicon.svg";
          document.querySelector("main").append(image);
        }"""
    )

    # when axe checks it
    report = accessibility_report(page, label="log-in with a bare image")

    # then the report names the rule and the element, and injecting axe broke no policy
    assert report.startswith("log-in with a bare image:\nimage-alt (critical):")
    assert "\n    img: Fix any of the following" in report
    assert page.csp_violations == []


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_view_of_the_trainers_calendar_passes(page, live_server, size):
    # given a trainer with sessions, logged in, on their calendar
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    log_in(page, live_server, trainer.user)
    page.set_viewport_size(VIEWPORTS[size])
    week = f"/trainer/calendar/?date={timezone.localdate() + timedelta(days=1)}"
    page.goto(week)
    calendar = page.get_by_test_id("trainer-calendar")
    settle_calendar(page)

    # when each view is shown, in English and Swedish
    reports = []
    for language, views in (("en", ("month", "week", "list")), ("sv", ("Månad", "Vecka"))):
        use_language(page, live_server, language)
        page.goto(week)
        settle_calendar(page)
        for view in views:
            calendar.get_by_role("button", name=view, exact=True).click()
            expect(calendar.locator(".fc-event").first).to_be_visible()
            reports.append(accessibility_report(page, label=f"calendar, {view}, {size}"))

    # then axe found nothing in any of them
    found = "\n".join(report for report in reports if report)
    assert not found, f"axe-core {AXE_VERSION} found WCAG 2.1 AA violations:\n{found}"
