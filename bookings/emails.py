"""Booking emails: confirmation, cancellation and the reminder, each with an .ics invitation.

Who gets what:
- confirmation (payment arrived): the trainee and the trainer, METHOD:REQUEST;
- cancellation of a booking that had been confirmed: both, METHOD:CANCEL (a hold cancelled
  before payment was never announced, so nobody is told it is gone);
- reminder, about 24 hours before the start: the trainee (bookings made later than that
  get none: the confirmation is fresh). The trainer sees the day on their bookings page.

Language. Users store no language preference, so:
- the trainee's emails use ``Booking.language``, the language the site spoke when they
  booked (the page's, or the API request's Accept-Language);
- the trainer's use the first of their profile's ``languages`` that the site speaks
  (Swedish or English), else settings.LANGUAGE_CODE.
Times are the trainer's wall time (where the session happens), with the zone named.

The invitation's UID is ``booking-<id>@<SITE_URL's host>``: the same for every email of a
booking, so a calendar replaces its event on the cancellation (SEQUENCE 1, STATUS CANCELLED).

Sending happens in Celery (bookings.tasks.send_booking_email), enqueued after commit by the
receivers below; the task retries on SMTP and network errors. Nothing here writes to a
booking except the reminder's claim (``reminder_sent_at``, set once by a conditional UPDATE),
so a failing mail server never changes or rolls back a booking.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from marketplace.money import format_money

from . import signals
from .models import Booking, BookingStatus, RefundReason

logger = logging.getLogger(__name__)

CONFIRMATION = "confirmation"
CANCELLATION = "cancellation"
REMINDER = "reminder"
KINDS = (CONFIRMATION, CANCELLATION, REMINDER)
TRAINEE = "trainee"
TRAINER = "trainer"
REMINDER_BEFORE = timedelta(hours=24)


# --- language and links ---------------------------------------------------------------------------


def _supported(code: str) -> str | None:
    codes = {c for c, _name in settings.LANGUAGES}
    code = (code or "").split("-")[0].lower()
    return code if code in codes else None


def recipient_language(booking: Booking, recipient: str) -> str:
    if recipient == TRAINEE:
        return _supported(booking.language) or settings.LANGUAGE_CODE
    for code in booking.trainer.languages or []:
        if _supported(code):
            return _supported(code)
    return settings.LANGUAGE_CODE


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "traino"


def booking_uid(booking: Booking) -> str:
    """The same for every invitation of one booking (calendars match events by it)."""
    return f"booking-{booking.pk}@{_site_host()}"


# --- the invitation -------------------------------------------------------------------------------


def booking_ics(booking: Booking, *, method: str, recipient_email: str, now=None) -> bytes:
    """An iTIP message (RFC 5546): METHOD:REQUEST invites, METHOD:CANCEL withdraws the
    event with the same UID. Times are in UTC, read the same by every calendar."""
    now = now or timezone.now()
    cancel = method == "CANCEL"
    calendar = Calendar()
    calendar.add("prodid", "-//Traino//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("sequence", 1 if cancel else 0)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add(
        "summary",
        gettext("%(title)s with %(trainer)s")
        % {"title": booking.offering.title, "trainer": booking.trainer.display_name},
    )
    where = booking.offering.location_name or booking.trainer.address
    if where:
        event.add("location", where)
    event.add("url", absolute(reverse("booking-detail", args=[booking.pk])))
    event.add("description", absolute(reverse("booking-detail", args=[booking.pk])))
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = vText("Traino")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if cancel else "ACCEPTED")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def _ics_part(booking: Booking, ics: bytes, method: str) -> MIMEText:
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header(
        "Content-Disposition", "attachment", filename=f"traino-booking-{booking.pk}.ics"
    )
    return part


# --- the message ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    role: str
    email: str
    first_name: str


def recipient_of(booking: Booking, role: str) -> Recipient:
    user = booking.trainee if role == TRAINEE else booking.trainer.user
    return Recipient(role, user.email, (user.name or "").split(" ")[0])


def _subject(kind: str, booking: Booking, role: str) -> str:
    title = booking.offering.title
    if kind == CONFIRMATION:
        if role == TRAINER:
            return gettext("New booking: %(title)s") % {"title": title}
        return gettext("Booking confirmed: %(title)s") % {"title": title}
    if kind == CANCELLATION:
        return gettext("Booking cancelled: %(title)s") % {"title": title}
    return gettext("Tomorrow: %(title)s") % {"title": title}


def build_message(booking: Booking, *, kind: str, role: str, now=None) -> EmailMultiAlternatives:
    """The email (plain text, HTML, .ics) in the recipient's language."""
    if kind not in KINDS or role not in (TRAINEE, TRAINER):
        raise ValueError(f"unknown email {kind!r} to {role!r}")
    to = recipient_of(booking, role)
    language = recipient_language(booking, role)
    zone = ZoneInfo(booking.trainer.time_zone)
    method = "CANCEL" if kind == CANCELLATION else "REQUEST"
    with translation.override(language):
        context = {
            "booking": booking,
            "kind": kind,
            "to_trainer": role == TRAINER,
            "first_name": to.first_name,
            "trainee_first_name": (booking.trainee.name or "").split(" ")[0],
            "start_local": booking.start.astimezone(zone).replace(tzinfo=None),
            "end_local": booking.end.astimezone(zone).replace(tzinfo=None),
            "zone": booking.trainer.time_zone,
            "price": format_money(booking.price_amount, booking.currency, language),
            "refund": (
                format_money(booking.refund_amount, booking.currency, language)
                if booking.refund_amount is not None
                else None
            ),
            "refunded": booking.refund_reason not in ("", RefundReason.NOT_PAID),
            "where": booking.offering.location_name or booking.trainer.address,
            "booking_url": absolute(reverse("booking-detail", args=[booking.pk])),
            "bookings_url": absolute(
                reverse("trainer-bookings" if role == TRAINER else "my-bookings")
            ),
            "language": language,
        }
        subject = _subject(kind, booking, role)
        text = render_to_string(f"bookings/emails/{kind}.txt", context)
        html = render_to_string(f"bookings/emails/{kind}.html", context)
        ics = booking_ics(booking, method=method, recipient_email=to.email, now=now)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    message.attach(_ics_part(booking, ics, method))
    return message


