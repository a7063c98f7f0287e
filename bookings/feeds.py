"""A trainer's schedule as an iCalendar feed at a secret address (/calendar/<token>.ics).

One VEVENT per occurrence, with UTC start and end, from FEED_PAST_DAYS ago to the horizon:
every calendar client reads UTC the same way, so the daylight-saving rule of
bookings/recurrence.py is applied once, by us, and a cancelled occurrence simply disappears
at the client's next refresh. Whoever knows the token can read the feed; the trainer
regenerates it to cut old subscribers off.
"""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from marketplace.models import TrainerProfile

from . import queries, recurrence
from .models import CalendarFeed

FEED_PAST_DAYS = 30


def trainer_feed(trainer: TrainerProfile, *, now=None) -> bytes:
    now = now or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Traino//Schedules//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Traino: {trainer.display_name}")
    calendar.add("x-wr-timezone", trainer.time_zone)
    start = now - timedelta(days=FEED_PAST_DAYS)
    for occurrence in queries.trainer_calendar(trainer, start, recurrence.horizon_end(now)):
        event = Event()
        event.add(
            "uid", f"schedule-{occurrence.schedule_id}-{occurrence.start:%Y%m%dT%H%M%SZ}@traino"
        )
        event.add("dtstamp", now)
        event.add("dtstart", occurrence.start)
        event.add("dtend", occurrence.end)
        event.add("summary", occurrence.offering_title)
        calendar.add_component(event)
    return calendar.to_ical()


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("trainer").filter(token=token).first()
    if feed is None:
        raise Http404
    response = HttpResponse(trainer_feed(feed.trainer), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="traino.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
