"""Transaction-scoped advisory locks that order bookings against changes to what they book.

A booking takes shared locks on its schedule and offering; a change that could strand
bookings (a schedule edited, stopped or a session cancelled; an offering switched off or
given a new length) takes the exclusive one first. So bookings of one schedule never wait
for each other, a change waits for the bookings in flight, and a booking that starts after
the change sees it. PostgreSQL keeps advisory locks in memory: unlike a shared row lock they
write nothing to the table or the WAL. Released at the end of the transaction.

SQLite needs none: a write transaction holds the whole database.
"""

from __future__ import annotations

from django.db import connection

# Key spaces of the one-bigint form: a kind in the high bits, the row id below.
_SCHEDULE = 1 << 48
_OFFERING = 2 << 48


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def share_for_booking(schedule_id: int) -> int | None:
    """Shared locks on the schedule and its offering; returns the offering id locked (None
    when the schedule does not exist or there is nothing to lock)."""
    if not _postgres():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s + s.id),"
            " pg_advisory_xact_lock_shared(%s + s.offering_id), s.offering_id"
            " FROM bookings_schedule s WHERE s.id = %s",
            [_SCHEDULE, _OFFERING, schedule_id],
        )
        row = cursor.fetchone()
    return row[2] if row else None


def lock_schedule_for_change(schedule_id: int) -> None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE + schedule_id])


def lock_offering_for_change(offering_id: int) -> None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_OFFERING + offering_id])
