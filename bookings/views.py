"""Pages of the bookings app: the trainer's calendar with its schedule forms, and the page a
trainee reaches from a slot on a trainer's public calendar.

Views parse, check ownership, call one service and render; a service's refusal (an DomainError
such as SCHEDULE_OVERLAP) is shown on the form.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.models import TrainerProfile
from marketplace.money import format_money
from marketplace.permissions import (
    can_view_trainer_page,
    trainer_profile_of,
    trainer_profile_required,
)
from marketplace.redirects import requested_next
from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import queries, services
from .api import SLOT_FORMAT
from .errors import BookingsAffected
from .forms import ScheduleForm, describe_rrule
from .models import CalendarFeed, Schedule
from .permissions import schedule_for_owner
from .recurrence import in_date_range


def _language() -> str:
    return "sv" if (get_language() or settings.LANGUAGE_CODE).startswith("sv") else "en"


def calendar_locale() -> str:
    """FullCalendar's locale: Swedish, or British English (day before month, 24-hour clock)."""
    return "sv" if _language() == "sv" else "en-gb"


def horizon_days() -> int:
    return getattr(settings, "SCHEDULE_HORIZON_DAYS", 365)


def _calendar_url(day: date | None = None) -> str:
    url = reverse("trainer-calendar")
    return f"{url}?{urlencode({'date': day.isoformat()})}" if day else url


def _announce(request, result, zone) -> None:
    if result.horizon_cut:
        messages.info(
            request,
            gettext(
                "This schedule runs past %(date)s, %(months)s months ahead: sessions are "
                "offered up to that date, and later ones open for booking as time moves on."
            )
            % {
                "months": round(horizon_days() / 30.4),
                "date": services.local_date_label(result.horizon_end.astimezone(zone)),
            },
        )


def _describe(schedules: list[Schedule]) -> list[Schedule]:
    """Adds what the lists show: the rule in words and the end time of a session."""
    for schedule in schedules:
        schedule.rule_text = describe_rrule(schedule.rrule, schedule.starts_on)
        schedule.starts_on_label = services.local_date_label(schedule.starts_on)
        # Any day will do for a time of day; the first date may be the last one there is.
        schedule.end_time = (
            datetime.combine(date(2000, 1, 1), schedule.start_time) + schedule.duration
        ).time()
    return schedules


# --- the trainer's calendar ----------------------------------------------------------------


def _calendar_config(request, profile: TrainerProfile) -> dict:
    raw_date = request.GET.get("date", "")
    try:
        initial = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        initial = None
    initial_date = initial.isoformat() if initial and in_date_range(initial) else None
    return {
        "eventsUrl": reverse("api-trainer-calendar"),
        "timeZone": profile.time_zone,
        "locale": calendar_locale(),
        "initialDate": initial_date,
        "cancelUrl": reverse("schedule-cancel-occurrence", args=[0]).replace("/0/", "/{id}/"),
        "text": {
            "loadFailed": gettext("Your calendar could not be loaded. Try again in a moment."),
            "seats": gettext("%(left)s of %(capacity)s places free"),
            "cancelled": gettext("Cancelled"),
            "sessionsOne": gettext("1 session"),
            "sessionsOther": gettext("%(count)s sessions"),
            "allCancelled": gettext("Every session cancelled"),
        },
    }


@login_required
def trainer_calendar(request):
    profile = trainer_profile_of(request.user)
    if profile is None:
        return render(request, "bookings/not_a_trainer.html")
    schedules = list(
        profile.schedules.select_related("offering").order_by(
            "-is_active", "starts_on", "start_time"
        )
    )
    _describe(schedules)
    feed = CalendarFeed.objects.filter(trainer=profile).first()
    context = {
        "profile": profile,
        "schedules": schedules,
        "has_offerings": profile.offerings.filter(is_active=True).exists(),
        "feed_url": (
            request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))
            if feed
            else None
        ),
        "calendar_config": _calendar_config(request, profile),
        "tab": "calendar",
    }
    return render(request, "bookings/trainer_calendar.html", context)


