"""A visitor on a slot page logs in and lands back on the same slot page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import trainer_with_sessions, without_tiles
from tests.factories import DEFAULT_PASSWORD, UserFactory


def open_first_slot(page, trainer) -> str:
    page.goto(f"/trainers/{trainer.slug}/")
    page.locator("[data-testid=trainee-calendar] .fc-list-event a").first.click()
    expect(page.get_by_test_id("slot-title")).to_be_visible()
    return page.url


@pytest.mark.browser
def test_log_in_from_a_slot_page_returns_to_the_slot(page, live_server):
    # given a trainer with sessions and a trainee who is not logged in, on a slot page
    trainer = trainer_with_sessions(display_name="Erik Berg")
    UserFactory(email="tove@example.se", name="Tove Berg")
    without_tiles(page)
    slot_url = open_first_slot(page, trainer)
    assert_accessible(page)

    # when they follow "Log in to book" and log in
    page.get_by_test_id("slot-login-link").click()
    page.get_by_label("Email").fill("tove@example.se")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # then they are back on the same slot, logged in
    expect(page.get_by_test_id("slot-title")).to_be_visible()
    assert page.url == slot_url
    expect(page.get_by_test_id("nav-account")).to_have_text("Tove")
    expect(page.get_by_test_id("slot-login")).to_have_count(0)


@pytest.mark.browser
def test_on_a_phone_the_menu_log_in_and_a_sign_up_return_to_the_slot(page, live_server):
    # given a visitor on a slot page on a phone
    trainer = trainer_with_sessions(display_name="Erik Berg")
    without_tiles(page)
    page.set_viewport_size(PHONE)
    slot_url = open_first_slot(page, trainer)

    # when they open the menu, choose "Log in", then "Create an account" and sign up
    page.locator("details.menu > summary").click()
    page.get_by_test_id("nav-login").click()
    page.get_by_test_id("login-signup").click()
    page.get_by_label("Email").fill("nova@example.se")
    page.get_by_label("Name").fill("Nova Persson")
    page.locator("#id_password1").fill("Lingon-Sylt-2026!")
    page.locator("#id_password2").fill("Lingon-Sylt-2026!")
    page.get_by_role("button", name="Sign up").click()

    # then the new trainee is back on the slot page
    expect(page.get_by_test_id("slot-title")).to_be_visible()
    assert page.url == slot_url
