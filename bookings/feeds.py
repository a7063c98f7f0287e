"""A trainer's schedule as an iCalendar feed at a secret address (/calendar/<token>.ics).

One VEVENT per occurrence, with UTC start and end, from FEED_PAST_DAYS ago to the horizon:
every calendar client reads UTC the same way, so the daylight-saving rule of
bookings/recurrence.py is applied once, by us, and a cancelled occurrence simply disappears
at the client's next refresh. Whoever knows the token can read the feed; the trainer
regenerates it to cut old subscribers off.

Each session carries what the trainer needs away from Traino: where (the offering's place,
else the trainer's address), the offering's description, its price, the seats booked (a
count, never names: the feed's address may be shared), and the session's public page (URL).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from marketplace.models import Offering, TrainerProfile
from marketplace.money import format_money

from . import queries, recurrence
from .api import book_url
from .models import CalendarFeed

FEED_PAST_DAYS = 30


def _booked_line(booked: int, capacity: int) -> str:
    if capacity == 1:
        return gettext("Booked") if booked else gettext("Not booked yet")
    return ngettext(
        "%(booked)d of %(capacity)d place booked",
        "%(booked)d of %(capacity)d places booked",
        capacity,
    ) % {"booked": booked, "capacity": capacity}


def trainer_feed(trainer: TrainerProfile, *, now=None, base_url: str = "") -> bytes:
    """The feed's bytes; ``base_url`` ("https://traino.se") makes each session's URL absolute."""
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Traino//Schedules//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Traino: {trainer.display_name}")
    calendar.add("x-wr-timezone", trainer.time_zone)
    start = now - timedelta(days=FEED_PAST_DAYS)
    occurrences = queries.trainer_calendar(trainer, start, recurrence.horizon_end(now), now=now)
    offerings = {
        offering.pk: offering
        for offering in Offering.objects.filter(pk__in={o.offering_id for o in occurrences})
    }
    for occurrence in occurrences:
        offering = offerings[occurrence.offering_id]
        booked = occurrence.capacity - occurrence.seats_left
        price = format_money(
            occurrence.price_amount, occurrence.currency, settings.LANGUAGE_CODE[:2]
        )
        url = base_url + book_url(occurrence)
        event = Event()
        event.add(
            "uid", f"schedule-{occurrence.schedule_id}-{occurrence.start:%Y%m%dT%H%M%SZ}@traino"
        )
        event.add("dtstamp", now)
        event.add("dtstart", occurrence.start)
        event.add("dtend", occurrence.end)
        summary = occurrence.offering_title
        if booked:
            summary = f"{summary} ({_booked_line(booked, occurrence.capacity)})"
        event.add("summary", summary)
        location = offering.location_name or trainer.address or trainer.city
        if location:
            event.add("location", location)
        lines = [
            offering.description.strip(),
            gettext("Price: %(price)s") % {"price": price},
            _booked_line(booked, occurrence.capacity),
            url,
        ]
        event.add("description", "\n\n".join(line for line in lines if line))
        event.add("url", url)
        event.add("x-traino-price", f"{occurrence.price_amount} {occurrence.currency}")
        event.add("x-traino-booked", str(booked))
        event.add("x-traino-capacity", str(occurrence.capacity))
        calendar.add_component(event)
    return calendar.to_ical()


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("trainer").filter(token=token).first()
    if feed is None:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):
        ics = trainer_feed(feed.trainer, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="traino.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
