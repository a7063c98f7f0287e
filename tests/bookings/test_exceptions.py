"""Exceptions are visible and reversible: a cancelled session stays on the trainer's calendar
(struck through) and can be restored; the schedule form edits the dates off; a stopped
schedule starts again (with the overlap check); the slot page says the trainer cancelled it;
offerings are archived, made bookable again, or deleted when nothing uses them. Every change
with bookings in the way shows them first and cancels them only when confirmed."""

from datetime import UTC, datetime, time

import pytest

from bookings import services
from bookings.errors import NotAnOccurrence, OccurrenceInPast, ScheduleOverlap
from bookings.models import Schedule
from marketplace.models import Offering
from tests.bookings.conftest import EN, NOW, SV, book, confirm
from tests.factories import OfferingFactory, ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

CALENDAR = "/api/trainer/calendar?start=2027-01-04T00:00:00&end=2027-01-19T00:00:00"


@pytest.fixture
def schedule(db):
    return ScheduleFactory(
        offering__title="Yoga", offering__capacity=4, exdates=["2027-01-11T07:00:00"]
    )


@pytest.fixture
def owner(client, schedule):
    client.force_login(schedule.trainer.user)
    return client


# --- the calendar ---------------------------------------------------------------------------


def test_the_calendar_shows_a_cancelled_session_and_who_booked_the_others(owner, schedule):
    confirm(book(UserFactory(name="Maja Svensson"), schedule))
    book(UserFactory(name="Erik Berg"), schedule, now=None)  # a live hold counts too

    events = owner.get(CALENDAR).json()

    by_start = {event["extendedProps"]["start_local"]: event for event in events}
    assert list(by_start) == ["2027-01-04T07:00:00", "2027-01-11T07:00:00", "2027-01-18T07:00:00"]
    first = by_start["2027-01-04T07:00:00"]["extendedProps"]
    assert (first["booked"], first["attendees"], first["seats_left"], first["cancelled"]) == (
        2,
        ["Maja", "Erik"],
        2,
        False,
    )
    cancelled = by_start["2027-01-11T07:00:00"]
    assert cancelled["title"] == "Yoga"
    assert cancelled["extendedProps"]["cancelled"] is True
    assert cancelled["extendedProps"]["booked"] == 0
    assert by_start["2027-01-18T07:00:00"]["extendedProps"]["booked"] == 0


def test_an_exdate_the_rule_no_longer_produces_is_not_shown(owner, schedule):
    Schedule.objects.filter(pk=schedule.pk).update(exdates=["2027-01-12T07:00:00"])

    events = owner.get(CALENDAR).json()

    assert [e["extendedProps"]["cancelled"] for e in events] == [False, False, False]


def test_the_calendar_page_configures_the_restore_address(owner, schedule):
    response = owner.get("/trainer/calendar/")

    config = response.context["calendar_config"]
    assert config["restoreUrl"] == "/trainer/schedules/{id}/restore-occurrence/"
    assert 'id="restore-form"' in response.text


# --- restoring a cancelled session -----------------------------------------------------------


def test_restoring_a_cancelled_session_makes_it_bookable_again(schedule):
    services.schedule_restore_occurrence(
        schedule=schedule, start_local=datetime(2027, 1, 11, 7, 0), now=NOW
    )

    assert Schedule.objects.get(pk=schedule.pk).exdates == []
    schedule.refresh_from_db()
    assert book(UserFactory(), schedule, start=datetime(2027, 1, 11, 6, 0, tzinfo=UTC)).pk


def test_restoring_twice_and_restoring_a_session_not_cancelled_change_nothing(schedule):
    for _ in range(2):
        services.schedule_restore_occurrence(
            schedule=schedule, start_local=datetime(2027, 1, 11, 7, 0), now=NOW
        )
    services.schedule_restore_occurrence(
        schedule=schedule, start_local=datetime(2027, 1, 18, 7, 0), now=NOW
    )

    assert Schedule.objects.get(pk=schedule.pk).exdates == []


def test_restoring_what_is_not_a_session_or_has_started_is_refused(schedule):
    with pytest.raises(NotAnOccurrence):
        services.schedule_restore_occurrence(
            schedule=schedule, start_local=datetime(2027, 1, 12, 7, 0), now=NOW
        )
    with pytest.raises(OccurrenceInPast) as started:
        services.schedule_restore_occurrence(
            schedule=schedule,
            start_local=datetime(2027, 1, 11, 7, 0),
            now=datetime(2027, 1, 11, 6, 30, tzinfo=UTC),
        )

    assert started.value.code == "OCCURRENCE_IN_PAST"
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-11T07:00:00"]


