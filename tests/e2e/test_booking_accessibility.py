"""axe-core finds no WCAG 2.1 A/AA violation on the booking pages (review, the booking held
and confirmed, cancel, the no-show report, My bookings, the trainer's bookings), in English
and Swedish, on a desktop and on a phone (tests/e2e/accessibility.py)."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings import booking_services
from bookings.api import SLOT_FORMAT
from bookings.models import Schedule
from bookings.recurrence import expand
from tests.e2e.accessibility import AXE_VERSION, accessibility_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language, without_tiles
from tests.factories import UserFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LANGUAGES = ("en", "sv")
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def shows(test_id):
    def settle(page):
        expect(page.get_by_test_id(test_id).first).to_be_visible()

    return settle


def _bookings(trainer, trainee):
    """A held booking, a confirmed one, and a past one the trainee may report."""
    schedule = trainer.schedules.get(offering__title="Personal training")
    now = timezone.now()
    starts = [o.start for o in expand(schedule, now, now + timedelta(days=10))]
    held = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=starts[2])
    confirmed = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=starts[3]
    )
    booking_services.booking_confirm_payment(booking_id=confirmed.pk)
    # A session that started two hours ago, booked two days before (reportable now).
    began = (
        (timezone.now() - timedelta(hours=2)).astimezone(STOCKHOLM).replace(second=0, microsecond=0)
    )
    earlier = Schedule.objects.create(
        trainer=trainer,
        offering=schedule.offering,
        starts_on=began.date(),
        start_time=began.time(),
        time_zone="Europe/Stockholm",
        rrule="FREQ=DAILY;COUNT=1",
    )
    start = began.astimezone(UTC)
    past = booking_services.book_slot(
        trainee=trainee, schedule_id=earlier.pk, start=start, now=start - timedelta(days=2)
    )
    booking_services.booking_confirm_payment(booking_id=past.pk)
    return schedule, starts, held, confirmed, past


# name: (who, address template, settle)
PAGES = {
    "review": ("trainee", "/book/{schedule}/{slot}/review/", shows("review-book")),
    "booking-held": ("trainee", "/bookings/{held}/", shows("hold-clock")),
    "booking-confirmed": ("trainee", "/bookings/{confirmed}/", shows("booking-cancel")),
    "cancel": ("trainee", "/bookings/{confirmed}/cancel/", shows("cancel-confirm")),
    "report-no-show": ("trainee", "/bookings/{past}/trainer-no-show/", shows("report-confirm")),
    "my-bookings": ("trainee", "/bookings/", shows("booking-row")),
    "trainer-bookings": ("trainer", "/trainer/bookings/", shows("booking-row")),
    "trainer-bookings-recent": ("trainer", "/trainer/bookings/?past=1", shows("trainer-bookings")),
}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_21_aa_violation_on_booking_pages(page, live_server, name):
    # given a trainer with sessions and a trainee with bookings in several states
    trainer = trainer_with_sessions(days=10, display_name="Anna Lindqvist")
    trainee = UserFactory(name="Tove Berg")
    schedule, starts, held, confirmed, past = _bookings(trainer, trainee)
    who, address, settle = PAGES[name]
    without_tiles(page)
    log_in(page, live_server, trainer.user if who == "trainer" else trainee)
    address = address.format(
        schedule=schedule.pk,
        slot=starts[4].strftime(SLOT_FORMAT),
        held=held.pk,
        confirmed=confirmed.pk,
        past=past.pk,
    )

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
