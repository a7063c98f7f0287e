"""Booking emails: who gets which, in whose language, with an .ics invitation parsed back;
the reminder goes once; a failing mail server is retried and never touches the booking."""

from datetime import UTC, datetime, timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone, translation
from icalendar import Calendar

from bookings import booking_services, emails, tasks
from bookings.models import Booking, BookingStatus, CancelledBy
from tests.bookings.conftest import first_start, future_schedule
from tests.factories import UserFactory
from traino.celery import app

pytestmark = pytest.mark.django_db


def committed(fn, *args, **kwargs):
    """Runs ``fn`` and then its after-commit work (the signals, then the emails they queue)
    as a real commit would: each test runs inside one transaction that never commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return fn(*args, **kwargs)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://traino.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Traino <no-reply@traino.example.com>"


def hold(trainee, *, language="en", schedule=None):
    schedule = schedule or future_schedule()
    with translation.override(language):
        return committed(
            booking_services.book_slot,
            trainee=trainee,
            schedule_id=schedule.pk,
            start=first_start(schedule),
        )


def confirmed(trainee, **kwargs):
    booking = hold(trainee, **kwargs)
    committed(booking_services.booking_confirm_payment, booking_id=booking.pk)
    booking.refresh_from_db()
    return booking


def invitation(message) -> Calendar:
    parts = [p for p in message.attachments if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert (
        parts[0].get_param("method")
        == Calendar.from_ical(parts[0].get_payload(decode=True))["method"]
    )
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def event_of(calendar: Calendar):
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def html_of(message) -> str:
    return next(body for body, kind in message.alternatives if kind == "text/html")


def test_booking_stores_the_language_it_was_made_in(trainee):
    assert hold(trainee, language="sv").language == "sv"
    assert hold(UserFactory(), language="en").language == "en"


def test_a_hold_sends_nothing(trainee):
    hold(trainee)

    assert mail.outbox == []


def test_confirmation_goes_to_trainee_and_trainer_with_a_request(trainee):
    booking = confirmed(trainee)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [trainee.email, booking.trainer.user.email]
    )
    to_trainee = next(m for m in mail.outbox if m.to == [trainee.email])
    assert to_trainee.subject == "Booking confirmed: Personal training"
    local = booking.start.astimezone(booking.schedule.zone)
    assert f"{local:%H:%M}–{local + timedelta(hours=1):%H:%M} (Europe/Stockholm)" in to_trainee.body
    assert "450 kr" in to_trainee.body
    assert f"https://traino.example.com/bookings/{booking.pk}/" in to_trainee.body
    assert f'href="https://traino.example.com/bookings/{booking.pk}/"' in html_of(to_trainee)

    calendar = invitation(to_trainee)
    event = event_of(calendar)
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == f"booking-{booking.pk}@traino.example.com"
    assert event.decoded("dtstart") == booking.start
    assert event.decoded("dtend") == booking.end
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["status"]) == "CONFIRMED"
    assert int(event["sequence"]) == 0
    assert str(event["attendee"]) == f"mailto:{trainee.email}"

    to_trainer = next(m for m in mail.outbox if m.to == [booking.trainer.user.email])
    assert to_trainer.subject == "New booking: Personal training"
    assert "Maja has booked and paid a session with you." in to_trainer.body
    assert "Svensson" not in to_trainer.body


def test_confirming_twice_sends_once(trainee):
    booking = confirmed(trainee)
    mail.outbox.clear()

    committed(booking_services.booking_confirm_payment, booking_id=booking.pk)

    assert mail.outbox == []


def test_the_trainee_reads_swedish_when_they_booked_in_swedish(trainee):
    booking = confirmed(trainee, language="sv")

    to_trainee = next(m for m in mail.outbox if m.to == [trainee.email])
    assert to_trainee.subject == "Bokning bekräftad: Personal training"
    assert "Hej Maja," in to_trainee.body
    assert "Din bokning är bekräftad och betald." in to_trainee.body
    assert to_trainee.extra_headers["Content-Language"] == "sv"
    assert 'lang="sv"' in html_of(to_trainee)
    # the trainer has no Swedish in their profile: English
    to_trainer = next(m for m in mail.outbox if m.to == [booking.trainer.user.email])
    assert to_trainer.subject == "New booking: Personal training"


def test_the_trainer_reads_the_first_site_language_of_their_profile(trainee):
    schedule = future_schedule()
    schedule.trainer.languages = ["de", "sv", "en"]
    schedule.trainer.save()

    confirmed(trainee, schedule=schedule)

    to_trainer = next(m for m in mail.outbox if m.to == [schedule.trainer.user.email])
    assert to_trainer.subject == "Ny bokning: Personal training"


def test_cancellation_goes_to_both_with_a_cancel_of_the_same_uid(trainee):
    booking = confirmed(trainee)
    request_uid = str(event_of(invitation(mail.outbox[0]))["uid"])
    mail.outbox.clear()

    committed(
        booking_services.booking_cancel,
        booking_id=booking.pk,
        by=CancelledBy.TRAINEE,
        actor=trainee,
        reason="Sick",
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [trainee.email, booking.trainer.user.email]
    )
    to_trainee = next(m for m in mail.outbox if m.to == [trainee.email])
    assert to_trainee.subject == "Booking cancelled: Personal training"
    assert "You have cancelled this booking." in to_trainee.body
    assert "450 kr is refunded to the card you paid with." in to_trainee.body
    calendar = invitation(to_trainee)
    event = event_of(calendar)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["uid"]) == request_uid
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1
    to_trainer = next(m for m in mail.outbox if m.to == [booking.trainer.user.email])
    assert "Maja has cancelled this booking." in to_trainer.body


def test_a_trainer_cancellation_tells_the_trainee_in_swedish(trainee):
    booking = confirmed(trainee, language="sv")
    mail.outbox.clear()

    committed(
        booking_services.booking_cancel,
        booking_id=booking.pk,
        by=CancelledBy.TRAINER,
        actor=booking.trainer.user,
    )

    to_trainee = next(m for m in mail.outbox if m.to == [trainee.email])
    assert to_trainee.subject == "Bokning avbokad: Personal training"
    assert f"{booking.trainer.display_name} har ställt in passet." in to_trainee.body
    assert "450 kr betalas tillbaka till kortet du betalade med." in to_trainee.body


def test_an_unpaid_hold_cancelled_sends_nothing(trainee):
    booking = hold(trainee)

    committed(
        booking_services.booking_cancel,
        booking_id=booking.pk,
        by=CancelledBy.TRAINEE,
        actor=trainee,
    )

    assert mail.outbox == []


# --- reminders ------------------------------------------------------------------------------------


def test_the_reminder_goes_once_24_hours_before(trainee):
    booking = confirmed(trainee)
    mail.outbox.clear()
    day_before = booking.start - timedelta(hours=23, minutes=55)

    assert committed(emails.bookings_send_reminders, now=booking.start - timedelta(hours=25)) == 0
    assert committed(emails.bookings_send_reminders, now=day_before) == 1
    assert committed(emails.bookings_send_reminders, now=day_before + timedelta(minutes=5)) == 0

    assert [m.to for m in mail.outbox] == [[trainee.email]]
    assert mail.outbox[0].subject == "Tomorrow: Personal training"
    assert str(invitation(mail.outbox[0])["method"]) == "REQUEST"
    booking.refresh_from_db()
    assert booking.reminder_sent_at == day_before


def test_the_beat_task_sends_reminders(trainee, monkeypatch):
    booking = confirmed(trainee)
    mail.outbox.clear()
    monkeypatch.setattr(emails.timezone, "now", lambda: booking.start - timedelta(hours=20))

    assert committed(lambda: tasks.send_booking_reminders.delay().get()) == 1
    assert len(mail.outbox) == 1


def test_no_reminder_for_a_cancelled_booking_or_one_made_the_day_before(trainee):
    cancelled = confirmed(trainee)
    committed(
        booking_services.booking_cancel,
        booking_id=cancelled.pk,
        by=CancelledBy.TRAINEE,
        actor=trainee,
    )
    late = confirmed(UserFactory())
    Booking.objects.filter(pk=late.pk).update(created_at=late.start - timedelta(hours=3))
    mail.outbox.clear()

    assert committed(emails.bookings_send_reminders, now=late.start - timedelta(hours=2)) == 0
    assert mail.outbox == []


def test_a_reminder_claimed_for_a_booking_cancelled_meanwhile_is_not_sent(trainee):
    booking = confirmed(trainee)
    mail.outbox.clear()
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED)

    assert (
        emails.booking_email_send(booking_id=booking.pk, kind="reminder", role="trainee") is False
    )
    assert mail.outbox == []


# --- failures -------------------------------------------------------------------------------------


class FlakyBackend:
    """Fails the first ``failures`` sends with a dropped connection, then delivers."""

    failures = 0
    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    """The flaky backend, with eager retries run inline as a worker would run them (with
    task_eager_propagates Celery would raise the first Retry to the caller instead)."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.attempts = 0
    FlakyBackend.failures = 2
    yield FlakyBackend
    app.conf.task_eager_propagates = before


