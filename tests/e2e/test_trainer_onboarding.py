"""A new trainer signs up and goes through the setup checklist to a published page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.models import TrainerProfile
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.helpers import without_tiles

PASSWORD = "Lingon-Sylt-2026!"


def step_states(page) -> list[str]:
    return page.get_by_test_id("setup-step").evaluate_all(
        "(steps) => steps.map((step) => step.classList.contains('done') ? 'done' : 'todo')"
    )


def back_on_the_setup(page, states: list[str]) -> None:
    expect(page).to_have_url(re.compile(r"/trainer/setup/$"))
    expect(page.get_by_test_id("setup-step").first).to_be_visible()
    assert step_states(page) == states


@pytest.mark.browser
def test_a_new_trainer_signs_up_and_sets_up_a_published_page(page, live_server):
    without_tiles(page)
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())

    # when a visitor signs up to offer sessions as a trainer
    page.goto("/")
    page.get_by_test_id("nav-signup").click()
    page.get_by_label("Email").fill("greta@example.se")
    page.get_by_label("Name").fill("Greta Gran")
    page.get_by_label("offer sessions as a trainer").check()
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # then they land on their setup with four steps to do and publishing not yet possible
    back_on_the_setup(page, ["todo", "todo", "todo", "todo"])
    expect(page.get_by_test_id("publish")).to_be_disabled()
    assert_accessible(page)
    screenshot(page, "trainer-setup-start")

    # when they fill in their profile, setting the location with a click on the map
    page.get_by_role("link", name="Fill in your profile").click()
    page.get_by_label("About you").fill("Yoga i parken, året runt.")
    page.get_by_label("City").fill("Stockholm")
    expect(page.get_by_label("Time zone").locator("option").first).to_have_text("Europe/Stockholm")
    page.get_by_test_id("location-picker").click(position={"x": 200, "y": 160})
    page.get_by_test_id("save-profile").click()

    # then they are back on the setup with the first step done
    back_on_the_setup(page, ["done", "todo", "todo", "todo"])

    # when they add an offering
    page.get_by_role("link", name="Add an offering").click()
    page.get_by_label("Title").fill("Yoga i Vasaparken")
    page.get_by_label("Price (kr)").fill("450")
    page.get_by_test_id("save-offering").click()
    back_on_the_setup(page, ["done", "done", "todo", "todo"])

    # and a weekly schedule on Mondays
    page.get_by_role("link", name="Create a schedule").click()
    page.get_by_label("Session", exact=True).select_option(label="Yoga i Vasaparken (60 min)")
    page.get_by_label("First date").fill(monday.isoformat())
    page.get_by_label("Start time").fill("07:00")
    page.get_by_text("Every week", exact=True).click()
    page.locator(".weekday", has_text="Mon").click()
    page.get_by_text("No end", exact=True).click()
    page.get_by_test_id("save-schedule").click()

    # then everything is in place and they can publish
    back_on_the_setup(page, ["done", "done", "done", "todo"])
    expect(page.get_by_test_id("publish")).to_be_enabled()
    page.get_by_test_id("publish").click()

    # then their public page is published and lists the Monday sessions
    profile = TrainerProfile.objects.get(user__name="Greta Gran")
    expect(page).to_have_url(re.compile(rf"/trainers/{profile.slug}/$"))
    expect(page.locator(".messages")).to_contain_text("Your page is published")
    expect(page.get_by_test_id("draft-banner")).to_have_count(0)
    slot = page.locator("[data-testid=trainee-calendar] .fc-list-event").first
    expect(slot).to_contain_text("Yoga i Vasaparken")
    assert profile.is_published is True
    screenshot(page, "trainer-setup-published")


@pytest.mark.browser
def test_the_setup_checklist_on_a_phone_in_swedish(page, live_server):
    # given a new trainer on a phone, in Swedish
    from tests.e2e.helpers import log_in, use_language
    from tests.factories import TrainerProfileFactory

    profile = TrainerProfileFactory(is_published=False, latitude=None, longitude=None)
    log_in(page, live_server, profile.user)
    use_language(page, live_server, "sv")
    page.set_viewport_size(PHONE)

    # when they open the setup
    page.goto("/trainer/setup/")

    # then the steps are in Swedish and the page passes the accessibility check
    expect(page.get_by_role("link", name="Fyll i din profil")).to_be_visible()
    expect(page.get_by_test_id("publish")).to_have_text("Publicera min sida")
    assert_accessible(page)
    screenshot(page, "trainer-setup-phone-sv")
