"""Demo schedules: realistic, never overlapping, idempotent."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings import queries
from bookings.demo import seed_schedules
from bookings.models import Booking, Schedule
from bookings.recurrence import parse_rrule
from bookings.services import find_first_clash
from marketplace.models import TrainerProfile
from marketplace.queries import user_get_by_email
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 6)  # a Wednesday
DAYTIMES = {time(6, 30), time(7, 0), time(7, 30), time(8, 0), time(12, 0)}
EVENINGS = {time(17, 30), time(18, 0), time(18, 30), time(19, 0), time(19, 30)}
WEEKENDS = {time(9, 0), time(10, 0)}


def test_every_trainer_gets_one_to_four_schedules_that_never_overlap():
    trainers = [TrainerProfileFactory() for _ in range(25)]
    for trainer in trainers:
        OfferingFactory(trainer=trainer, duration_minutes=90)
        OfferingFactory(trainer=trainer, capacity=8, title="Group")

    created = seed_schedules(trainers, random.Random(4), today=TODAY)

    assert created == Schedule.objects.count()
    start = datetime(2027, 1, 4, tzinfo=UTC)
    for trainer in trainers:
        schedules = list(Schedule.objects.filter(trainer=trainer).select_related("offering"))
        assert 1 <= len(schedules) <= 4
        for index, schedule in enumerate(schedules):
            rule = parse_rrule(schedule.rrule)
            assert (rule.freq, rule.interval in (1, 2), rule.is_endless) == ("WEEKLY", True, True)
            assert schedule.starts_on == date(2027, 1, 4)
            assert schedule.start_time in DAYTIMES | EVENINGS | WEEKENDS
            if schedule.offering.capacity > 1:
                assert schedule.start_time in EVENINGS | WEEKENDS
            others = schedules[:index] + schedules[index + 1 :]
            assert find_first_clash(schedule, others, start, start + timedelta(days=365)) is None


def test_only_trainers_without_schedules_get_them():
    has_one = ScheduleFactory().trainer
    OfferingFactory(trainer=has_one)
    fresh = OfferingFactory().trainer
    no_offerings = TrainerProfileFactory()

    first = seed_schedules([has_one, fresh.pk, no_offerings], random.Random(1), today=TODAY)
    again = seed_schedules([has_one, fresh, no_offerings], random.Random(2), today=TODAY)

    assert first >= 1
    assert again == 0
    assert Schedule.objects.filter(trainer=has_one).count() == 1
    assert Schedule.objects.filter(trainer=no_offerings).count() == 0
    assert Schedule.objects.filter(trainer=fresh).count() == first


def test_seeding_invalidates_a_cached_empty_answer():
    trainer = OfferingFactory().trainer
    start = datetime(2027, 1, 4, tzinfo=UTC)
    window = (trainer, start, start + timedelta(days=14))
    assert queries.trainer_availability(*window, now=start) == []

    seed_schedules([trainer], random.Random(3), today=TODAY)

    assert len(queries.trainer_availability(*window, now=start)) >= 2


def test_seed_demo_gives_the_demo_trainers_schedules():
    call_command("seed_demo", trainers=5, verbosity=0)

    trainers = TrainerProfile.objects.all()
    assert trainers.count() == 6  # the known demo trainer and five bulk ones
    assert all(1 <= t.schedules.count() <= 4 for t in trainers)
    total = Schedule.objects.count()

    call_command("seed_demo", trainers=5, verbosity=0)

    assert Schedule.objects.count() == total


def test_seed_demo_leaves_other_trainers_alone():
    someone = OfferingFactory().trainer

    call_command("seed_demo", trainers=2, verbosity=0)

    assert someone.schedules.count() == 0
    assert Schedule.objects.exclude(trainer=someone).count() >= 3


def test_seed_demo_gives_the_demo_trainee_a_booking_of_each_kind():
    call_command("seed_demo", trainers=3, verbosity=0)

    trainee = user_get_by_email("trainee@traino.demo")
    bookings = list(Booking.objects.filter(trainee=trainee).order_by("start"))
    statuses = sorted(b.status for b in bookings)
    assert statuses == ["cancelled", "completed", "confirmed", "confirmed"]
    now = timezone.now()
    completed = next(b for b in bookings if b.status == "completed")
    assert completed.end <= now
    assert all(b.start > now for b in bookings if b.status in {"confirmed", "cancelled"})
    cancelled = next(b for b in bookings if b.status == "cancelled")
    assert (cancelled.cancelled_by, cancelled.refund_reason) == ("trainee", "policy")
    assert all(b.events.exists() for b in bookings)

    call_command("seed_demo", trainers=3, verbosity=0)

    assert Booking.objects.filter(trainee=trainee).count() == 4