def test_a_failed_send_is_retried_and_the_booking_stays_confirmed(trainee, flaky, settings):
    booking = hold(trainee)
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"

    confirmed_booking = committed(booking_services.booking_confirm_payment, booking_id=booking.pk)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED == confirmed_booking.status
    # two failures, then both emails delivered (the second on its first try)
    assert flaky.attempts == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [trainee.email, booking.trainer.user.email]
    )
    assert booking.events.count() == 2  # created, confirmed: nothing else touched it


def test_a_mail_server_that_stays_down_never_fails_the_booking(trainee, flaky):
    flaky.failures = 1000
    booking = hold(trainee)

    committed(booking_services.booking_confirm_payment, booking_id=booking.pk)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert mail.outbox == []
    # each email: the first try and EMAIL_MAX_RETRIES retries, then given up and logged
    assert flaky.attempts == 2 * (tasks.EMAIL_MAX_RETRIES + 1)


def test_the_task_retries_only_mail_and_network_errors():
    assert set(tasks.send_booking_email.autoretry_for) == {
        __import__("smtplib").SMTPException,
        OSError,
    }
    assert tasks.send_booking_email.max_retries == tasks.EMAIL_MAX_RETRIES


def test_the_uid_is_stable_across_emails_and_renders(trainee):
    booking = confirmed(trainee)
    first = emails.booking_ics(booking, method="REQUEST", recipient_email="a@example.se")
    later = emails.booking_ics(
        booking,
        method="CANCEL",
        recipient_email="a@example.se",
        now=datetime(2030, 1, 1, tzinfo=UTC),
    )

    uids = {str(event_of(Calendar.from_ical(ics))["uid"]) for ics in (first, later)}
    assert uids == {f"booking-{booking.pk}@traino.example.com"}
    assert timezone.is_aware(event_of(Calendar.from_ical(later)).decoded("dtstamp"))
