"""Two reviews of one trainer committing at the same moment, on two real PostgreSQL
connections: the average on the trainer's row counts both (the service locks the row)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from bookings import booking_services, review_services
from bookings.models import Review
from marketplace.models import TrainerProfile
from tests.bookings.conftest import MONDAY, NOW
from tests.factories import OfferingFactory, ScheduleFactory, UserFactory

pytestmark = [
    pytest.mark.postgres(reason="two connections committing at once; SQLite serializes writes"),
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_reviews_both_count_in_the_average():
    schedule = ScheduleFactory(offering=OfferingFactory(capacity=5))
    trainees = [UserFactory(name="Ann A"), UserFactory(name="Bo B")]
    bookings = []
    for trainee in trainees:
        booking = booking_services.book_slot(
            trainee=trainee, schedule_id=schedule.pk, start=MONDAY, now=NOW
        )
        booking_services.booking_confirm_payment(booking_id=booking.pk)
        bookings.append(booking)
    assert booking_services.bookings_complete_finished(now=MONDAY + timedelta(hours=1)) == 2

    barrier = threading.Barrier(2)
    errors = []

    def write(booking, rating):
        try:
            barrier.wait(timeout=10)
            review_services.review_create(
                booking_id=booking.pk,
                trainee=booking.trainee,
                rating=rating,
                now=MONDAY + timedelta(days=1),
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(bookings[0], 5)),
        threading.Thread(target=write, args=(bookings[1], 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Review.objects.count() == 2
    trainer = TrainerProfile.objects.get(pk=schedule.trainer_id)
    assert (trainer.rating_avg, trainer.rating_count) == (Decimal("3.50"), 2)


def test_the_same_booking_reviewed_twice_at_once_makes_one_review():
    schedule = ScheduleFactory()
    trainee = UserFactory(name="Cia C")
    booking = booking_services.book_slot(
        trainee=trainee, schedule_id=schedule.pk, start=MONDAY, now=NOW
    )
    booking_services.booking_confirm_payment(booking_id=booking.pk)
    booking_services.bookings_complete_finished(now=MONDAY + timedelta(hours=1))
    barrier = threading.Barrier(2)
    outcomes = []

    def write(rating):
        try:
            barrier.wait(timeout=10)
            review_services.review_create(
                booking_id=booking.pk,
                trainee=trainee,
                rating=rating,
                now=MONDAY + timedelta(days=1),
            )
            outcomes.append("created")
        except Exception as exc:
            outcomes.append(getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(r,)) for r in (5, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ALREADY_REVIEWED", "created"]
    trainer = TrainerProfile.objects.get(pk=schedule.trainer_id)
    assert trainer.rating_count == 1
    assert trainer.rating_avg == Decimal(Review.objects.get().rating)
