"""A trainer reads their Earnings and a payout statement in Chromium, at desktop and phone
sizes: accessible (axe), CSP clean (the page fixture), screenshots in /tmp/shots-payouts."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from payments.payouts_models import Payout
from payments.services.payouts import run_monthly_payouts
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import PHONE
from tests.e2e.test_trainer_calendar import log_in
from tests.factories import UserFactory
from tests.payments.payout_fixtures import at, session_paid, trainer

SHOTS = Path("/tmp/shots-payouts")


def shot(browser_page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    browser_page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
def test_a_trainer_reads_earnings_and_a_statement(page, live_server, stripe_double):
    anna = trainer(double=stripe_double, name="Anna Lindqvist")
    lisa = UserFactory(name="Lisa Larsson")
    session_paid(anna, end=at(2026, 10, 5), gross=45000, trainee=lisa)
    session_paid(anna, end=at(2026, 10, 12), gross=60000, refunded=10000, trainee=lisa)
    run_monthly_payouts(period="2026-10", now=at(2026, 11, 30, 9))
    session_paid(anna, end=at(2026, 11, 9), gross=45000, trainee=lisa)
    payout = Payout.objects.get()
    log_in(page, live_server, anna.user)

    page.goto("/trainer/earnings/")
    expect(page.get_by_test_id("tab-earnings")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("balance-SEK")).to_contain_text("382.50 kr")
    page.get_by_test_id(f"payout-{payout.pk}").locator("summary").click()
    expect(page.get_by_test_id(f"payout-{payout.pk}")).to_contain_text("Lisa")
    assert_accessible(page, label="earnings")
    shot(page, "earnings-desktop")

    page.get_by_test_id(f"payout-{payout.pk}").get_by_test_id("statement-link").click()
    expect(page.get_by_test_id("statement-amount")).to_have_text("807.50 kr")
    assert_accessible(page, label="statement")
    shot(page, "statement-desktop")

    page.set_viewport_size(PHONE)
    page.goto("/trainer/earnings/")
    page.get_by_test_id(f"payout-{payout.pk}").locator("summary").click()
    assert_accessible(page, label="earnings on a phone")
    shot(page, "earnings-phone")
    page.goto(f"/trainer/earnings/payouts/{payout.pk}/")
    shot(page, "statement-phone")


@pytest.mark.browser
def test_staff_read_a_run_report_with_its_reconciliation(page, live_server, stripe_double):
    from marketplace.models import Role

    anna = trainer(double=stripe_double, name="Anna Lindqvist")
    session_paid(anna, end=at(2026, 10, 5), gross=45000)
    session_paid(trainer(account=False, name="Bo Berg"), end=at(2026, 10, 6), gross=30000)
    run = run_monthly_payouts(period="2026-10", now=at(2026, 11, 30, 9)).run
    log_in(page, live_server, UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True))

    page.goto(f"/admin/payments/payoutrun/{run.pk}/change/")

    expect(page.get_by_test_id("reconciliation-SEK")).to_have_attribute("data-balanced", "true")
    expect(page.get_by_test_id("run-payouts")).to_contain_text("Bo Berg")
    shot(page, "admin-run-report")
    page.goto("/admin/payments/payoutrun/start/")
    page.get_by_label("Period (YYYY-MM)").fill("2026-10")
    page.get_by_label("Dry run: show what would happen, write and send nothing").check()
    page.get_by_test_id("start-run").click()
    expect(page.get_by_test_id("dry-run-plan")).to_be_visible()
    shot(page, "admin-dry-run")
