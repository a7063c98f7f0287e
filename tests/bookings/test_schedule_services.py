"""Schedule services: validation, overlap across the trainer's schedules, EXDATEs, cache bumps."""

import itertools
from datetime import UTC, date, datetime, time

import pytest
from django.utils import translation

from bookings import services
from bookings.cache import availability_version
from bookings.errors import InvalidRRule, InvalidSchedule, NotAnOccurrence, ScheduleOverlap
from bookings.models import Schedule
from tests.factories import OfferingFactory, ScheduleFactory, TrainerProfileFactory

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def create(offering, **kw):
    values = {
        "trainer": offering.trainer,
        "offering": offering,
        "starts_on": date(2027, 1, 4),
        "start_time": time(7, 0),
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "now": NOW,
    }
    values.update(kw)
    return services.schedule_create(**values)


def test_create_stores_the_normalized_rule_and_the_trainers_zone():
    offering = OfferingFactory(trainer__time_zone="Europe/Stockholm")

    result = create(offering, rrule="freq=weekly;byday=mo;count=10")

    schedule = Schedule.objects.get()
    assert result.schedule == schedule
    assert (schedule.rrule, schedule.time_zone, schedule.exdates) == (
        "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
        "Europe/Stockholm",
        [],
    )
    assert result.horizon_cut is False


def test_endless_rule_is_cut_at_the_horizon(settings):
    settings.SCHEDULE_HORIZON_DAYS = 90
    offering = OfferingFactory()

    result = create(offering)

    assert result.horizon_cut is True
    assert result.horizon_end == datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_invalid_rule_creates_nothing():
    with pytest.raises(InvalidRRule):
        create(OfferingFactory(), rrule="FREQ=HOURLY")

    assert Schedule.objects.count() == 0


def test_rule_without_any_session_is_refused():
    with pytest.raises(InvalidRRule) as caught:
        create(OfferingFactory(), rrule="FREQ=WEEKLY;UNTIL=20270101")

    assert caught.value.message == "This rule gives no sessions on or after the first date."


def test_offering_of_another_trainer_is_refused():
    mine = OfferingFactory()
    theirs = OfferingFactory()

    with pytest.raises(InvalidSchedule) as caught:
        services.schedule_create(
            trainer=mine.trainer,
            offering=theirs,
            starts_on=date(2027, 1, 4),
            start_time=time(7, 0),
            rrule="FREQ=WEEKLY",
            now=NOW,
        )

    assert caught.value.fields == {"offering": ["Choose one of your own offerings."]}


def test_unknown_time_zone_is_refused():
    with pytest.raises(InvalidSchedule) as caught:
        create(OfferingFactory(), time_zone="Mars/Olympus")

    assert caught.value.fields == {
        "time_zone": ["Use an IANA time zone name, e.g. Europe/Stockholm."]
    }


def test_overlap_with_another_schedule_names_the_first_clash_in_local_time():
    trainer = TrainerProfileFactory()
    ScheduleFactory(
        offering=OfferingFactory(trainer=trainer, title="Yoga"),
        starts_on=date(2027, 1, 6),
        rrule="FREQ=WEEKLY;BYDAY=WE",
        start_time=time(7, 30),
    )
    offering = OfferingFactory(trainer=trainer, duration_minutes=60)

    with pytest.raises(ScheduleOverlap) as caught:
        # Mondays are free, but from the 2nd week it also runs on Wednesdays at 07:00-08:00.
        create(offering, rrule="FREQ=WEEKLY;BYDAY=MO,WE", starts_on=date(2027, 1, 11))

    assert caught.value.code == "SCHEDULE_OVERLAP"
    assert caught.value.status == 409
    assert str(caught.value.message) == (
        "This schedule overlaps Yoga on Wed 13 Jan 2027 07:30–08:30. Choose another time or day."
    )
    assert caught.value.clash.start == datetime(2027, 1, 13, 6, 30, tzinfo=UTC)
    assert Schedule.objects.count() == 1


def test_overlap_message_in_swedish():
    trainer = TrainerProfileFactory()
    ScheduleFactory(offering=OfferingFactory(trainer=trainer, title="Yoga"))

    with translation.override("sv"), pytest.raises(ScheduleOverlap) as caught:
        create(OfferingFactory(trainer=trainer))

    # Day and month names come from Django's own Swedish translation.
    assert "mån 4 jan 2027 07:00–08:00" in str(caught.value.message)


def test_touching_end_to_start_is_not_an_overlap():
    trainer = TrainerProfileFactory()
    ScheduleFactory(offering=OfferingFactory(trainer=trainer, duration_minutes=60))

    after = create(OfferingFactory(trainer=trainer), start_time=time(8, 0))
    before = create(OfferingFactory(trainer=trainer, duration_minutes=30), start_time=time(6, 30))

    assert Schedule.objects.filter(trainer=trainer).count() == 3
    assert (after.schedule.start_time, before.schedule.start_time) == (time(8, 0), time(6, 30))


