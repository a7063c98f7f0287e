"""In the browser: a trainee whose session is completed leaves a review and finds it on the
trainer's page; the map's cards show the rating and the verified badge; the pages pass axe."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings import booking_services, recurrence, review_services
from bookings.models import Schedule
from marketplace.models import TrainerProfile
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import log_in, trainer_with_sessions, use_language, without_tiles
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-trust")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def completed_booking(trainer, trainee):
    """Tomorrow's 07:00 session, booked and paid through the services, then completed."""
    schedule = Schedule.objects.get(trainer=trainer, offering__capacity=1)
    start = recurrence.first_start(schedule)
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=start, now=timezone.now()
    )
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    assert booking_services.bookings_complete_finished(now=booking.end + timedelta(minutes=1))
    booking.refresh_from_db()
    assert booking.status == "completed"
    return booking


def test_a_trainee_reviews_a_completed_session_and_sees_it_on_the_trainers_page(page, live_server):
    without_tiles(page)
    trainer = trainer_with_sessions(display_name="Anna Lindqvist", slug="anna-lindqvist")
    trainee = UserFactory(name="Maja Svensson")
    booking = completed_booking(trainer, trainee)
    log_in(page, live_server, trainee)

    page.goto(f"/bookings/{booking.pk}/review/")
    expect(page.get_by_role("heading", name="Review your session")).to_be_visible()
    assert_accessible(page, label="review form")
    shot(page, "review-form-desktop")
    page.get_by_label("4 stars: good").check()
    page.get_by_label("Your review (optional)").fill("Lagom tufft och väldigt pedagogiskt.")
    page.get_by_role("button", name="Publish review").click()

    expect(page).to_have_url(f"{live_server.url}/trainers/anna-lindqvist/#reviews")
    review = page.get_by_test_id("review").first
    expect(review).to_contain_text("Lagom tufft och väldigt pedagogiskt.")
    expect(review.get_by_test_id("review-author")).to_have_text("Maja S.")
    expect(page.get_by_test_id("review-summary")).to_contain_text("4.0 out of 5 from 1 review")
    expect(page.get_by_test_id("trainer-rating")).to_contain_text("4.0")
    assert "Svensson" not in page.content()
    assert_accessible(page, label="trainer page with a review")
    shot(page, "trainer-page-review-desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("review").first).to_be_visible()
    assert_accessible(page, label="trainer page with a review, phone")
    shot(page, "trainer-page-review-phone")


def test_the_trainer_replies_on_the_page(page, live_server):
    without_tiles(page)
    trainer = trainer_with_sessions(display_name="Anna Lindqvist", slug="anna-lindqvist")
    trainee = UserFactory(name="Maja Svensson")
    booking = completed_booking(trainer, trainee)
    review_services.review_create(
        booking_id=booking.pk, trainee=trainee, rating=5, text="Toppen!", notify=False
    )
    log_in(page, live_server, trainer.user)

    page.goto("/trainers/anna-lindqvist/#reviews")
    page.get_by_label("Reply publicly (once)").fill("Tack Maja, vi ses!")
    page.get_by_role("button", name="Reply", exact=True).click()

    expect(page.get_by_test_id("review-reply")).to_contain_text("Tack Maja, vi ses!")
    expect(page.get_by_label("Reply publicly (once)")).to_have_count(0)


def test_cards_and_popups_show_the_rating_and_the_verified_badge(page, live_server):
    without_tiles(page)
    trainer = trainer_with_sessions(display_name="Vera Verifierad")
    TrainerProfile.objects.filter(pk=trainer.pk).update(
        verified_at=timezone.now(), rating_avg="4.67", rating_count=3
    )
    trainer_with_sessions(display_name="Olle Overifierad")

    page.goto("/?at=59.3326,18.0649,13")
    cards = page.get_by_test_id("trainer-card")
    expect(cards).to_have_count(2)
    verified_card = cards.filter(has_text="Vera Verifierad")
    expect(verified_card.get_by_test_id("verified-badge")).to_be_visible()
    expect(verified_card).to_contain_text("★ 4.7 (3)")
    expect(
        cards.filter(has_text="Olle Overifierad").get_by_test_id("verified-badge")
    ).to_have_count(0)
    shot(page, "map-cards-desktop")

    page.get_by_test_id("more-filters").locator("summary").click()
    page.get_by_label("Verified trainers only").check()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Vera Verifierad")
    assert_accessible(page, label="map page with the trust filters")

    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("trainer-card")).to_have_count(1)
    shot(page, "map-cards-phone")


def test_search_by_when_on_the_map(page, live_server):
    without_tiles(page)
    morning = trainer_with_sessions(display_name="Morgon Maria")  # 07:00 daily, 18:00 Sat
    evening = trainer_with_sessions(display_name="Kvälls Karl")
    Schedule.objects.filter(trainer=evening).update(start_time="19:00")

    page.goto("/?at=59.3326,18.0649,13")
    expect(page.get_by_test_id("trainer-card")).to_have_count(2)
    page.get_by_test_id("more-filters").locator("summary").click()
    page.get_by_label("From").fill("06:00")
    page.get_by_label("To", exact=True).fill("09:00")
    page.get_by_label("From").dispatch_event("change")
    page.get_by_label("To", exact=True).dispatch_event("change")

    cards = page.get_by_test_id("trainer-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(morning.display_name)
    shot(page, "map-search-by-when-desktop")


def test_the_review_pages_in_swedish_pass_axe(page, live_server):
    without_tiles(page)
    trainer = trainer_with_sessions(display_name="Anna Lindqvist", slug="anna-lindqvist")
    trainee = UserFactory(name="Maja Svensson")
    booking = completed_booking(trainer, trainee)
    log_in(page, live_server, trainee)
    use_language(page, live_server, "sv")
    page.set_viewport_size(PHONE)

    page.goto(f"/bookings/{booking.pk}/review/")
    expect(page.get_by_role("heading", name="Ge ditt pass ett omdöme")).to_be_visible()
    assert_accessible(page, label="review form, Swedish, phone")
    page.get_by_label("5 stjärnor: utmärkt").check()
    page.get_by_role("button", name="Publicera omdömet").click()

    expect(page.get_by_test_id("review-summary")).to_contain_text("av 5 från 1 omdöme")
    assert_accessible(page, label="trainer page with a review, Swedish, phone")
    shot(page, "trainer-page-review-phone-sv")
