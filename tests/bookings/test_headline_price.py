"""The headline price ("from 450 kr" on the map and the trainer's page) is the lowest price
among the offerings with sessions to come: bookings tells marketplace on every schedule
write and daily; marketplace keeps the copy on the profile."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bookings import services
from bookings.tasks import refresh_upcoming_offerings
from marketplace import services as marketplace_services
from marketplace.models import Offering, TrainerProfile
from tests.factories import OfferingFactory, TrainerProfileFactory

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    """A trainer with a cheap offering nobody has scheduled and a dearer one."""
    profile = TrainerProfileFactory(min_price_amount=None)
    intro = marketplace_services.offering_create(
        profile=profile, title="Intro", duration_minutes=30, price_amount=20000
    )
    personal = marketplace_services.offering_create(
        profile=profile, title="Personal training", duration_minutes=60, price_amount=60000
    )
    return profile, intro, personal


def schedule(offering, *, rrule="FREQ=WEEKLY;BYDAY=MO", starts_on=date(2027, 1, 4), now=NOW):
    return services.schedule_create(
        trainer=offering.trainer,
        offering=offering,
        starts_on=starts_on,
        start_time=time(7, 0),
        rrule=rrule,
        now=now,
    ).schedule


def headline(profile) -> int | None:
    return TrainerProfile.objects.get(pk=profile.pk).min_price_amount


def upcoming(profile) -> set[str]:
    return set(
        Offering.objects.filter(trainer=profile, has_upcoming_sessions=True).values_list(
            "title", flat=True
        )
    )


def test_without_any_session_the_lowest_active_price_is_shown(trainer):
    profile, _intro, _personal = trainer

    assert headline(profile) == 20000
    assert upcoming(profile) == set()


def test_a_schedule_makes_its_offering_the_headline_although_another_is_cheaper(trainer):
    profile, _intro, personal = trainer

    schedule(personal)

    assert upcoming(profile) == {"Personal training"}
    assert headline(profile) == 60000


def test_scheduling_the_cheaper_offering_too_lowers_the_headline(trainer):
    profile, intro, personal = trainer
    schedule(personal)

    schedule(intro, rrule="FREQ=WEEKLY;BYDAY=TU")

    assert upcoming(profile) == {"Intro", "Personal training"}
    assert headline(profile) == 20000


def test_a_price_change_of_the_scheduled_offering_moves_the_headline(trainer):
    profile, _intro, personal = trainer
    schedule(personal)

    marketplace_services.offering_update(offering=personal, price_amount=55000)

    assert headline(profile) == 55000


def test_stopping_the_only_schedule_falls_back_to_the_lowest_active_price(trainer):
    profile, _intro, personal = trainer
    stopped = schedule(personal)

    services.schedule_deactivate(schedule=stopped)

    assert upcoming(profile) == set()
    assert headline(profile) == 20000


def test_deleting_the_schedule_does_the_same(trainer):
    profile, _intro, personal = trainer
    gone = schedule(personal)

    services.schedule_delete(schedule=gone)

    assert (upcoming(profile), headline(profile)) == (set(), 20000)


def test_cancelling_the_last_session_of_a_schedule_ends_its_offering_s_turn(trainer):
    profile, _intro, personal = trainer
    single = schedule(personal, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=1")
    assert headline(profile) == 60000

    services.schedule_cancel_occurrence(schedule=single, start_local=datetime(2027, 1, 4, 7, 0))

    assert (upcoming(profile), headline(profile)) == (set(), 20000)


def test_the_daily_refresh_notices_sessions_that_ran_out(trainer):
    profile, intro, personal = trainer
    schedule(personal, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2")  # 4 and 11 January 2027
    schedule(intro, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=1", starts_on=date(2027, 1, 5))
    assert headline(profile) == 20000

    # on 6 January the intro's only session has passed, personal training has one left
    checked = services.upcoming_offerings_refresh_all(now=datetime(2027, 1, 6, tzinfo=UTC))
    assert checked == 1
    assert (upcoming(profile), headline(profile)) == ({"Personal training"}, 60000)

    # after 11 January none is left: the lowest active price again
    services.upcoming_offerings_refresh_all(now=datetime(2027, 1, 12, tzinfo=UTC))
    assert (upcoming(profile), headline(profile)) == (set(), 20000)


def test_the_beat_task_runs_the_refresh_and_is_scheduled_daily(trainer, settings):
    profile, _intro, personal = trainer
    schedule(personal)
    Offering.objects.filter(pk=personal.pk).update(has_upcoming_sessions=False)  # stale copy

    assert refresh_upcoming_offerings.delay().get() == 1

    assert (upcoming(profile), headline(profile)) == ({"Personal training"}, 60000)
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-upcoming-offerings"]
    assert entry == {
        "task": "bookings.tasks.refresh_upcoming_offerings",
        "schedule": timedelta(days=1),
    }


def test_an_inactive_offering_never_sets_the_headline(trainer):
    profile, intro, personal = trainer
    schedule(intro)
    schedule(personal, rrule="FREQ=WEEKLY;BYDAY=TU")

    marketplace_services.offering_update(offering=intro, is_active=False)

    assert headline(profile) == 60000


def test_marketplace_records_what_bookings_reports_for_many_trainers_at_once():
    # given two trainers, each with two offerings, one of them scheduled according to bookings
    first, second = TrainerProfileFactory(), TrainerProfileFactory()
    a1 = OfferingFactory(trainer=first, price_amount=30000)
    a2 = OfferingFactory(trainer=first, price_amount=50000)
    b1 = OfferingFactory(trainer=second, price_amount=10000, has_upcoming_sessions=True)
    b2 = OfferingFactory(trainer=second, price_amount=70000)

    marketplace_services.trainers_set_upcoming_offerings(
        upcoming={first.pk: {a2.pk}, second.pk: {b2.pk}}
    )

    flags = dict(Offering.objects.values_list("pk", "has_upcoming_sessions"))
    assert flags == {a1.pk: False, a2.pk: True, b1.pk: False, b2.pk: True}
    assert (headline(first), headline(second)) == (50000, 70000)


def test_the_rule_itself_prefers_offerings_with_sessions_and_falls_back_to_all():
    rule = marketplace_services.offering_copies
    with_sessions = [(20000, "SEK", "Intro", False), (60000, "SEK", "PT", True)]
    without = [(20000, "SEK", "Intro", False), (60000, "SEK", "PT", False)]

    assert rule(with_sessions).min_price_amount == 60000
    assert rule(without).min_price_amount == 20000
    assert rule(with_sessions).offering_titles == "Intro\nPT"
