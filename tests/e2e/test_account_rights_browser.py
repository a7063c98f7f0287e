"""In the browser: change the email through the link sent to the new address, download my
data, and close my account (a trainer sees the booked sessions first). axe checks the
account pages in English and Swedish, on a desktop and a phone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from bookings import booking_services, recurrence
from bookings.models import Booking, Schedule
from marketplace import account_services
from marketplace.models import User
from tests.e2e.accessibility import AXE_VERSION, accessibility_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language
from tests.factories import DEFAULT_PASSWORD, UserFactory

SHOTS = Path("/tmp/shots-journeys")
LINK = re.compile(r"(http://[^/\s]+/accounts/email/confirm/[^/\s]+/)")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_user_changes_their_email_through_the_link(page, live_server):
    # given a trainee on their account page
    user = UserFactory(email="tove.old@example.se", name="Tove Berg")
    log_in(page, live_server, user)
    page.goto("/accounts/")
    expect(page.get_by_test_id("account-email")).to_have_text("tove.old@example.se")

    # when they ask for a new address
    page.get_by_test_id("change-email").click()
    page.get_by_label("New email address").fill("tove.new@example.se")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    shot(page, "email-change-desktop")
    page.get_by_test_id("send-email-link").click()

    # then a link goes to the new address and nothing has changed yet
    expect(page.locator(".messages")).to_contain_text("We sent a link to tove.new@example.se")
    expect(page.get_by_test_id("account-email")).to_have_text("tove.old@example.se")
    assert [message.to for message in mail.outbox] == [["tove.new@example.se"]]
    link = LINK.search(mail.outbox[0].body).group(1)

    # when they open the link and confirm
    page.goto(link)
    expect(page.get_by_test_id("email-confirm")).to_contain_text("tove.new@example.se")
    page.get_by_test_id("confirm-email").click()

    # then the account has the new address, and the old one is told
    expect(page.get_by_test_id("account-email")).to_have_text("tove.new@example.se")
    assert User.objects.get(pk=user.pk).email == "tove.new@example.se"
    assert mail.outbox[-1].to == ["tove.old@example.se"]

    # and the link does not work twice
    page.goto(link)
    expect(page.get_by_test_id("email-confirm-problem")).to_contain_text("not valid")


@pytest.mark.browser
def test_a_user_downloads_their_data(page, live_server):
    # given a trainee with a booking
    trainer_with_sessions(display_name="Anna Lindqvist")
    personal = Schedule.objects.get(offering__title="Personal training")
    trainee = UserFactory(email="tove@example.se", name="Tove Berg")
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=personal.pk, start=recurrence.first_start(personal)
    )
    log_in(page, live_server, trainee)
    page.goto("/accounts/")

    # when they download their data
    with page.expect_download() as download_info:
        page.get_by_test_id("download-data").click()
    download = download_info.value

    # then the file is JSON with their account and booking
    assert download.suggested_filename.startswith("traino-my-data-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "tove@example.se"
    assert [b["id"] for b in data["bookings"]] == [booking.pk]
    assert data["bookings"][0]["trainer"] == "Anna Lindqvist"


@pytest.mark.browser
def test_a_trainer_closes_their_account_after_seeing_the_booked_sessions(page, live_server):
    # given a trainer whose session tomorrow is booked by Maja
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    personal = Schedule.objects.get(offering__title="Personal training")
    booking = booking_services.book_slot(
        trainee=UserFactory(name="Maja Svensson"),
        schedule_id=personal.pk,
        start=recurrence.first_start(personal),
    )
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    log_in(page, live_server, trainer.user)
    page.goto("/accounts/")

    # when they choose to close the account and give their password
    page.get_by_test_id("close-account").click()
    expect(page.get_by_test_id("account-delete")).to_contain_text(
        "Swedish bookkeeping law requires us to keep records"
    )
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_test_id("confirm-close-account").click()

    # then the booked session is shown first and nothing has happened
    expect(page.get_by_test_id("affected-booking")).to_contain_text("Maja")
    shot(page, "close-account-bookings-desktop")
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    # when they confirm with their password
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_test_id("confirm-close-account").click()

    # then they are logged out, the booking is refunded in full, the person is gone
    expect(page.locator(".messages")).to_contain_text("Your account is closed")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.refund_percent) == (
        "cancelled",
        "trainer",
        100,
    )
    user = User.objects.get(pk=trainer.user_id)
    assert (user.name, user.is_active) == ("", False)
    assert Booking.objects.filter(pk=booking.pk).exists()
    page.goto("/accounts/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.browser
def test_a_trainee_without_bookings_closes_their_account(page, live_server):
    user = UserFactory(name="Tove Berg")
    log_in(page, live_server, user)

    page.goto("/accounts/delete/")
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_test_id("confirm-close-account").click()

    expect(page.locator(".messages")).to_contain_text("Your account is closed")
    assert not User.objects.filter(pk=user.pk).exists()


@pytest.mark.browser
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_axe_passes_the_account_pages(page, live_server, size):
    # given a trainer logged in (the personal identity number is on their page)
    trainer = trainer_with_sessions(display_name="Anna Lindqvist")
    log_in(page, live_server, trainer.user)
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)

    reports = []
    for language in ("en", "sv"):
        use_language(page, live_server, language)
        for address, test_id in (
            ("/accounts/", "download-data"),
            ("/accounts/email/", "email-change-form"),
            ("/accounts/delete/", "account-delete"),
        ):
            page.goto(address)
            expect(page.get_by_test_id(test_id)).to_be_visible()
            reports.append(accessibility_report(page, label=f"{address}, {language}, {size}"))
            if language == "en":
                shot(page, f"{address.strip('/').replace('/', '-')}-{size}")
        # the page a confirmation link opens
        token = account_services.email_change_token(
            user=trainer.user, new_email="anna.new@example.se"
        )
        page.goto(f"/accounts/email/confirm/{token}/")
        expect(page.get_by_test_id("confirm-email")).to_be_visible()
        reports.append(accessibility_report(page, label=f"email confirm, {language}, {size}"))
        if language == "en":
            shot(page, f"account-email-confirm-{size}")
        # a refusal shown on the form
        page.goto("/accounts/delete/")
        page.get_by_label(re.compile("password|lösenord", re.I)).fill("wrong-password")
        page.get_by_test_id("confirm-close-account").click()
        expect(page.locator(".has-error")).to_be_visible()
        reports.append(accessibility_report(page, label=f"delete refused, {language}, {size}"))

    found = "\n".join(report for report in reports if report)
    assert not found, f"axe-core {AXE_VERSION} found WCAG 2.1 AA violations:\n{found}"
