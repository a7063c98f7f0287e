"""traino.rows: the hot path's written-out SQL stores and reads what the ORM would."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking, BookingEvent, BookingStatus
from marketplace import services
from marketplace.authentication import token_with_owner
from marketplace.models import ApiToken, hash_token
from tests.factories import UserFactory, _held_booking
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
