"""The exact place of a booked session: its trainee (while the booking is active or
recent), its trainer and staff see it; nobody else does."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string

from bookings import booking_services
from bookings.locations import RECENT_DAYS, booking_exact_location, can_see_exact_location
from bookings.models import Booking, BookingStatus
from tests.bookings.conftest import MONDAY, NOW, book, confirm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EXACT = (59.312345, 18.076543)
ADDRESS = "Hemligvägen 7, 118 26 Stockholm"


@pytest.fixture
def booking(schedule, trainee):
    trainer = schedule.trainer
    trainer.address = ADDRESS
    trainer.latitude, trainer.longitude = EXACT
    trainer.save()
    return confirm(book(trainee, schedule))


def test_the_trainee_with_a_confirmed_booking_sees_the_exact_place(booking):
    place = booking_exact_location(booking=booking, user=booking.trainee, now=NOW)

    assert place.address == ADDRESS
    assert (place.latitude, place.longitude) == EXACT
    assert can_see_exact_location(booking.trainee, booking.trainer, now=NOW)


def test_the_trainer_and_staff_see_it_and_a_stranger_does_not(booking):
    assert booking_exact_location(booking=booking, user=booking.trainer.user, now=NOW)
    assert booking_exact_location(booking=booking, user=UserFactory(role="staff"), now=NOW)
    stranger = UserFactory()
    assert booking_exact_location(booking=booking, user=stranger, now=NOW) is None
    assert not can_see_exact_location(stranger, booking.trainer, now=NOW)


def test_a_cancelled_booking_shows_nothing(booking):
    booking_services.booking_cancel(
        booking_id=booking.pk, by="trainee", actor=booking.trainee, now=NOW
    )
    booking.refresh_from_db()

    assert booking_exact_location(booking=booking, user=booking.trainee, now=NOW) is None
    assert not can_see_exact_location(booking.trainee, booking.trainer, now=NOW)


def test_a_completed_session_shows_it_for_a_while(booking):
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)
    end = booking.end

    soon = end + timedelta(days=RECENT_DAYS - 1)
    later = end + timedelta(days=RECENT_DAYS + 1)

    assert booking_exact_location(booking=booking, user=booking.trainee, now=soon) is not None
    assert booking_exact_location(booking=booking, user=booking.trainee, now=later) is None


def test_an_offering_venue_is_the_place_when_it_has_one(booking):
    offering = booking.offering
    offering.location_name = "Tantolunden, by the outdoor gym"
    offering.latitude, offering.longitude = 59.3130, 18.0520
    offering.save()
    booking.refresh_from_db()

    place = booking_exact_location(booking=booking, user=booking.trainee, now=NOW)

    assert place.address == "Tantolunden, by the outdoor gym"
    assert (place.latitude, place.longitude) == (59.3130, 18.0520)


def test_the_include_renders_the_place_for_the_booking_page(booking):
    place = booking_exact_location(booking=booking, user=booking.trainee, now=NOW)

    html = render_to_string("bookings/_exact_location.html", {"exact_location": place})
    nothing = render_to_string("bookings/_exact_location.html", {"exact_location": None})

    assert "Hemligvägen 7" in html
    assert "mlat=59.312345" in html
    assert "Hemligvägen" not in nothing


def test_a_pending_booking_shows_it_only_while_its_hold_lasts(schedule, trainee):
    pending = book(trainee, schedule)

    assert booking_exact_location(booking=pending, user=trainee, now=NOW) is not None
    later = pending.hold_expires_at + timedelta(seconds=1)
    assert booking_exact_location(booking=pending, user=trainee, now=later) is None
    assert later < MONDAY
