"""The Booking admin: read only, filters, search by trainer, the event trail, and staff
actions that go through the booking services."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from bookings import booking_services
from bookings.models import Booking, BookingEvent, BookingStatus, NoShowReview
from marketplace.models import Role
from tests.bookings.conftest import first_start, future_schedule
from tests.bookings.test_booking_pages_flow import past_booking
from tests.factories import TrainerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/bookings/booking/"


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.STAFF, is_staff=True, is_superuser=True, name="Stina Staff")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def confirmed_booking(trainee, schedule=None):
    schedule = schedule or future_schedule()
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=first_start(schedule)
    )
    return booking_services.booking_confirm_payment(booking_id=booking.pk)


def act(client, action: str, *bookings, **headers):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [b.pk for b in bookings]},
        follow=True,
        **headers,
    )


def test_bookings_are_listed_with_filters_and_the_trail_inline(staff_client, trainee):
    booking = confirmed_booking(trainee)
    other = confirmed_booking(UserFactory())

    listing = staff_client.get(CHANGELIST)
    page = staff_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))

    assert listing.status_code == page.status_code == 200
    assert sorted(b.pk for b in listing.context["cl"].result_list) == [booking.pk, other.pk]
    filters = [spec.title for spec in listing.context["cl"].filter_specs]
    assert [str(title) for title in filters] == ["status", "no-show report", "trainer", "start"]
    body = page.content.decode()
    assert "Payment received." in body  # the confirmation's event note, in the inline
    admin = site._registry[Booking]
    assert not admin.has_add_permission(page.wsgi_request)
    assert not admin.has_delete_permission(page.wsgi_request, booking)


def test_search_finds_bookings_by_trainer_name(staff_client, trainee):
    wanted = confirmed_booking(
        trainee, future_schedule(trainer=TrainerProfileFactory(display_name="Ingrid Lind"))
    )
    other = confirmed_booking(UserFactory())

    response = staff_client.get(CHANGELIST, {"q": "Lind"})

    assert [b.pk for b in response.context["cl"].result_list] == [wanted.pk]
    assert other.pk != wanted.pk


def test_the_status_and_trainer_filters(staff_client, trainee):
    kept = confirmed_booking(trainee)
    held_schedule = future_schedule()
    held = booking_services.book_slot(
        trainee=UserFactory(), schedule_id=held_schedule.pk, start=first_start(held_schedule)
    )

    by_status = staff_client.get(CHANGELIST, {"status__exact": "pending_payment"})
    by_trainer = staff_client.get(CHANGELIST, {"trainer__id__exact": kept.trainer_id})

    assert [b.pk for b in by_status.context["cl"].result_list] == [held.pk]
    assert [b.pk for b in by_trainer.context["cl"].result_list] == [kept.pk]


def test_staff_cancel_with_a_full_refund(staff_client, staff, trainee):
    booking = confirmed_booking(trainee)

    response = act(staff_client, "cancel_with_full_refund", booking)

    assert "1 booking(s) cancelled with a full refund." in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == (BookingStatus.CANCELLED, "staff")
    assert (booking.refund_amount, booking.refund_percent, booking.refund_reason) == (
        45000,
        100,
        "staff_cancelled",
    )
    event = BookingEvent.objects.filter(booking=booking).last()
    assert (event.from_status, event.to_status, event.actor) == ("confirmed", "cancelled", staff)


def test_a_refused_booking_is_named_and_the_others_still_go(staff_client, trainee):
    # a completed session (staff cannot cancel it) and a coming one
    done = past_booking(trainee)
    booking_services.bookings_complete_finished()
    done.refresh_from_db()
    assert done.status == BookingStatus.COMPLETED
    coming = confirmed_booking(UserFactory())

    response = act(
        staff_client, "cancel_with_full_refund", done, coming, **{"HTTP_ACCEPT_LANGUAGE": "sv"}
    )

    body = response.content.decode()
    assert f"Bokning {done.pk}:" in body
    assert "1 bokning(ar) avbokade med full återbetalning." in body
    coming.refresh_from_db()
    done.refresh_from_db()
    assert (coming.status, done.status) == (BookingStatus.CANCELLED, BookingStatus.COMPLETED)


def test_staff_confirm_a_no_show_report(staff_client, staff, trainee):
    booking = past_booking(trainee)
    booking_services.booking_report_no_show_trainer(booking_id=booking.pk, actor=trainee)

    pending = staff_client.get(CHANGELIST, {"no_show_report": "pending"})
    response = act(staff_client, "uphold_no_show_report", booking)

    assert [b.pk for b in pending.context["cl"].result_list] == [booking.pk]
    assert "1 no-show report(s) confirmed" in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.no_show_review) == (
        BookingStatus.NO_SHOW_TRAINER,
        NoShowReview.UPHELD,
    )
    assert (booking.refund_amount, booking.refund_reason) == (45000, "trainer_no_show")
    assert BookingEvent.objects.filter(booking=booking).last().actor == staff


def test_staff_dismiss_a_no_show_report(staff_client, trainee):
    booking = past_booking(trainee)
    booking_services.booking_report_no_show_trainer(booking_id=booking.pk, actor=trainee)

    act(staff_client, "dismiss_no_show_report", booking)

    booking.refresh_from_db()
    assert (booking.status, booking.no_show_review) == (
        BookingStatus.COMPLETED,
        NoShowReview.DISMISSED,
    )
    assert booking.refund_amount is None


def test_deciding_without_a_report_is_refused_with_the_reason(staff_client, trainee):
    booking = confirmed_booking(trainee)

    response = act(staff_client, "uphold_no_show_report", booking)

    assert "There is no no-show report waiting for a decision." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_admin_links_to_the_booking_page(staff_client, trainee):
    booking = confirmed_booking(trainee)

    page = staff_client.get(f"/bookings/{booking.pk}/")

    assert page.status_code == 200
    assert reverse("admin:bookings_booking_change", args=[booking.pk]) in page.content.decode()
