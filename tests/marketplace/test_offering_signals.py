"""offering_will_change / offering_changed: sent by the services (also when the admin
writes) with what changed, and a refusal from a receiver stops the change."""

import pytest

from marketplace import services
from marketplace.models import Offering, Role, TrainerProfile
from marketplace.signals import offering_changed, offering_will_change
from tests.factories import OfferingFactory, TrainerProfileFactory, UserFactory
from traino.exceptions import Conflict

pytestmark = pytest.mark.django_db

ALL_FIELDS = {
    "title",
    "description",
    "duration_minutes",
    "price_amount",
    "currency",
    "capacity",
    "latitude",
    "longitude",
    "location_name",
    "is_public_place",
    "is_active",
    "trainer",
}


@pytest.fixture
def sent():
    """Every signal sent, as (signal name, offering pk, changes, created, deleted, stored
    duration at the time it was sent)."""
    calls = []

    def receiver(name):
        def receive(sender, offering, changes, created, deleted, **kwargs):
            stored = Offering.objects.filter(pk=offering.pk).values_list(
                "duration_minutes", flat=True
            )
            calls.append((name, offering.pk, changes, created, deleted, stored.first()))

        return receive

    will, changed = receiver("will_change"), receiver("changed")
    offering_will_change.connect(will, sender=Offering)
    offering_changed.connect(changed, sender=Offering)
    yield calls
    offering_will_change.disconnect(will, sender=Offering)
    offering_changed.disconnect(changed, sender=Offering)


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))
    return client


def _admin_values(offering: Offering, **changes) -> dict:
    values = {
        "trainer": offering.trainer_id,
        "title": offering.title,
        "description": "",
        "duration_minutes": offering.duration_minutes,
        "price_amount": offering.price_amount,
        "currency": "SEK",
        "capacity": 1,
        "location_name": "",
        "is_active": "on",
    }
    values.update(changes)
    return values


def test_creating_an_offering_sends_both_signals_as_created(sent):
    profile = TrainerProfileFactory()

    offering = services.offering_create(
        profile=profile, title="PT", duration_minutes=60, price_amount=5000
    )

    assert sent == [
        ("will_change", None, ALL_FIELDS, True, False, None),
        ("changed", offering.pk, ALL_FIELDS, True, False, 60),
    ]


def test_updating_sends_the_changed_fields_before_and_after_the_write(sent):
    offering = OfferingFactory(duration_minutes=60, price_amount=45000)

    services.offering_update(offering=offering, duration_minutes=90, price_amount=45000)

    assert sent == [
        ("will_change", offering.pk, {"duration_minutes"}, False, False, 60),
        ("changed", offering.pk, {"duration_minutes"}, False, False, 90),
    ]


def test_deactivating_sends_is_active(sent):
    offering = OfferingFactory()

    services.offering_update(offering=offering, is_active=False)

    assert [(name, changes) for name, _pk, changes, *_rest in sent] == [
        (
            "will_change",
            {"is_active"},
        ),
        ("changed", {"is_active"}),
    ]


def test_an_update_that_changes_nothing_sends_nothing(sent):
    offering = OfferingFactory(title="PT")

    services.offering_update(offering=offering, title="PT")

    assert sent == []


def test_deleting_sends_both_signals_as_deleted_with_the_pk(sent):
    offering = OfferingFactory()
    pk = offering.pk

    services.offering_delete(offering=offering)

    assert sent == [
        ("will_change", pk, set(), False, True, 60),
        ("changed", pk, set(), False, True, None),
    ]
    assert not Offering.objects.filter(pk=pk).exists()


def test_a_receiver_refuses_a_duration_change_and_nothing_is_written():
    offering = OfferingFactory(duration_minutes=60, price_amount=45000)
    refused_sent = []

    def refuse(sender, offering, changes, **kwargs):
        if "duration_minutes" in changes:
            raise Conflict.on_field("duration_minutes", "Schedules would overlap.")

    def changed(sender, **kwargs):
        refused_sent.append(kwargs)

    offering_will_change.connect(refuse, sender=Offering)
    offering_changed.connect(changed, sender=Offering)
    try:
        with pytest.raises(Conflict) as caught:
            services.offering_update(offering=offering, duration_minutes=120, price_amount=100)
    finally:
        offering_will_change.disconnect(refuse, sender=Offering)
        offering_changed.disconnect(changed, sender=Offering)

    assert caught.value.field_messages() == {"duration_minutes": ["Schedules would overlap."]}
    stored = Offering.objects.get(pk=offering.pk)
    assert (stored.duration_minutes, stored.price_amount) == (60, 45000)
    assert refused_sent == []


def test_the_admin_sends_the_signals_when_an_offering_is_saved(staff_client, sent):
    offering = OfferingFactory(duration_minutes=60, price_amount=45000)

    response = staff_client.post(
        f"/admin/marketplace/offering/{offering.pk}/change/",
        _admin_values(offering, price_amount=40000),
    )

    # will_change twice: the form asks while it validates, the service again under the lock
    assert response.status_code == 302
    assert sent == [
        ("will_change", offering.pk, {"price_amount"}, False, False, 60),
        ("will_change", offering.pk, {"price_amount"}, False, False, 60),
        ("changed", offering.pk, {"price_amount"}, False, False, 60),
    ]
    assert TrainerProfile.objects.get(pk=offering.trainer_id).min_price_amount == 40000


def test_the_admin_sends_the_signals_when_an_offering_is_added(staff_client, sent):
    profile = TrainerProfileFactory()

    response = staff_client.post(
        "/admin/marketplace/offering/add/",
        _admin_values(Offering(trainer=profile, title="Yoga", duration_minutes=45, price_amount=1)),
    )

    assert response.status_code == 302
    offering = Offering.objects.get()
    assert sent == [
        ("will_change", None, ALL_FIELDS, True, False, None),
        ("will_change", None, ALL_FIELDS, True, False, None),
        ("changed", offering.pk, ALL_FIELDS, True, False, 45),
    ]


def test_the_admin_shows_a_refusal_on_the_form(staff_client):
    offering = OfferingFactory(duration_minutes=60)

    def refuse(sender, offering, changes, **kwargs):
        raise Conflict.on_field("duration_minutes", "Schedules would overlap.")

    offering_will_change.connect(refuse, sender=Offering)
    try:
        response = staff_client.post(
            f"/admin/marketplace/offering/{offering.pk}/change/",
            _admin_values(offering, duration_minutes=120),
        )
    finally:
        offering_will_change.disconnect(refuse, sender=Offering)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "duration_minutes": ["Schedules would overlap."]
    }
    assert Offering.objects.get(pk=offering.pk).duration_minutes == 60


def test_the_admin_sends_the_signals_when_an_offering_is_deleted(staff_client, sent):
    offering = OfferingFactory()
    pk = offering.pk

    response = staff_client.post(f"/admin/marketplace/offering/{pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert sent == [
        ("will_change", pk, set(), False, True, 60),
        ("changed", pk, set(), False, True, None),
    ]


def test_the_admin_bulk_delete_sends_the_signals_for_each_offering(staff_client, sent):
    first, second = OfferingFactory(), OfferingFactory()

    response = staff_client.post(
        "/admin/marketplace/offering/",
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert [(name, pk, deleted) for name, pk, _c, _cr, deleted, _d in sent] == [
        ("will_change", first.pk, True),
        ("changed", first.pk, True),
        ("will_change", second.pk, True),
        ("changed", second.pk, True),
    ]
    assert Offering.objects.count() == 0