def _booking(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("trainee", "trainer__user", "offering")
        .filter(pk=booking_id)
        .first()
    )


def booking_email_send(*, booking_id: int, kind: str, role: str) -> bool:
    """Sends one booking email; False when there is nothing to send any more (the booking
    is gone, a reminder for a booking no longer confirmed, a user without an address).
    Mail errors propagate: the task retries them."""
    booking = _booking(booking_id)
    if booking is None:
        return False
    if kind == REMINDER and booking.status != BookingStatus.CONFIRMED:
        return False
    message = build_message(booking, kind=kind, role=role)
    if not message.to or not message.to[0]:
        return False
    message.send()
    logger.info("booking %s: %s email sent to the %s", booking.pk, kind, role)
    return True


# --- enqueueing, after commit ---------------------------------------------------------------------


def enqueue(booking_id: int, kind: str, role: str) -> None:
    """Queue one email once the current transaction commits. A broker that cannot take it
    is logged, never raised: the booking is already committed and must not look failed."""

    def send_later():
        from .tasks import send_booking_email

        try:
            send_booking_email.delay(booking_id, kind, role)
        except Exception:
            logger.exception("booking %s: could not queue the %s email", booking_id, kind)

    transaction.on_commit(send_later)


@receiver(signals.booking_confirmed, dispatch_uid="bookings.emails.confirmed")
def on_booking_confirmed(sender, *, booking: Booking, **kwargs) -> None:
    enqueue(booking.pk, CONFIRMATION, TRAINEE)
    enqueue(booking.pk, CONFIRMATION, TRAINER)


@receiver(signals.booking_cancelled, dispatch_uid="bookings.emails.cancelled")
def on_booking_cancelled(sender, *, booking: Booking, **kwargs) -> None:
    if booking.refund_reason == RefundReason.NOT_PAID:
        return  # never confirmed: nobody was told about it
    enqueue(booking.pk, CANCELLATION, TRAINEE)
    enqueue(booking.pk, CANCELLATION, TRAINER)


# --- reminders ------------------------------------------------------------------------------------


def bookings_send_reminders(*, now: datetime | None = None, limit: int = 500) -> int:
    """The beat task's work: confirmed bookings starting within REMINDER_BEFORE, booked
    earlier than that and not reminded yet, are claimed one by one (a conditional UPDATE
    of ``reminder_sent_at``, so two runs never both send) and their reminder queued."""
    now = now or timezone.now()
    due = (
        Booking.objects.filter(
            status=BookingStatus.CONFIRMED,
            reminder_sent_at__isnull=True,
            start__gt=now,
            start__lte=now + REMINDER_BEFORE,
            created_at__lte=F("start") - REMINDER_BEFORE,
        )
        .order_by("start", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=pk, reminder_sent_at__isnull=True, status=BookingStatus.CONFIRMED
            ).update(reminder_sent_at=now)
            if claimed:
                enqueue(pk, REMINDER, TRAINEE)
                queued += 1
    return queued