def test_restoring_a_session_that_now_overlaps_another_schedule_is_refused(schedule):
    ScheduleFactory(
        offering=OfferingFactory(trainer=schedule.trainer, title="Spinning"),
        starts_on=datetime(2027, 1, 11).date(),
        start_time=time(7, 30),
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=1",
    )

    with pytest.raises(ScheduleOverlap) as refused:
        services.schedule_restore_occurrence(
            schedule=schedule, start_local=datetime(2027, 1, 11, 7, 0), now=NOW
        )

    assert refused.value.code == "SCHEDULE_OVERLAP"
    assert "Spinning" in str(refused.value.message)
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-11T07:00:00"]


def test_the_restore_page_restores_and_says_so_in_swedish(owner, schedule):
    response = owner.post(
        f"/trainer/schedules/{schedule.pk}/restore-occurrence/",
        {"start_local": "2027-01-11T07:00:00"},
        follow=True,
        **SV,
    )

    assert response.redirect_chain[-1][0] == "/trainer/calendar/?date=2027-01-11"
    assert Schedule.objects.get(pk=schedule.pk).exdates == []
    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["Yoga mån 11 jan 2027 07:00 är tillbaka: kunder kan boka det igen."]


def test_only_the_owner_restores(client, schedule):
    client.force_login(UserFactory(role="trainer"))

    response = client.post(
        f"/trainer/schedules/{schedule.pk}/restore-occurrence/",
        {"start_local": "2027-01-11T07:00:00"},
    )

    assert response.status_code == 403
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-11T07:00:00"]


# --- stopping and starting again --------------------------------------------------------------


def test_a_stopped_schedule_starts_again(owner, schedule):
    Schedule.objects.filter(pk=schedule.pk).update(is_active=False)

    response = owner.post(f"/trainer/schedules/{schedule.pk}/restart/", follow=True)

    assert Schedule.objects.get(pk=schedule.pk).is_active is True
    shown = [str(message) for message in response.context["messages"]]
    assert shown[0] == "Yoga is back in your calendar: trainees can book it again."


def test_starting_again_over_another_schedule_is_refused_with_its_code(owner, schedule):
    Schedule.objects.filter(pk=schedule.pk).update(is_active=False)
    ScheduleFactory(
        offering=OfferingFactory(trainer=schedule.trainer, title="Spinning"),
        start_time=time(7, 30),
    )
    schedule.refresh_from_db()

    with pytest.raises(ScheduleOverlap):
        services.schedule_restart(schedule=schedule, now=NOW)
    response = owner.post(f"/trainer/schedules/{schedule.pk}/restart/", follow=True)

    assert Schedule.objects.get(pk=schedule.pk).is_active is False
    shown = [str(message) for message in response.context["messages"]]
    assert shown[0].startswith("This schedule overlaps Spinning on Mon 4 Jan 2027 07:30–08:30.")


def test_the_calendar_offers_start_again_only_on_stopped_schedules(owner, schedule):
    stopped = ScheduleFactory(
        offering=OfferingFactory(trainer=schedule.trainer), start_time=time(12, 0), is_active=False
    )

    response = owner.get("/trainer/calendar/")

    assert response.text.count('data-testid="restart-schedule"') == 1
    assert f"/trainer/schedules/{stopped.pk}/restart/" in response.text


# --- the schedule form's dates off ------------------------------------------------------------


def form_data(schedule, **changes):
    data = {
        "offering": schedule.offering_id,
        "starts_on": "2027-01-04",
        "start_time": "07:00",
        "duration_minutes": "",
        "repeat": "weekly",
        "interval": "2",
        "weekdays": ["MO"],
        "end": "never",
        "until_date": "",
        "count": "",
        "exdates_shown": "1",
        "exdates": list(schedule.exdates),
        "cancel_date": "",
    }
    data.update(changes)
    return data


def test_the_form_lists_the_dates_off_ticked(owner, schedule):
    response = owner.get(f"/trainer/schedules/{schedule.pk}/edit/")

    form = response.context["form"]
    assert form["exdates"].initial == ["2027-01-11T07:00:00"]
    assert [str(label) for _value, label in form.fields["exdates"].choices] == [
        "Mon 11 Jan 2027 07:00"
    ]
    assert 'value="2027-01-11T07:00:00"' in response.text


def test_unticking_a_date_off_restores_it_and_a_new_date_is_cancelled(owner, schedule):
    response = owner.post(
        f"/trainer/schedules/{schedule.pk}/edit/",
        form_data(schedule, exdates=[], cancel_date="2027-01-25"),
    )

    assert response.status_code == 302, response.context["form"].errors
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-25T07:00:00"]


