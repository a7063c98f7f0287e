"""Deleting a trainer takes their schedules along; an offering in use cannot go alone."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import RestrictedError

from bookings.models import Schedule
from marketplace.models import Offering, TrainerProfile
from tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_trainer_with_schedules_deletes_them():
    schedule = ScheduleFactory()
    user = schedule.trainer.user

    user.delete()

    assert get_user_model().objects.filter(pk=user.pk).count() == 0
    assert TrainerProfile.objects.count() == 0
    assert Offering.objects.count() == 0
    assert Schedule.objects.count() == 0


def test_an_offering_used_by_a_schedule_cannot_be_deleted_alone():
    schedule = ScheduleFactory()

    with pytest.raises(RestrictedError):
        schedule.offering.delete()

    assert Offering.objects.filter(pk=schedule.offering_id).count() == 1
    assert Schedule.objects.filter(pk=schedule.pk).count() == 1