def test_other_trainers_and_inactive_schedules_do_not_count():
    ScheduleFactory()  # someone else's Monday 07:00
    trainer = TrainerProfileFactory()
    ScheduleFactory(offering=OfferingFactory(trainer=trainer), is_active=False)

    result = create(OfferingFactory(trainer=trainer))

    assert result.schedule.pk is not None


def test_overlap_only_counts_within_the_horizon(settings):
    settings.SCHEDULE_HORIZON_DAYS = 30
    trainer = TrainerProfileFactory()
    ScheduleFactory(offering=OfferingFactory(trainer=trainer), starts_on=date(2027, 3, 1))

    # Mondays from 28 Dec 2026: they meet the other's Mondays from 1 Mar, past the horizon.
    result = create(OfferingFactory(trainer=trainer), starts_on=date(2026, 12, 28))

    assert result.schedule.pk is not None


def test_update_is_checked_against_the_other_schedules_not_itself():
    trainer = TrainerProfileFactory()
    ScheduleFactory(offering=OfferingFactory(trainer=trainer), start_time=time(9, 0))
    schedule = create(OfferingFactory(trainer=trainer)).schedule

    moved = services.schedule_update(schedule=schedule, start_time=time(7, 30), now=NOW)
    assert moved.schedule.start_time == time(7, 30)

    with pytest.raises(ScheduleOverlap):
        services.schedule_update(schedule=schedule, start_time=time(8, 30), now=NOW)
    assert schedule.start_time == time(7, 30)  # the instance too, not only the row
    schedule.refresh_from_db()
    assert schedule.start_time == time(7, 30)


def test_update_refuses_unknown_fields():
    schedule = ScheduleFactory()

    with pytest.raises(TypeError):
        services.schedule_update(schedule=schedule, trainer_id=5)


def test_cancel_occurrence_adds_an_exdate_once():
    schedule = ScheduleFactory()

    services.schedule_cancel_occurrence(schedule=schedule, start_local=datetime(2027, 1, 11, 7))
    services.schedule_cancel_occurrence(schedule=schedule, start_local=datetime(2027, 1, 11, 7))

    schedule.refresh_from_db()
    assert schedule.exdates == ["2027-01-11T07:00:00"]


def test_cancel_occurrence_reads_an_aware_time_in_the_schedules_zone():
    schedule = ScheduleFactory()

    services.schedule_cancel_occurrence(
        schedule=schedule, start_local=datetime(2027, 1, 18, 6, 0, tzinfo=UTC)
    )

    schedule.refresh_from_db()
    assert schedule.exdates == ["2027-01-18T07:00:00"]


def test_cancel_occurrence_refuses_a_time_that_is_not_one():
    schedule = ScheduleFactory()

    with pytest.raises(NotAnOccurrence) as caught:
        services.schedule_cancel_occurrence(schedule=schedule, start_local=datetime(2027, 1, 12, 7))

    assert caught.value.code == "NOT_AN_OCCURRENCE"
    assert caught.value.message == "The schedule has no session at Tue 12 Jan 2027 07:00."
    schedule.refresh_from_db()
    assert schedule.exdates == []


def test_every_write_bumps_the_availability_version_after_commit(
    django_capture_on_commit_callbacks,
):
    offering = OfferingFactory()
    trainer_id = offering.trainer_id
    versions = [availability_version(trainer_id)]

    with django_capture_on_commit_callbacks(execute=True):
        schedule = create(offering).schedule
    versions.append(availability_version(trainer_id))
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_update(schedule=schedule, start_time=time(9, 0), now=NOW)
    versions.append(availability_version(trainer_id))
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_cancel_occurrence(schedule=schedule, start_local=datetime(2027, 1, 4, 9))
    versions.append(availability_version(trainer_id))
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_deactivate(schedule=schedule)
    versions.append(availability_version(trainer_id))

    assert all(b == a + 1 for a, b in itertools.pairwise(versions))


def test_no_bump_before_commit(django_capture_on_commit_callbacks):
    offering = OfferingFactory()
    before = availability_version(offering.trainer_id)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(offering)

    assert availability_version(offering.trainer_id) == before
    assert len(callbacks) == 1


def test_calendar_feed_regenerate_changes_the_token():
    trainer = TrainerProfileFactory()
    first = services.calendar_feed_get_or_create(trainer=trainer).token

    feed = services.calendar_feed_regenerate(trainer=trainer)

    assert feed.token != first
    assert len(feed.token) == 32
    assert services.calendar_feed_get_or_create(trainer=trainer).token == feed.token