def test_a_date_without_a_session_is_refused_on_its_field(owner, schedule):
    response = owner.post(
        f"/trainer/schedules/{schedule.pk}/edit/", form_data(schedule, cancel_date="2027-01-26")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["cancel_date"] == [
        "There is no session on 26 Jan 2027 to cancel."
    ]
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-11T07:00:00"]


def test_a_post_that_did_not_show_the_dates_off_keeps_them(owner, schedule):
    data = form_data(schedule, start_time="07:15")
    del data["exdates_shown"], data["exdates"]

    response = owner.post(f"/trainer/schedules/{schedule.pk}/edit/", data)

    assert response.status_code == 302
    # The cancelled session moved with the rule: 07:00 is no longer a start, so it is
    # kept as it was (and shows nowhere); the form would have listed it.
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-11T07:00:00"]


def test_cancelling_a_booked_date_on_the_form_shows_the_booking_then_cancels_it(owner, schedule):
    booking = confirm(book(UserFactory(name="Maja Svensson"), schedule))
    data = form_data(schedule, cancel_date="2027-01-04")

    shown = owner.post(f"/trainer/schedules/{schedule.pk}/edit/", data)
    done = owner.post(f"/trainer/schedules/{schedule.pk}/edit/", {**data, "cancel_bookings": "1"})

    assert shown.status_code == 200
    assert [row["who"] for row in shown.context["affected"]] == ["Maja"]
    assert 'data-testid="confirm-cancel-bookings-button"' in shown.text
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.refund_percent) == (
        "cancelled",
        "trainer",
        100,
    )
    assert Schedule.objects.get(pk=schedule.pk).exdates == [
        "2027-01-04T07:00:00",
        "2027-01-11T07:00:00",
    ]


# --- confirm steps: stop, cancel a date -------------------------------------------------------


def test_stopping_a_booked_schedule_shows_the_bookings_and_changes_nothing_until_confirmed(
    owner, schedule
):
    booking = confirm(book(UserFactory(name="Maja Svensson"), schedule))
    url = f"/trainer/schedules/{schedule.pk}/deactivate/"

    shown = owner.post(url)
    swedish = owner.post(url, **SV)

    assert shown.status_code == 200
    assert shown.context["heading"] == "Stop Yoga?"
    assert [(row["who"], row["when"]) for row in shown.context["rows"]] == [
        ("Maja", "Mon 4 Jan 2027 07:00–08:00")
    ]
    assert 'name="cancel_bookings" value="1"' in shown.text
    assert swedish.context["message"].startswith("Ändringen skulle avboka 1 bokat pass.")
    assert Schedule.objects.get(pk=schedule.pk).is_active is True
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    done = owner.post(url, {"cancel_bookings": "1"})

    assert done.status_code == 302
    assert Schedule.objects.get(pk=schedule.pk).is_active is False
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "trainer")


def test_cancelling_a_booked_date_goes_through_the_confirm_step(owner, schedule):
    booking = confirm(book(UserFactory(name="Maja Svensson"), schedule))
    url = f"/trainer/schedules/{schedule.pk}/cancel-occurrence/"

    shown = owner.post(url, {"start_local": "2027-01-04T07:00:00"})

    assert shown.context["hidden"] == {"start_local": "2027-01-04T07:00:00"}
    assert 'name="start_local" value="2027-01-04T07:00:00"' in shown.text
    assert Schedule.objects.get(pk=schedule.pk).exdates == ["2027-01-11T07:00:00"]

    owner.post(url, {"start_local": "2027-01-04T07:00:00", "cancel_bookings": "1"})

    assert Schedule.objects.get(pk=schedule.pk).exdates == [
        "2027-01-04T07:00:00",
        "2027-01-11T07:00:00",
    ]
    booking.refresh_from_db()
    assert booking.status == "cancelled"


# --- the slot page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "text"),
    [(EN, "The trainer cancelled this session."), (SV, "Tränaren har ställt in det här passet.")],
)
def test_a_cancelled_slots_page_says_the_trainer_cancelled_it(client, schedule, headers, text):
    response = client.get(f"/book/{schedule.pk}/20270111T060000Z/", **headers)

    assert response.status_code == 404
    assert response.context["problem"] == text


def test_a_stopped_schedules_slot_page_says_it_is_no_longer_offered(client, schedule):
    Schedule.objects.filter(pk=schedule.pk).update(is_active=False)

    response = client.get(f"/book/{schedule.pk}/20270104T060000Z/")

    assert response.context["problem"] == "The trainer no longer offers this session."


def test_a_time_that_never_was_a_session_is_still_not_in_the_schedule(client, schedule):
    response = client.get(f"/book/{schedule.pk}/20270105T060000Z/")

    assert response.context["problem"] == "This time is not in the trainer's schedule."


