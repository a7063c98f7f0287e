"""Every refusal a bookings receiver of ``offering_will_change`` can raise, through every page
and admin form that can trigger it: shown on the page (never a 500), nothing written.

The receivers (bookings/signals.py) refuse two things: a new duration that makes the
trainer's schedules overlap (SCHEDULE_OVERLAP) and deleting an offering that schedules use
(OFFERING_IN_USE). Offerings change on the trainer's offering pages (no deletion there) and in
the Django admin (change, delete, bulk delete; the trainer profile's offering inline is
read-only).
"""

from datetime import UTC, datetime, time
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.utils import timezone

from bookings.errors import OfferingInUse
from marketplace.admin import OfferingAdmin
from marketplace.models import Offering, Role, TrainerProfile
from tests.factories import OfferingFactory, ScheduleFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OVERLAP = (
    "At 90 minutes a schedule of this offering would overlap Run on Mon 4 Jan 2027 "
    "08:00–09:00. Keep the length, or move one of the schedules first."
)
IN_USE = "Schedules use this offering: deactivate it instead, or delete those first."


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))
    return client


@pytest.fixture
def yoga():
    """Yoga, 60 minutes, Mondays 07:00, and the same trainer's Run on Mondays at 08:00: at 90
    minutes Yoga would overlap Run."""
    offering = OfferingFactory(title="Yoga", duration_minutes=60, price_amount=45000)
    ScheduleFactory(offering=offering)
    run = OfferingFactory(trainer=offering.trainer, title="Run")
    ScheduleFactory(offering=run, start_time=time(8, 0))
    return offering


def stored(offering: Offering) -> tuple:
    row = Offering.objects.get(pk=offering.pk)
    return (row.title, row.duration_minutes, row.price_amount)


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the trainer's offering page ------------------------------------------------------------


def test_the_offering_page_shows_an_overlapping_duration_on_the_form(client, yoga):
    client.force_login(yoga.trainer.user)

    response = client.post(
        f"/trainer/offerings/{yoga.pk}/edit/",
        {
            "title": "Long yoga",
            "description": "",
            "duration_minutes": "90",
            "price": "400",
            "capacity": "1",
            "location_name": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"duration_minutes": [OVERLAP]}
    assert OVERLAP in response.content.decode()
    assert stored(yoga) == ("Yoga", 60, 45000)
    assert TrainerProfile.objects.get(pk=yoga.trainer_id).offering_titles == ""  # not refreshed
    assert texts(response) == []


def test_the_offering_page_in_swedish_shows_the_refusal_in_swedish(client, yoga):
    client.force_login(yoga.trainer.user)

    response = client.post(
        f"/trainer/offerings/{yoga.pk}/edit/",
        {"title": "Yoga", "duration_minutes": "90", "price": "450", "capacity": "1"},
        HTTP_ACCEPT_LANGUAGE="sv",
    )

    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"] == [
        "Med 90 minuter skulle ett schema för den här tjänsten krocka med Run, "
        "mån 4 jan 2027 08:00–09:00. Behåll längden, eller flytta först ett av schemana."
    ]
    assert stored(yoga) == ("Yoga", 60, 45000)


# --- the Django admin ---------------------------------------------------------------------


def admin_values(offering: Offering, **changes) -> dict:
    return {
        "title": offering.title,
        "description": "",
        "duration_minutes": offering.duration_minutes,
        "price_amount": offering.price_amount,
        "currency": "SEK",
        "capacity": 1,
        "location_name": "",
        "is_active": "on",
        **changes,
    }


def test_the_admin_change_form_shows_an_overlapping_duration_on_the_form(staff_client, yoga):
    response = staff_client.post(
        f"/admin/marketplace/offering/{yoga.pk}/change/",
        admin_values(yoga, title="Long yoga", duration_minutes=90),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"duration_minutes": [OVERLAP]}
    assert stored(yoga) == ("Yoga", 60, 45000)
    assert LogEntry.objects.count() == 0


def test_the_admin_delete_page_refuses_an_offering_that_schedules_use(staff_client, yoga):
    page = staff_client.get(f"/admin/marketplace/offering/{yoga.pk}/delete/")
    response = staff_client.post(f"/admin/marketplace/offering/{yoga.pk}/delete/", {"post": "yes"})

    # the schedules are listed as protected (RESTRICT), and the POST deletes nothing
    assert page.status_code == 200
    assert page.context["protected"]
    assert response.status_code == 200
    assert Offering.objects.filter(pk=yoga.pk).exists()
    assert LogEntry.objects.count() == 0


def test_the_admin_bulk_delete_refuses_a_selection_with_an_offering_in_use(staff_client, yoga):
    free = OfferingFactory(trainer=yoga.trainer, title="Free")

    response = staff_client.post(
        "/admin/marketplace/offering/",
        {"action": "delete_selected", "_selected_action": [free.pk, yoga.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert response.context["protected"]
    assert set(Offering.objects.values_list("title", flat=True)) == {"Yoga", "Run", "Free"}


@pytest.fixture
def collector_sees_nothing():
    """A schedule written between the admin's check for protected objects and the deletion:
    only the receiver (OFFERING_IN_USE, under the offering's lock) stands in the way."""
    with mock.patch.object(
        OfferingAdmin, "get_deleted_objects", return_value=([], {}, set(), [])
    ) as patched:
        yield patched


def test_the_admin_delete_shows_the_receivers_refusal_and_keeps_the_offering(
    staff_client, yoga, collector_sees_nothing
):
    response = staff_client.post(
        f"/admin/marketplace/offering/{yoga.pk}/delete/", {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain == [(f"/admin/marketplace/offering/{yoga.pk}/change/", 302)]
    assert texts(response) == [IN_USE]
    assert stored(yoga) == ("Yoga", 60, 45000)
    assert LogEntry.objects.count() == 0  # the deletion's log entry was rolled back too


def test_the_admin_bulk_delete_shows_the_refusal_and_deletes_none_of_the_selection(
    staff_client, yoga, collector_sees_nothing
):
    # given an offering without schedules, selected first, so it is deleted before the refusal
    free = OfferingFactory(trainer=yoga.trainer, title="Free")

    response = staff_client.post(
        "/admin/marketplace/offering/",
        {"action": "delete_selected", "_selected_action": [free.pk, yoga.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert texts(response) == [IN_USE]
    assert set(Offering.objects.values_list("title", flat=True)) == {"Yoga", "Run", "Free"}
    assert LogEntry.objects.count() == 0


def test_the_service_refusal_on_deletion_is_offering_in_use(yoga):
    from marketplace import services

    with pytest.raises(OfferingInUse) as refused:
        services.offering_delete(offering=yoga)

    assert (refused.value.code, refused.value.status) == ("OFFERING_IN_USE", 400)
    assert refused.value.field_messages() == {"offering": [IN_USE]}
    assert Offering.objects.filter(pk=yoga.pk).exists()


def test_the_trainer_profile_admin_shows_offerings_read_only(staff_client, yoga):
    response = staff_client.get(f"/admin/marketplace/trainerprofile/{yoga.trainer_id}/change/")

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert (inline.has_add_permission, inline.has_change_permission) == (False, False)
    assert inline.has_delete_permission is False
