import pytest
from playwright.sync_api import expect

from marketplace.models import Role, User
from marketplace.queries import user_get_by_email

PASSWORD = "Lingon-Sylt-2026!"


@pytest.mark.browser
def test_sign_up_log_out_and_log_in_again_with_the_email_in_another_case(page):
    # given a visitor on the start page
    page.goto("/")

    # when they sign up as a trainer
    page.get_by_test_id("nav-signup").click()
    page.get_by_label("Email").fill("Astrid.Lind@example.se")
    page.get_by_label("Name").fill("Astrid Lind")
    page.get_by_label("offer sessions as a trainer").check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # then they are logged in, and the account exists with the chosen role
    expect(page.get_by_test_id("nav-account")).to_have_text("Astrid")
    user = user_get_by_email("astrid.lind@example.se")
    assert user is not None
    assert (user.email, user.name, user.role) == (
        "Astrid.Lind@example.se",
        "Astrid Lind",
        Role.TRAINER,
    )
    assert User.objects.count() == 1

    # when they log out
    page.get_by_test_id("logout").click()

    # then they are logged out
    expect(page.get_by_test_id("nav-login")).to_be_visible()
    expect(page.get_by_test_id("nav-account")).to_have_count(0)

    # when they log in with the email in upper case
    page.get_by_test_id("nav-login").click()
    page.get_by_label("Email").fill("ASTRID.LIND@EXAMPLE.SE")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # then they are logged in again
    expect(page.get_by_test_id("nav-account")).to_have_text("Astrid")
    page.get_by_test_id("nav-account").click()
    expect(page.get_by_test_id("account-email")).to_have_text("Astrid.Lind@example.se")


@pytest.mark.browser
def test_on_a_phone_the_links_sit_behind_the_menu_and_log_out_works_from_there(page):
    from tests.e2e.conftest import PHONE
    from tests.factories import DEFAULT_PASSWORD, TrainerUserFactory

    # given a trainer logged in on a phone-sized screen
    TrainerUserFactory(email="tove@example.se", name="Tove Berg")
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("tove@example.se")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # then the bar shows the menu toggle, not the links
    expect(page.get_by_test_id("nav-calendar")).to_be_hidden()
    expect(page.locator("details.menu > summary")).to_be_visible()

    # when they open the menu, the trainer's links are there and log-out works
    page.locator("details.menu > summary").click()
    expect(page.get_by_test_id("nav-calendar")).to_be_visible()
    expect(page.get_by_test_id("nav-profile")).to_be_visible()
    page.get_by_test_id("logout").click()
    page.locator("details.menu > summary").click()
    expect(page.get_by_test_id("nav-login")).to_be_visible()
