"""Booking through pages: slot -> review -> booking; My bookings; the trainer's bookings;
cancelling with the refund shown first; no-shows both ways. English and Swedish."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import booking_services
from bookings.api import SLOT_FORMAT
from bookings.models import Booking, BookingEvent, BookingStatus, NoShowReview, Schedule, Slot
from tests.bookings.conftest import EN, STOCKHOLM, SV, first_start, future_schedule
from tests.factories import OfferingFactory, TrainerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def slot_arg(start: datetime) -> str:
    return start.astimezone(UTC).strftime(SLOT_FORMAT)


def review_url(schedule, start) -> str:
    return reverse("book-review", args=[schedule.pk, slot_arg(start)])


@pytest.fixture
def slot(db):
    schedule = future_schedule()
    return schedule, first_start(schedule)


def past_booking(trainee, *, ended_ago=timedelta(hours=2), confirmed=True):
    """A booking of a session that ended ``ended_ago`` ago (booked days before it)."""
    end_local = timezone.now().astimezone(STOCKHOLM) - ended_ago
    start_local = (end_local - timedelta(hours=1)).replace(second=0, microsecond=0)
    offering = OfferingFactory()
    schedule = Schedule.objects.create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=start_local.date(),
        start_time=time(start_local.hour, start_local.minute),
        time_zone="Europe/Stockholm",
        rrule="FREQ=DAILY;COUNT=1",
    )
    start = start_local.astimezone(UTC)
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=start, now=start - timedelta(days=3)
    )
    if confirmed:
        booking_services.booking_confirm_payment(booking_id=booking.pk)
    booking.refresh_from_db()
    return booking


# --- slot -> review -> booking -------------------------------------------------------------------


def test_the_slot_page_leads_a_logged_in_trainee_to_the_review(client, slot, trainee):
    schedule, start = slot
    client.force_login(trainee)

    body = client.get(f"/book/{schedule.pk}/{slot_arg(start)}/").content.decode()

    assert f'href="{review_url(schedule, start)}"' in body
    assert 'data-testid="slot-book"' in body


def test_the_review_shows_price_policy_and_what_happens_next(client, slot, trainee):
    schedule, start = slot
    client.force_login(trainee)

    response = client.get(review_url(schedule, start), **EN)

    assert response.status_code == 200
    body = response.content.decode()
    assert "450 kr" in body
    assert "Cancel at least 24 hours before the start: 100 % back" in body
    assert "Cancel later, until the start: 0 % back" in body
    assert "Your place is held for 15 minutes while you pay." in body
    assert 'data-testid="review-book"' in body
    assert not Booking.objects.exists()  # looking books nothing


def test_the_review_in_swedish(client, slot, trainee):
    schedule, start = slot
    client.force_login(trainee)

    body = client.get(review_url(schedule, start), **SV).content.decode()

    assert "Granska din bokning" in body
    assert "Avboka minst 24 timmar före start: 100 % tillbaka" in body
    assert "Boka och gå till betalning" in body


def test_posting_the_review_books_and_opens_the_booking(client, slot, trainee):
    schedule, start = slot
    client.force_login(trainee)

    response = client.post(review_url(schedule, start))

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert (booking.trainee, booking.start, booking.status) == (
        trainee,
        start,
        BookingStatus.PENDING_PAYMENT,
    )


def test_a_second_post_opens_the_same_booking(client, slot, trainee):
    schedule, start = slot
    client.force_login(trainee)
    client.post(review_url(schedule, start))

    response = client.post(review_url(schedule, start))

    booking = Booking.objects.get()
    assert response["Location"] == f"/bookings/{booking.pk}/"


def test_a_full_slot_is_refused_on_the_review_in_both_languages(client, slot, trainee):
    schedule, start = slot
    booking_services.book_slot(trainee=UserFactory(), schedule_id=schedule.pk, start=start)
    client.force_login(trainee)

    en = client.post(review_url(schedule, start), **EN)
    sv = client.post(review_url(schedule, start), **SV)

    assert en.status_code == sv.status_code == 409
    assert "This session is full." in en.content.decode()
    assert "Det här passet är fullbokat." in sv.content.decode()
    assert Booking.objects.count() == 1


def test_a_trainer_cannot_book_their_own_session(client, slot):
    schedule, start = slot
    client.force_login(schedule.trainer.user)

    response = client.post(review_url(schedule, start), **EN)

    assert response.status_code == 403
    assert "You cannot book your own session." in response.content.decode()
    assert not Booking.objects.exists()


def test_a_time_that_is_no_session_is_404(client, slot, trainee):
    schedule, start = slot
    client.force_login(trainee)

    assert client.get(review_url(schedule, start + timedelta(hours=1))).status_code == 404
    assert client.get(f"/book/{schedule.pk}/tomorrow/review/").status_code == 404


def test_the_review_needs_a_log_in(client, slot):
    schedule, start = slot

    response = client.get(review_url(schedule, start))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- My bookings ---------------------------------------------------------------------------------


def test_my_bookings_lists_coming_and_past_with_status(client, slot, trainee):
    schedule, start = slot
    coming = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=coming.pk)
    done = past_booking(trainee)
    someone_elses = booking_services.book_slot(
        trainee=UserFactory(), schedule_id=future_schedule().pk, start=start
    )
    client.force_login(trainee)

    response = client.get(reverse("my-bookings"), **EN)

    upcoming = [b.pk for b in response.context["upcoming"]]
    past = [b.pk for b in response.context["past"]]
    assert (upcoming, past) == ([coming.pk], [done.pk])
    body = response.content.decode()
    assert someone_elses.offering.title in body  # same title; the id is what matters:
    assert f'data-booking-id="{someone_elses.pk}"' not in body
    assert reverse("booking-cancel", args=[coming.pk]) in body
    assert reverse("booking-report-no-show", args=[done.pk]) in body
    assert "Cancel at least 24 hours before the start" in body


def test_my_bookings_in_swedish(client, slot, trainee):
    schedule, start = slot
    booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    client.force_login(trainee)

    body = client.get(reverse("my-bookings"), **SV).content.decode()

    assert "Mina bokningar" in body
    assert "Väntar på betalning" in body
    assert "Kommande" in body


def test_the_navigation_links_to_my_bookings(client, trainee):
    client.force_login(trainee)

    body = client.get("/", **EN).content.decode()

    assert 'href="/bookings/"' in body


# --- the trainer's bookings -----------------------------------------------------------------------


def test_the_trainer_sees_bookings_by_day_with_first_names_only(client, slot):
    schedule, start = slot
    for name in ("Maja Svensson", "Olle Berg"):
        other = (
            schedule
            if name.startswith("Maja")
            else future_schedule(
                offering=OfferingFactory(trainer=schedule.trainer, capacity=1),
                start_time=time(12, 0),
            )
        )
        booking = booking_services.book_slot(
            trainee=UserFactory(name=name),
            schedule_id=other.pk,
            start=first_start(other),
        )
        booking_services.booking_confirm_payment(booking_id=booking.pk)
    client.force_login(schedule.trainer.user)

    response = client.get(reverse("trainer-bookings"), **EN)

    body = response.content.decode()
    days = response.context["days"]
    assert len(days) == 1 and len(days[0].bookings) == 2
    assert "Maja" in body and "Olle" in body
    assert "Svensson" not in body and "Berg" not in body
    assert start.astimezone(STOCKHOLM).strftime("%H:%M") in body


def test_a_trainee_without_a_trainer_page_is_told_the_list_is_for_trainers(client, trainee):
    client.force_login(trainee)

    response = client.get(reverse("trainer-bookings"))

    assert 'data-testid="not-a-trainer"' in response.content.decode()


def test_the_trainer_marks_a_trainee_absent_from_the_recent_list(client, trainee):
    booking = past_booking(trainee)
    client.force_login(booking.trainer.user)
    recent = client.get(reverse("trainer-bookings") + "?past=1", **EN)
    assert reverse("booking-mark-no-show", args=[booking.pk]) in recent.content.decode()

    response = client.post(
        reverse("booking-mark-no-show", args=[booking.pk]),
        {"next": "/trainer/bookings/?past=1"},
        **EN,
    )

    assert response["Location"] == "/trainer/bookings/?past=1"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW_TRAINEE
    event = BookingEvent.objects.filter(booking=booking).last()
    assert (event.to_status, event.actor) == (BookingStatus.NO_SHOW_TRAINEE, booking.trainer.user)


def test_marking_before_the_start_is_refused_with_a_message(client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    client.force_login(schedule.trainer.user)

    response = client.post(reverse("booking-mark-no-show", args=[booking.pk]), follow=True, **SV)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert "passet har börjat" in response.content.decode()


def test_only_its_trainer_marks_a_no_show(client, trainee):
    booking = past_booking(trainee)
    for user in (trainee, UserFactory(), TrainerProfileFactory().user):
        client.force_login(user)
        assert client.post(reverse("booking-mark-no-show", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


# --- cancelling ---------------------------------------------------------------------------------


def test_the_cancel_page_shows_the_refund_before_confirming(client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    client.force_login(trainee)

    response = client.get(reverse("booking-cancel", args=[booking.pk]), **EN)

    body = response.content.decode()
    assert 'data-testid="refund-amount">450 kr</strong> (100 %)' in body
    assert 'name="quoted_amount" value="45000"' in body
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED  # showing cancels nothing


def test_late_cancelling_shows_nothing_back_in_swedish(client, trainee):
    schedule = future_schedule(days_ahead=0)
    # A session 20 hours ahead: inside the 24 hours of no refund.
    moment = timezone.now().astimezone(STOCKHOLM) + timedelta(hours=20)
    schedule.starts_on = moment.date()
    schedule.start_time = time(moment.hour, moment.minute)
    schedule.rrule = "FREQ=DAILY;COUNT=1"
    schedule.save()
    start = moment.replace(second=0, microsecond=0).astimezone(UTC)
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    client.force_login(trainee)

    body = client.get(reverse("booking-cancel", args=[booking.pk]), **SV).content.decode()

    assert 'data-testid="refund-amount">0 kr</strong> (0 %)' in body
    assert "för nära starten" in body


def test_confirming_cancels_with_the_quoted_refund_and_frees_the_seat(client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    client.force_login(trainee)

    response = client.post(
        reverse("booking-cancel", args=[booking.pk]),
        {"quoted_amount": "45000", "reason": "Sick"},
        **EN,
    )

    assert response["Location"] == f"/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        BookingStatus.CANCELLED,
        "trainee",
        "Sick",
    )
    assert (booking.refund_amount, booking.refund_percent) == (45000, 100)
    assert Slot.objects.get(pk=booking.slot_id).seats_taken == 0


def test_a_changed_refund_is_shown_again_instead_of_cancelling(client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    client.force_login(trainee)

    response = client.post(
        reverse("booking-cancel", args=[booking.pk]), {"quoted_amount": "0"}, **EN
    )

    assert response.status_code == 409
    assert "The refund has changed" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_cancelling_an_unpaid_booking_says_nothing_is_charged(client, slot, trainee):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    client.force_login(trainee)

    body = client.get(reverse("booking-cancel", args=[booking.pk]), **EN).content.decode()
    client.post(reverse("booking-cancel", args=[booking.pk]), {"quoted_amount": "0"})

    assert "Nothing has been paid yet" in body
    booking.refresh_from_db()
    assert (booking.status, booking.refund_reason) == (BookingStatus.CANCELLED, "not_paid")


@pytest.mark.parametrize("who", ["trainer", "stranger"])
def test_only_the_trainee_cancels_on_this_page(client, slot, trainee, who):
    schedule, start = slot
    booking = booking_services.book_slot(trainee=trainee, schedule_id=schedule.pk, start=start)
    client.force_login(schedule.trainer.user if who == "trainer" else UserFactory())

    response = client.post(reverse("booking-cancel", args=[booking.pk]), {"quoted_amount": "0"})

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_a_started_session_cannot_be_cancelled_from_the_page(client, trainee):
    booking = past_booking(trainee)
    client.force_login(trainee)

    response = client.get(reverse("booking-cancel", args=[booking.pk]), follow=True, **EN)

    assert "This booking can no longer be cancelled." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


# --- the trainee reports the trainer's no-show ---------------------------------------------------


def test_the_trainee_reports_that_the_trainer_did_not_come(client, trainee):
    booking = past_booking(trainee)
    client.force_login(trainee)
    form = client.get(reverse("booking-report-no-show", args=[booking.pk]), **SV)
    assert "Rapportera att tränaren inte kom" in form.content.decode()

    response = client.post(
        reverse("booking-report-no-show", args=[booking.pk]), {"note": "Nobody there"}, **EN
    )

    assert response["Location"] == f"/bookings/{booking.pk}/"
    booking.refresh_from_db()
    assert (booking.status, booking.no_show_review) == (
        BookingStatus.NO_SHOW_TRAINER,
        NoShowReview.PENDING,
    )
    assert BookingEvent.objects.filter(booking=booking).last().note == "Nobody there"


def test_a_report_after_48_hours_is_refused(client, trainee):
    booking = past_booking(trainee, ended_ago=timedelta(hours=49))
    client.force_login(trainee)

    get = client.get(reverse("booking-report-no-show", args=[booking.pk]), follow=True, **EN)
    post = client.post(reverse("booking-report-no-show", args=[booking.pk]), **SV)

    assert "can no longer be reported" in get.content.decode()
    assert post.status_code == 409
    assert "48 timmar" in post.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_trainer_cannot_report_their_own_no_show(client, trainee):
    booking = past_booking(trainee)
    client.force_login(booking.trainer.user)

    response = client.post(reverse("booking-report-no-show", args=[booking.pk]))

    assert response.status_code == 404
