"""Offering changes reach availability at once; a new duration may not make schedules overlap."""

from datetime import UTC, datetime, time, timedelta

import pytest

from bookings import queries
from bookings.errors import OfferingInUse, ScheduleOverlap
from marketplace import services as marketplace_services
from marketplace.models import Offering
from tests.factories import OfferingFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 1, 4, tzinfo=UTC)  # the factory's first Monday


def week(trainer):
    return queries.trainer_availability(trainer, START, START + timedelta(days=7), now=START)


def test_a_price_change_is_seen_at_once_from_a_warm_cache(django_capture_on_commit_callbacks):
    schedule = ScheduleFactory(offering=OfferingFactory(price_amount=50000))
    assert [o.price_amount for o in week(schedule.trainer)] == [50000]

    with django_capture_on_commit_callbacks(execute=True):
        marketplace_services.offering_update(offering=schedule.offering, price_amount=45000)

    assert [o.price_amount for o in week(schedule.trainer)] == [45000]


def test_deactivating_an_offering_removes_its_slots_at_once(django_capture_on_commit_callbacks):
    schedule = ScheduleFactory()
    OfferingFactory(trainer=schedule.trainer)  # stays active, so the profile may stay published
    assert len(week(schedule.trainer)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        marketplace_services.offering_update(offering=schedule.offering, is_active=False)

    assert week(schedule.trainer) == []


def test_a_longer_duration_that_would_overlap_is_refused_and_nothing_changes(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory(title="Yoga", duration_minutes=60)
    trainer = offering.trainer
    ScheduleFactory(offering=offering)  # Mondays 07:00-08:00
    ScheduleFactory(offering=OfferingFactory(trainer=trainer, title="Run"), start_time=time(8, 0))
    own = ScheduleFactory(offering=offering, start_time=time(10, 0), rrule="FREQ=WEEKLY;BYDAY=TU")
    assert own.duration_minutes is None

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ScheduleOverlap) as refused,
    ):
        marketplace_services.offering_update(offering=offering, duration_minutes=90)

    assert refused.value.clash.offering_title == "Run"
    assert "Run" in str(refused.value.message)
    assert Offering.objects.get(pk=offering.pk).duration_minutes == 60
    assert callbacks == []


def test_a_longer_duration_is_fine_for_schedules_with_their_own_duration():
    offering = OfferingFactory(duration_minutes=60)
    ScheduleFactory(offering=offering, duration_minutes=60)
    ScheduleFactory(offering=OfferingFactory(trainer=offering.trainer), start_time=time(8, 0))

    marketplace_services.offering_update(offering=offering, duration_minutes=90)

    assert Offering.objects.get(pk=offering.pk).duration_minutes == 90


def test_an_offering_with_schedules_cannot_be_deleted_through_the_service():
    schedule = ScheduleFactory()

    with pytest.raises(OfferingInUse):
        marketplace_services.offering_delete(offering=schedule.offering)

    assert Offering.objects.filter(pk=schedule.offering_id).count() == 1
