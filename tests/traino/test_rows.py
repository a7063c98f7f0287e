"""traino.rows: the hot path's written-out SQL stores and reads what the ORM would."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, BookingEvent, BookingStatus, Slot
from marketplace import services
from marketplace.authentication import token_with_owner
from marketplace.models import ApiToken, User, hash_token
from tests.factories import ScheduleFactory, UserFactory, _held_booking
from traino import rows

pytestmark = pytest.mark.django_db


def _event_columns(event: BookingEvent) -> dict:
    return BookingEvent.objects.filter(pk=event.pk).values(
        "booking_id", "from_status", "to_status", "actor_id", "note", "created_at"
    )[0]


@pytest.fixture
def booking() -> Booking:
    return _held_booking()


def test_insert_stores_the_row_the_orm_would(booking):
    when = datetime(2026, 12, 7, 6, 0, 12, 345678, tzinfo=UTC)
    by_orm = BookingEvent.objects.create(
        booking=booking, to_status=BookingStatus.CONFIRMED, actor=booking.trainee, created_at=when
    )

    written = rows.insert(
        BookingEvent(
            booking=booking,
            to_status=BookingStatus.CONFIRMED,
            actor=booking.trainee,
            created_at=when,
        )
    )

    assert written.pk is not None and written.pk != by_orm.pk
    assert written._state.adding is False
    assert _event_columns(written) == _event_columns(by_orm)


def test_insert_runs_each_fields_pre_save(booking):
    """auto_now_add and auto_now are set as save() sets them."""
    copy = Booking.objects.get(pk=booking.pk)
    copy.pk = None
    copy.payment_intent_id = ""
    copy.status = BookingStatus.CANCELLED
    copy.created_at = copy.updated_at = None

    rows.insert(copy)

    stored = Booking.objects.get(pk=copy.pk)
    assert stored.created_at is not None and stored.updated_at is not None
    assert stored.created_at == copy.created_at
    assert stored.status == BookingStatus.CANCELLED


def test_insert_refuses_an_expression(booking):
    event = BookingEvent(booking=booking, to_status=BookingStatus.CONFIRMED, note=Value("x"))

    with pytest.raises(TypeError, match="note is an expression"):
        rows.insert(event)

    assert not BookingEvent.objects.filter(note="x").exists()


def test_the_token_and_its_owner_come_in_one_query():
    user = UserFactory(name="Ada Lovelace")
    token, raw = services.api_token_issue(user=user)

    with CaptureQueriesContext(connection) as queries:
        found = token_with_owner(hash_token(raw))
        owner = found.user

    assert len(queries) == 1
    assert (found.pk, owner.pk, owner.name, owner.email) == (
        token.pk,
        user.pk,
        user.name,
        user.email,
    )
    stored = ApiToken.objects.get(pk=token.pk)
    # Timestamps come back aware and equal on SQLite too (read beside the user's row).
    assert found.expires_at == stored.expires_at and found.expires_at.tzinfo is not None
    assert (found.revoked_at, found.last_used_at, found.prefix) == (
        stored.revoked_at,
        stored.last_used_at,
        stored.prefix,
    )


def test_the_tokens_columns_not_read_are_deferred_not_wrong():
    _token, raw = services.api_token_issue(user=UserFactory(), name="laptop")

    found = token_with_owner(hash_token(raw))

    assert {"name", "key_hash", "created_at"} <= found.get_deferred_fields()
    with CaptureQueriesContext(connection) as queries:
        assert found.name == "laptop"
    assert len(queries) == 1


def test_an_unknown_token_is_none():
    UserFactory()

    assert token_with_owner(hash_token("trn_nobody")) is None


def test_select_reads_fields_listed_in_any_order_into_the_right_attributes(booking):
    """Names listed out of the model's order (schedule before slot) still land right."""
    select = rows.Select(
        rows.Part(Booking, "b", ("status", "start", "slot", "schedule", "trainee", "id")),
        rest=f"FROM {Booking._meta.db_table} b WHERE b.id = %s",
    )
    ScheduleFactory()  # ids of schedules and slots no longer agree by chance
    Booking.objects.filter(pk=booking.pk).update(slot=_slot_with_another_id(booking))
    stored = Booking.objects.get(pk=booking.pk)

    (read,) = select.first([booking.pk])

    assert read.slot_id != read.schedule_id
    assert (read.pk, read.slot_id, read.schedule_id, read.trainee_id, read.status) == (
        stored.pk,
        stored.slot_id,
        stored.schedule_id,
        stored.trainee_id,
        stored.status,
    )
    assert read.start == stored.start and read.start.tzinfo is not None
    assert {"end", "price_amount", "trainer_id"} <= read.get_deferred_fields()


def test_select_reads_joined_rows_as_instances_of_their_models(booking):
    select = rows.Select(
        rows.Part(Booking, "b", ("id", "hold_expires_at")),
        rows.Part(User, "u", rows.all_fields(User)),
        rest=f"FROM {Booking._meta.db_table} b JOIN {User._meta.db_table} u"
        " ON u.id = b.trainee_id WHERE b.id = %s",
    )

    read, trainee = select.first([booking.pk])

    assert read.hold_expires_at == booking.hold_expires_at
    assert isinstance(trainee, User) and trainee.get_deferred_fields() == set()
    assert (trainee.pk, trainee.email, trainee.name) == (
        booking.trainee.pk,
        booking.trainee.email,
        booking.trainee.name,
    )
    assert select.first([booking.pk + 1000]) is None


def _slot_with_another_id(booking):
    slot = Slot.objects.get(pk=booking.slot_id)
    slot.pk = None
    slot.start = slot.start + timedelta(days=7)
    slot.end = slot.end + timedelta(days=7)
    slot.save()
    return slot
