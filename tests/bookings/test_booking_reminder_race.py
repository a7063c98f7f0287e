"""Two reminder runs at once (two beat schedulers, or a run that overlaps the next) send each
reminder once: the claim is a conditional UPDATE that only one transaction wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from bookings import booking_services, emails
from bookings.models import Booking
from tests.bookings.conftest import first_start, future_schedule
from tests.factories import UserFactory

RUNS = 4
BOOKINGS = 6


@pytest.mark.postgres
def test_concurrent_reminder_runs_claim_each_booking_once(transactional_db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serializes whole transactions, not rows)")
    # given confirmed bookings starting within a day
    bookings = []
    for _ in range(BOOKINGS):
        schedule = future_schedule()
        booking = booking_services.book_slot(
            trainee=UserFactory(), schedule_id=schedule.pk, start=first_start(schedule)
        )
        bookings.append(booking_services.booking_confirm_payment(booking_id=booking.pk))
    now = bookings[0].start - timedelta(hours=23)
    Booking.objects.update(created_at=now - timedelta(days=2))
    queued: list[int] = []
    lock = threading.Lock()

    def record(booking_id, kind, role):
        with lock:
            queued.append(booking_id)

    monkeypatch.setattr(emails, "enqueue", record)
    barrier = threading.Barrier(RUNS)
    counts: list[int] = []

    def run():
        try:
            barrier.wait(timeout=30)
            counts.append(emails.bookings_send_reminders(now=now))
        finally:
            connections.close_all()

    # when several runs go at once
    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then every booking's reminder was queued exactly once
    assert sorted(queued) == sorted(b.pk for b in bookings)
    assert sum(counts) == BOOKINGS
    assert Booking.objects.filter(reminder_sent_at=now).count() == BOOKINGS
