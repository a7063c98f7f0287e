"""A trainer sets up payouts in demo mode: start, finish the demo onboarding, see it ready."""

import pytest
from playwright.sync_api import expect

from payments.models import ConnectedAccount, WebhookEvent
from tests.e2e.conftest import screenshot
from tests.e2e.test_trainer_calendar import log_in
from tests.factories import TrainerProfileFactory


@pytest.mark.browser
def test_a_trainer_finishes_demo_onboarding_and_sees_payouts_enabled(page, live_server):
    # given a trainer without a Stripe account, on the embedded default (demo gateway)
    trainer = TrainerProfileFactory(display_name="Anna Lindqvist")
    log_in(page, live_server, trainer.user)

    # when they open Get paid from their trainer pages and start
    page.goto("/trainer/profile/")
    page.get_by_test_id("tab-get-paid").click()
    expect(page.get_by_test_id("get-paid")).to_have_attribute("data-state", "not_started")
    expect(page.get_by_test_id("bookable-note")).to_be_visible()
    expect(page.get_by_test_id("demo-badge")).to_be_visible()
    page.get_by_test_id("start-onboarding").click()

    # then the demo's stand-in for Stripe's onboarding asks them to finish
    expect(page.get_by_test_id("demo-onboarding")).to_be_visible()
    screenshot(page, "get-paid-demo-onboarding")
    page.get_by_test_id("finish-demo-onboarding").click()

    # and back on Get paid the account is ready, from a signed account.updated
    expect(page.get_by_test_id("get-paid")).to_have_attribute("data-state", "enabled")
    expect(page.get_by_test_id("payouts-enabled")).to_have_text("Enabled")
    expect(page.locator(".messages")).to_contain_text("Stripe is set up: you can be paid.")
    screenshot(page, "get-paid-enabled")
    account = ConnectedAccount.objects.get(trainer=trainer)
    assert (account.is_demo, account.payouts_enabled) == (True, True)
    assert WebhookEvent.objects.get().status == "processed"