# --- offerings: archive, make bookable, delete ------------------------------------------------


def test_archiving_an_offering_without_bookings(owner, schedule):
    response = owner.post(f"/trainer/offerings/{schedule.offering_id}/archive/", follow=True)

    assert Offering.objects.get(pk=schedule.offering_id).is_active is False
    shown = [str(message) for message in response.context["messages"]]
    assert shown[0] == "Yoga is archived: trainees can no longer book it."


def test_archiving_a_booked_offering_shows_the_bookings_then_cancels_them(owner, schedule):
    booking = confirm(book(UserFactory(name="Maja Svensson"), schedule))
    url = f"/trainer/offerings/{schedule.offering_id}/archive/"

    shown = owner.post(url)

    assert shown.context["heading"] == "Archive Yoga?"
    assert [row["who"] for row in shown.context["rows"]] == ["Maja"]
    assert Offering.objects.get(pk=schedule.offering_id).is_active is True

    owner.post(url, {"cancel_bookings": "1"})

    assert Offering.objects.get(pk=schedule.offering_id).is_active is False
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "trainer")


def test_an_archived_offering_is_made_bookable_again(owner, schedule):
    Offering.objects.filter(pk=schedule.offering_id).update(is_active=False)

    owner.post(f"/trainer/offerings/{schedule.offering_id}/restore/")

    assert Offering.objects.get(pk=schedule.offering_id).is_active is True


def test_an_unused_offering_is_deleted_a_used_one_is_refused(owner, schedule):
    unused = OfferingFactory(trainer=schedule.trainer, title="Unused")

    page = owner.get("/trainer/offerings/")
    deleted = owner.post(f"/trainer/offerings/{unused.pk}/delete/", follow=True)
    refused = owner.post(f"/trainer/offerings/{schedule.offering_id}/delete/", follow=True)

    assert page.text.count('data-testid="delete-offering"') == 1
    assert not Offering.objects.filter(pk=unused.pk).exists()
    assert [str(m) for m in deleted.context["messages"]] == ["Unused is deleted."]
    assert Offering.objects.filter(pk=schedule.offering_id).exists()
    assert [str(m) for m in refused.context["messages"]] == [
        "Schedules use this offering: deactivate it instead, or delete those first."
    ]


def test_someone_elses_offering_cannot_be_archived_or_deleted(client, schedule):
    client.force_login(UserFactory(role="trainer"))

    archive = client.post(f"/trainer/offerings/{schedule.offering_id}/archive/")
    delete = client.post(f"/trainer/offerings/{schedule.offering_id}/delete/")

    assert (archive.status_code, delete.status_code) == (403, 403)
    assert Offering.objects.get(pk=schedule.offering_id).is_active is True


# --- the same through the API ------------------------------------------------------------------


def test_the_api_restores_a_cancelled_session_by_leaving_it_out_of_exdates(api_client, schedule):
    api_client.force_authenticate(schedule.trainer.user)

    response = api_client.patch(f"/api/schedules/{schedule.pk}", {"exdates": []}, format="json")

    assert (response.status_code, response.json()["exdates"]) == (200, [])


def test_the_api_starts_a_stopped_schedule_again_with_the_overlap_check(api_client, schedule):
    api_client.force_authenticate(schedule.trainer.user)
    Schedule.objects.filter(pk=schedule.pk).update(is_active=False)
    other = ScheduleFactory(
        offering=OfferingFactory(trainer=schedule.trainer, title="Spinning"),
        start_time=time(7, 30),
    )
    url = f"/api/schedules/{schedule.pk}"

    refused = api_client.patch(url, {"is_active": True}, format="json", **SV)
    Schedule.objects.filter(pk=other.pk).update(is_active=False)
    started = api_client.patch(url, {"is_active": True}, format="json")

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "SCHEDULE_OVERLAP"
    assert refused.json()["error"]["message"].startswith("Det här schemat krockar med Spinning")
    assert (started.status_code, started.json()["is_active"]) == (200, True)


def test_unticking_bookable_on_the_edit_form_points_to_archiving(owner, schedule):
    confirm(book(UserFactory(name="Maja Svensson"), schedule))
    form = {
        "title": "Yoga",
        "description": "",
        "duration_minutes": "60",
        "price": "450",
        "capacity": "4",
        "location_name": "",
    }  # "is_active" left out: unticked

    response = owner.post(f"/trainer/offerings/{schedule.offering_id}/edit/", form)

    assert response.status_code == 200
    assert response.context["affected"]["lines"][0].endswith(": Maja")
    assert f'action="/trainer/offerings/{schedule.offering_id}/archive/"' in response.text
    assert Offering.objects.get(pk=schedule.offering_id).is_active is True
