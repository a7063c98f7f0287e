"""Changes never strand a booking: a schedule edit, stop or cancelled session, an archived
offering or a closed account with booked sessions in the way is refused, listing them,
unless the caller confirms cancelling them (trainer cancellations, full refund)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db.models import ProtectedError

from bookings import services
from bookings.errors import BookingsAffected
from bookings.models import Booking, Schedule
from marketplace import services as marketplace_services
from marketplace.models import Offering, TrainerProfile, User
from tests.bookings.conftest import (
    MONDAY,
    NEXT_MONDAY,
    NOW,
    SV,
    book,
    confirm,
    first_start,
    future_schedule,
)
from tests.factories import ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(schedule, trainee):
    return confirm(book(trainee, schedule))


def assert_untouched(booking):
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def assert_cancelled_by_trainer(booking, actor):
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.refund_percent) == (
        "cancelled",
        "trainer",
        100,
    )
    assert booking.refund_amount == booking.price_amount
    assert booking.events.latest("id").actor == actor


# --- schedules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"start_time": time(8, 0)},
        {"rrule": "FREQ=WEEKLY;BYDAY=TU"},
        {"duration_minutes": 90},
        {"exdates": ["2027-01-04T07:00:00"]},
        {"starts_on": date(2027, 1, 11)},
        {"is_active": False},
    ],
)
def test_a_schedule_change_that_moves_a_booked_session_is_refused(schedule, booked, change):
    with pytest.raises(BookingsAffected) as refused:
        services.schedule_update(schedule=schedule, now=NOW, **change)

    assert (refused.value.code, refused.value.status) == ("BOOKINGS_AFFECTED", 409)
    assert refused.value.bookings == [booked]
    assert refused.value.fields == {"bookings": ["Mon 4 Jan 2027 07:00–08:00: Maja"]}
    assert_untouched(booked)
    stored = Schedule.objects.get(pk=schedule.pk)
    assert (stored.start_time, stored.rrule, stored.is_active) == (
        time(7, 0),
        "FREQ=WEEKLY;BYDAY=MO",
        True,
    )


def test_confirming_cancels_the_booked_sessions_with_the_change(schedule, booked):
    trainer = schedule.trainer.user

    services.schedule_update(
        schedule=schedule, now=NOW, cancel_bookings=True, actor=trainer, start_time=time(8, 0)
    )

    assert_cancelled_by_trainer(booked, trainer)
    assert Schedule.objects.get(pk=schedule.pk).start_time == time(8, 0)


def test_a_change_that_keeps_booked_sessions_goes_through(schedule, booked):
    services.schedule_update(schedule=schedule, now=NOW, rrule="FREQ=WEEKLY;BYDAY=MO,WE")
    services.schedule_update(schedule=schedule, now=NOW, exdates=["2027-01-11T07:00:00"])

    assert_untouched(booked)


def test_past_sessions_and_cancelled_bookings_are_not_in_the_way(schedule, trainee):
    cancelled = book(trainee, schedule, start=NEXT_MONDAY)
    services_cancel(cancelled)
    past = confirm(book(UserFactory(), schedule))

    services.schedule_update(
        schedule=schedule, now=MONDAY + timedelta(minutes=1), start_time=time(9, 0)
    )

    past.refresh_from_db()
    assert past.status == "confirmed"


def services_cancel(booking):
    from bookings import booking_services

    booking_services.booking_cancel(booking_id=booking.pk, by="trainee", actor=None, now=NOW)


def test_stopping_a_schedule_with_bookings(schedule, booked):
    with pytest.raises(BookingsAffected):
        services.schedule_deactivate(schedule=schedule, now=NOW)
    assert Schedule.objects.get(pk=schedule.pk).is_active is True

    services.schedule_deactivate(schedule=schedule, now=NOW, cancel_bookings=True)

    assert Schedule.objects.get(pk=schedule.pk).is_active is False
    assert_cancelled_by_trainer(booked, None)


def test_cancelling_a_booked_session_in_the_calendar(schedule, booked):
    other = confirm(book(UserFactory(), schedule, start=NEXT_MONDAY))
    start_local = datetime(2027, 1, 4, 7, 0)

    with pytest.raises(BookingsAffected) as refused:
        services.schedule_cancel_occurrence(schedule=schedule, start_local=start_local, now=NOW)
    assert refused.value.bookings == [booked]
    assert Schedule.objects.get(pk=schedule.pk).exdates == []

    services.schedule_cancel_occurrence(
        schedule=schedule, start_local=start_local, now=NOW, cancel_bookings=True
    )

    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-04T07:00:00"]
    assert_cancelled_by_trainer(booked, None)
    assert_untouched(other)


# --- offerings --------------------------------------------------------------------------------


def test_archiving_an_offering_with_bookings(schedule, booked, monkeypatch):
    monkeypatch.setattr("bookings.queries.timezone.now", lambda: NOW)
    offering = schedule.offering

    with pytest.raises(BookingsAffected):
        marketplace_services.offering_update(offering=offering, is_active=False)
    assert Offering.objects.get(pk=offering.pk).is_active is True

    services.offering_deactivate(offering=offering, cancel_bookings=True, now=NOW)

    assert Offering.objects.get(pk=offering.pk).is_active is False
    assert_cancelled_by_trainer(booked, None)


def test_a_new_duration_for_booked_sessions_is_refused_a_new_price_is_not(
    schedule, booked, monkeypatch
):
    monkeypatch.setattr("bookings.queries.timezone.now", lambda: NOW)
    offering = Offering.objects.get(pk=schedule.offering_id)

    with pytest.raises(BookingsAffected):
        marketplace_services.offering_update(offering=offering, duration_minutes=90)
    marketplace_services.offering_update(
        offering=Offering.objects.get(pk=offering.pk), price_amount=50000
    )

    booked.refresh_from_db()
    assert (booked.price_amount, booked.end - booked.start) == (45000, timedelta(hours=1))


# --- accounts ---------------------------------------------------------------------------------


def test_bookings_are_never_deleted_by_a_cascade(schedule, booked):
    with pytest.raises(ProtectedError):
        schedule.trainer.user.delete()
    with pytest.raises(ProtectedError):
        booked.trainee.delete()

    assert Booking.objects.count() == 1


def test_closing_a_trainers_account_with_upcoming_bookings(schedule, monkeypatch):
    schedule = future_schedule()
    booking = confirm(book(UserFactory(), schedule, start=first_start(schedule), now=None))
    user = schedule.trainer.user

    with pytest.raises(BookingsAffected):
        marketplace_services.user_delete(user=user)
    assert User.objects.get(pk=user.pk).is_active is True

    result = marketplace_services.user_delete(user=user, cancel_bookings=True)

    assert result == "anonymised"
    assert_cancelled_by_trainer(booking, None)
    user.refresh_from_db()
    assert (user.is_active, user.name, user.has_usable_password()) == (False, "", False)
    assert user.email.endswith("@deleted.traino.invalid")
    profile = TrainerProfile.objects.get(user=user)
    assert (profile.is_published, profile.display_name, profile.latitude) == (
        False,
        "Former trainer",
        None,
    )
    assert not Schedule.objects.filter(trainer=profile, is_active=True).exists()
    assert not Offering.objects.filter(trainer=profile, is_active=True).exists()


def test_closing_a_trainees_account_cancels_by_the_policy_and_anonymises():
    schedule = future_schedule()
    trainee = UserFactory(name="Maja Svensson")
    booking = confirm(book(trainee, schedule, start=first_start(schedule), now=None))

    result = marketplace_services.user_delete(user=trainee, cancel_bookings=True)

    booking.refresh_from_db()
    assert (result, booking.status, booking.cancelled_by) == ("anonymised", "cancelled", "trainee")
    assert Booking.objects.get().trainee_id == trainee.pk


def test_an_account_without_bookings_is_deleted():
    schedule = ScheduleFactory()
    user = schedule.trainer.user

    assert marketplace_services.user_delete(user=user) == "deleted"

    assert not User.objects.filter(pk=user.pk).exists()
    assert not Schedule.objects.exists()


# --- through the API and the pages ----------------------------------------------------------------


@pytest.fixture
def api_booked(db):
    schedule = future_schedule()
    start = first_start(schedule)
    return schedule, start, confirm(book(UserFactory(name="Maja"), schedule, start=start, now=None))


def test_the_schedule_api_refuses_then_cancels_with_cancel_bookings(api_client, api_booked):
    schedule, _start, booking = api_booked
    api_client.force_login(schedule.trainer.user)
    url = f"/api/schedules/{schedule.pk}"

    refused = api_client.patch(url, {"start_time": "09:00"}, format="json")
    swedish = api_client.patch(url, {"start_time": "09:00"}, format="json", **SV)
    done = api_client.patch(url, {"start_time": "09:00", "cancel_bookings": True}, format="json")

    body = refused.json()["error"]
    assert (refused.status_code, body["code"]) == (409, "BOOKINGS_AFFECTED")
    assert body["message"] == (
        "This change would cancel 1 booked session. Confirm to cancel it: the trainee gets "
        "a full refund."
    )
    assert len(body["fields"]["bookings"]) == 1
    assert swedish.json()["error"]["message"].startswith("Ändringen skulle avboka 1 bokat pass.")
    assert done.status_code == 200
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "trainer")


def test_the_api_stops_a_schedule_and_cancels_an_occurrence_only_when_told(api_client, api_booked):
    schedule, start, booking = api_booked
    api_client.force_login(schedule.trainer.user)
    local = start.astimezone(schedule.zone).replace(tzinfo=None).isoformat()
    cancel_url = f"/api/schedules/{schedule.pk}/cancel-occurrence"

    assert api_client.delete(f"/api/schedules/{schedule.pk}").status_code == 409
    assert api_client.post(cancel_url, {"start_local": local}, format="json").status_code == 409
    done = api_client.post(
        cancel_url, {"start_local": local, "cancel_bookings": True}, format="json"
    )
    stopped = api_client.delete(f"/api/schedules/{schedule.pk}?cancel_bookings=true")

    assert (done.status_code, stopped.status_code) == (200, 204)
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_the_schedule_form_shows_the_booked_sessions_in_the_way(client, api_booked):
    schedule, _start, _booking = api_booked
    client.force_login(schedule.trainer.user)
    form = {
        "offering": schedule.offering_id,
        "starts_on": schedule.starts_on.isoformat(),
        "start_time": "09:00",
        "duration_minutes": "",
        "repeat": "weekly",
        "interval": "2",
        "weekdays": [schedule.rrule.split("=")[-1]],
        "end": "never",
        "until_date": "",
        "count": "",
    }

    response = client.post(f"/trainer/schedules/{schedule.pk}/edit/", form)

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors, response.context["form"].errors
    assert errors[0].startswith("This change would cancel 1 booked session.")
    assert [row["who"] for row in response.context["affected"]] == ["Maja"]
    assert Schedule.objects.get(pk=schedule.pk).start_time == time(7, 0)


def test_the_calendar_cancel_shows_the_refusal(client, api_booked):
    schedule, start, _booking = api_booked
    client.force_login(schedule.trainer.user)
    local = start.astimezone(schedule.zone).replace(tzinfo=None).isoformat()

    response = client.post(
        f"/trainer/schedules/{schedule.pk}/cancel-occurrence/", {"start_local": local}
    )

    assert response.status_code == 200
    assert response.context["message"] == (
        "This change would cancel 1 booked session. Confirm to cancel it: the trainee gets a "
        "full refund."
    )
    assert [row["who"] for row in response.context["rows"]] == ["Maja"]
    assert Schedule.objects.get(pk=schedule.pk).exdates == []


def test_staff_close_accounts_from_the_admin(client, api_booked):
    schedule, _start, booking = api_booked
    staff = UserFactory(role="staff", is_superuser=True)
    client.force_login(staff)
    past_only = UserFactory(name="Old Customer")
    old = confirm(book(past_only, ScheduleFactory()))
    Booking.objects.filter(pk=old.pk).update(status="completed")
    nobody = UserFactory()

    response = client.post(
        "/admin/marketplace/user/",
        {
            "action": "close_accounts",
            "_selected_action": [schedule.trainer.user_id, past_only.pk, nobody.pk],
        },
        follow=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    assert any("This change would cancel 1 booked session" in line for line in shown)
    assert User.objects.get(pk=schedule.trainer.user_id).is_active is True
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert User.objects.get(pk=past_only.pk).name == ""
    assert not User.objects.filter(pk=nobody.pk).exists()