def _render_schedule_form(request, profile, form, schedule=None, status=200):
    others = profile.schedules.active().select_related("offering")
    if schedule is not None:
        others = others.exclude(pk=schedule.pk)
    context = {
        "others": _describe(list(others.order_by("start_time", "starts_on"))),
        "profile": profile,
        "form": form,
        "schedule": schedule,
        "horizon_months": round(horizon_days() / 30.4),
        "tab": "calendar",
    }
    return render(request, "bookings/schedule_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_new(request):
    profile = trainer_profile_of(request.user)
    if profile is None:
        return render(request, "bookings/not_a_trainer.html")
    form = ScheduleForm(request.POST or None, trainer=profile)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.schedule_create(
                trainer=profile, time_zone=profile.time_zone, **form.service_fields()
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("The schedule is saved."))
            _announce(request, result, result.schedule.zone)
            return redirect(requested_next(request) or _calendar_url(result.schedule.starts_on))
    return _render_schedule_form(request, profile, form)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request, schedule_id: int):
    schedule = schedule_for_owner(request.user, schedule_id)
    profile = schedule.trainer
    if request.method == "POST":
        form = ScheduleForm(request.POST, trainer=profile, schedule=schedule)
        if form.is_valid():
            try:
                result = services.schedule_update(
                    schedule=schedule,
                    cancel_bookings=request.POST.get("cancel_bookings") == "1",
                    actor=request.user,
                    **form.service_fields(),
                )
            except BookingsAffected as exc:
                form.add_error(None, [str(exc.message), *exc.field_messages()["bookings"]])
                schedule.refresh_from_db()
            except DomainError as exc:
                add_domain_error(form, exc)
                schedule.refresh_from_db()
            else:
                messages.success(request, gettext("The schedule is saved."))
                _announce(request, result, result.schedule.zone)
                return redirect(_calendar_url(result.schedule.starts_on))
    else:
        form = ScheduleForm(trainer=profile, schedule=schedule)
    return _render_schedule_form(request, profile, form, schedule)


@login_required
@require_POST
def schedule_deactivate(request, schedule_id: int):
    schedule = schedule_for_owner(request.user, schedule_id)
    try:
        services.schedule_deactivate(
            schedule=schedule,
            cancel_bookings=request.POST.get("cancel_bookings") == "1",
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("trainer-calendar")
    messages.success(
        request,
        gettext("%(title)s is no longer in your calendar: trainees cannot book it.")
        % {"title": schedule.offering.title},
    )
    return redirect("trainer-calendar")


@login_required
@require_POST
def schedule_cancel_occurrence(request, schedule_id: int):
    """Cancels one occurrence (an EXDATE); the calendar's dialog posts here."""
    schedule = schedule_for_owner(request.user, schedule_id)
    try:
        start_local = datetime.fromisoformat(request.POST.get("start_local", ""))
    except ValueError:
        start_local = None
    if start_local is None:
        messages.error(request, gettext("Pick a session in the calendar to cancel it."))
        return redirect("trainer-calendar")
    start_local = start_local.replace(tzinfo=None)
    try:
        services.schedule_cancel_occurrence(
            schedule=schedule,
            start_local=start_local,
            cancel_bookings=request.POST.get("cancel_bookings") == "1",
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            gettext("%(title)s on %(when)s is cancelled.")
            % {"title": schedule.offering.title, "when": services.local_label(start_local)},
        )
    day = start_local.date()
    return redirect(_calendar_url(day if in_date_range(day) else None))


@login_required
@require_POST
def calendar_feed_regenerate(request):
    profile = trainer_profile_required(request.user)
    had_feed = CalendarFeed.objects.filter(trainer=profile).exists()
    services.calendar_feed_regenerate(trainer=profile)
    if had_feed:
        messages.success(
            request,
            gettext("Your calendar link is new: calendars using the old link stop updating."),
        )
    else:
        messages.success(request, gettext("Your calendar link is ready: add it to your calendar."))
    return redirect("trainer-calendar")


# --- a slot on a trainer's public calendar -------------------------------------------------


def book_slot(request, schedule_id: int, start: str):
    """The slot a trainee picked: its details and whether it can be booked. Booking starts
    from here: the review page (booking_views.booking_review) holds the seat."""
    schedule = Schedule.objects.select_related("trainer", "offering").filter(pk=schedule_id).first()
    if schedule is not None and not can_view_trainer_page(request.user, schedule.trainer):
        schedule = None
    try:
        start_utc = datetime.strptime(start, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        start_utc = None
    status = queries.slot_status(schedule, start_utc, now=timezone.now())
    occurrence = status.occurrence
    context = {"schedule": schedule, "occurrence": occurrence, "problem": status.message}
    if occurrence is not None:
        offering = schedule.offering
        context.update(
            trainer=schedule.trainer,
            offering=offering,
            start_local=occurrence.start_local,
            end_local=occurrence.end_local,
            price=format_money(offering.price_amount, offering.currency, _language()),
            seats_left=getattr(occurrence, "seats_left", None),
            review_url=reverse("book-review", args=[schedule.pk, start]),
        )
    elif schedule is not None:
        context["trainer"] = schedule.trainer
    return render(
        request, "bookings/book_slot.html", context, status=404 if occurrence is None else 200
    )
