"""One time-zone rule for profiles and schedules (zoneinfo's listed names), and the profile
form's choices drawn from it: the current canonical zones, the trainer's own first."""

import importlib
from datetime import date, time

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from bookings import services as bookings_services
from bookings.errors import InvalidSchedule
from bookings.models import Schedule
from marketplace.models import TrainerProfile
from marketplace.trainer_forms import TrainerProfileForm
from marketplace.validators import (
    selectable_time_zone_names,
    time_zone_names,
    validate_time_zone,
)
from tests.factories import OfferingFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["Europe/Stockholm", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+1"]
)
def test_listed_names_are_valid(name):
    validate_time_zone(name)  # raises ValidationError for a name it refuses

    assert name in time_zone_names()


@pytest.mark.parametrize(
    "name", ["localtime", "Factory", "posix/Europe/Stockholm", "Europe/Stockholm ", None]
)
def test_other_names_are_refused(name):
    with pytest.raises(ValidationError) as caught:
        validate_time_zone(name)

    assert caught.value.messages == ["Unknown time zone."]


def test_profiles_and_schedules_share_the_one_validator():
    profile_field = TrainerProfile._meta.get_field("time_zone")
    schedule_field = Schedule._meta.get_field("time_zone")

    assert validate_time_zone in profile_field.validators
    assert validate_time_zone in schedule_field.validators


@pytest.mark.parametrize("name", ["localtime", "posix/Europe/Stockholm"])
def test_the_schedule_service_refuses_what_the_profile_refuses(name):
    offering = OfferingFactory()

    with pytest.raises(InvalidSchedule) as caught:
        bookings_services.schedule_create(
            trainer=offering.trainer,
            offering=offering,
            starts_on=date(2027, 1, 4),
            start_time=time(7, 0),
            rrule="FREQ=WEEKLY",
            time_zone=name,
        )

    assert caught.value.fields == {
        "time_zone": ["Use an IANA time zone name, e.g. Europe/Stockholm."]
    }
    assert Schedule.objects.count() == 0


def test_the_profile_form_offers_only_valid_place_names():
    choices = {value for value, _label in TrainerProfileForm().fields["time_zone"].choices}

    assert "Europe/Stockholm" in choices
    assert choices <= time_zone_names()
    assert not {"UTC", "Etc/GMT+1", "localtime"} & choices


@pytest.mark.parametrize(
    "alias", ["US/Alaska", "Europe/Kiev", "Asia/Calcutta", "America/Buenos_Aires", "GB", "Zulu"]
)
def test_the_choices_leave_out_aliases_which_stay_valid_when_stored(alias):
    choices = [value for value, _label in TrainerProfileForm().fields["time_zone"].choices]

    assert alias not in choices
    validate_time_zone(alias)


def test_the_choices_are_the_canonical_zones_of_the_tz_table():
    choices = [value for value, _label in TrainerProfileForm().fields["time_zone"].choices]

    assert sorted(choices) == list(selectable_time_zone_names())
    assert {"America/Anchorage", "Europe/Kyiv", "Asia/Kolkata", "Europe/Stockholm"} <= set(choices)
    assert len(choices) > 300


def test_the_trainers_own_zone_comes_first():
    profile = TrainerProfileFactory(time_zone="America/Anchorage")

    choices = TrainerProfileForm(profile=profile).fields["time_zone"].choices

    assert choices[0] == ("America/Anchorage", "America/Anchorage")
    assert choices[1:] == sorted(choices[1:])
    assert [value for value, _ in choices].count("America/Anchorage") == 1


def test_a_stored_alias_stays_selectable_for_its_trainer_only():
    profile = TrainerProfileFactory(time_zone="Europe/Kiev")

    own = [
        value for value, _label in TrainerProfileForm(profile=profile).fields["time_zone"].choices
    ]
    form = TrainerProfileForm(
        {"display_name": "Olena", "time_zone": "Europe/Kiev"}, profile=profile
    )

    assert own[0] == "Europe/Kiev"
    assert form.is_valid(), form.errors
    assert not TrainerProfileForm({"display_name": "X", "time_zone": "US/Alaska"}).is_valid()


def test_the_migration_resets_stored_names_that_are_not_listed():
    migration = importlib.import_module("marketplace.migrations.0006_trainer_time_zone_names")
    kept = TrainerProfileFactory(time_zone="America/New_York")
    unlisted = TrainerProfileFactory()
    TrainerProfile.objects.filter(pk=unlisted.pk).update(time_zone="posix/Europe/Helsinki")

    migration.reset_unlisted_time_zones(apps, schema_editor=None)

    assert TrainerProfile.objects.get(pk=kept.pk).time_zone == "America/New_York"
    assert TrainerProfile.objects.get(pk=unlisted.pk).time_zone == "Europe/Stockholm"
