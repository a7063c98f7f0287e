"""API of the bookings app: public availability, and the trainer's own schedules and calendar.

Public (no log-in, no authenticator): GET /api/trainers/<id>/availability and
GET /api/availability/trainers (the "available this week" filter, see below).
Trainer-only (session or bearer token; 401 without, 403 for a user who is not the owner):
GET /api/trainer/calendar, GET/POST /api/schedules, GET/PATCH/DELETE /api/schedules/<id>,
POST /api/schedules/<id>/cancel-occurrence.

"Available this week": marketplace may not import bookings, so the discovery API does not
filter on it. The map or list asks this app which of the trainers it shows have a bookable
slot: GET /api/availability/trainers?ids=1,2,3&days=7 -> {"available": [1, 3], ...}.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.models import Offering, TrainerProfile
from marketplace.money import format_money
from marketplace.permissions import trainer_profile_required
from traino.api import (
    IsoDateField,
    PublicApiView,
    QuerySerializer,
    error_responses,
    parse_query,
)
from traino.exceptions import NotFound

from . import calendar_events, queries, recurrence, services
from .api_types import (
    AvailabilityOut,
    AvailableTrainersOut,
    AvailableTrainersQuery,
    CalendarEventOut,
    CalendarQuery,
    CancelOccurrenceInput,
    ScheduleChangeInput,
    ScheduleDeleteQuery,
    ScheduleInput,
    ScheduleListOut,
    ScheduleOut,
    ScheduleResultOut,
)
from .errors import InvalidSchedule, InvalidWindow, WindowTooLarge
from .models import Schedule
from .permissions import schedule_for_owner

MAX_WINDOW_DAYS = 62
SLOT_FORMAT = "%Y%m%dT%H%M%SZ"


# --- shared helpers ----------------------------------------------------------------------------


def book_url(occurrence: recurrence.Occurrence) -> str:
    return f"/book/{occurrence.schedule_id}/{occurrence.start.strftime(SLOT_FORMAT)}/"


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def occurrence_public(occurrence: recurrence.Occurrence) -> dict:
    return {
        "schedule_id": occurrence.schedule_id,
        "offering": {
            "id": occurrence.offering_id,
            "title": occurrence.offering_title,
            "duration_minutes": occurrence.duration_minutes,
        },
        "start": _utc(occurrence.start),
        "end": _utc(occurrence.end),
        "start_local": occurrence.start_local.isoformat(),
        "end_local": occurrence.end_local.isoformat(),
        "capacity": occurrence.capacity,
        "seats_left": occurrence.seats_left,
        "price": {
            "amount": occurrence.price_amount,
            "currency": occurrence.currency,
            "formatted": format_money(
                occurrence.price_amount, occurrence.currency, get_language() or "en"
            ),
        },
        "book_url": book_url(occurrence),
    }


def _window_error(message, field: str, *, status: int = 422) -> InvalidWindow:
    """A window whose dates are well-formed but do not fit together or lie out of range: the
    schema cannot say that, so 422."""
    return InvalidWindow(message, fields={field: [str(message)]}, status=status)


def _check_in_range(day: date, name: str) -> None:
    """Far dates have nothing to show, and year 1 or 9999 overflow once converted."""
    low, high = recurrence.date_range()
    if not low <= day <= high:
        raise _window_error(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low.isoformat(), "high": high.isoformat()},
            name,
        )


def _window_date(name: str) -> IsoDateField:
    once = _("Send %(name)s=YYYY-MM-DD once.") % {"name": name}
    return IsoDateField(required=True, error_messages={"required": once, "once": once})


class DateWindowQuery(QuerySerializer):
    error_class = InvalidWindow

    def get_fields(self):
        # "from" is a Python keyword, so the fields are named here rather than as attributes.
        fields = super().get_fields()
        fields["from"] = _window_date("from")
        fields["to"] = _window_date("to")
        fields["to"].help_text = f"Included; at most {MAX_WINDOW_DAYS} days after from."
        return fields


def parse_date_window(params) -> tuple[date, date]:
    """from/to: local dates, both included, from <= to, at most MAX_WINDOW_DAYS days."""
    query = parse_query(DateWindowQuery, params)
    first, last = query["from"], query["to"]
    _check_in_range(first, "from")
    _check_in_range(last, "to")
    if last < first:
        raise _window_error(_("to must not be before from."), "to")
    days = (last - first).days + 1
    if days > MAX_WINDOW_DAYS:
        message = _("The window may be at most %(max)d days; this one is %(days)d.") % {
            "max": MAX_WINDOW_DAYS,
            "days": days,
        }
        raise WindowTooLarge(message, fields={"to": [message]})
    return first, last


def local_day_bounds(first: date, last: date, zone) -> tuple[datetime, datetime]:
    """[first 00:00, day after last 00:00) in local time, as aware UTC."""
    return (
        recurrence.localize(datetime.combine(first, time.min), zone),
        recurrence.localize(datetime.combine(last + timedelta(days=1), time.min), zone),
    )


# --- public ------------------------------------------------------------------------------------


WINDOW_CODES = {
    400: ["INVALID_WINDOW"],
    422: ["INVALID_WINDOW (out of range, or to before from)", "WINDOW_TOO_LARGE"],
}


class AvailabilityView(PublicApiView):
    """GET /api/trainers/<id>/availability?from=YYYY-MM-DD&to=YYYY-MM-DD (trainer's zone)."""

    @extend_schema(
        auth=[],
        parameters=[DateWindowQuery],
        responses={200: AvailabilityOut, **error_responses(400, 404, 422, codes=WINDOW_CODES)},
    )
    def get(self, request, pk: int):
        profile = (
            TrainerProfile.objects.filter(pk=pk, is_published=True).only("id", "time_zone").first()
        )
        if profile is None:
            raise NotFound(_("There is no published trainer with this id."))
        first, last = parse_date_window(request.query_params)
        zone = ZoneInfo(profile.time_zone)
        start, end = local_day_bounds(first, last, zone)
        occurrences = queries.trainer_availability(profile, start, end)
        body = {
            "trainer": profile.pk,
            "time_zone": profile.time_zone,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "occurrences": [occurrence_public(o) for o in occurrences],
        }
        return Response(AvailabilityOut(body).data)


class AvailableTrainersView(PublicApiView):
    """GET /api/availability/trainers?ids=1,2,3&days=7: which of them can be booked soon."""

    @extend_schema(
        auth=[],
        parameters=[AvailableTrainersQuery],
        responses={
            200: AvailableTrainersOut,
            **error_responses(400, codes={400: ["INVALID_FILTER", "INVALID_WINDOW"]}),
        },
    )
    def get(self, request):
        query = parse_query(AvailableTrainersQuery, request.query_params)
        now = timezone.now()
        end = now + timedelta(days=query.get("days", 7))
        found = queries.trainer_ids_with_availability(
            now, end, trainer_ids=set(query["ids"]), now=now
        )
        body = {"from": _utc(now), "to": _utc(end), "available": sorted(found)}
        return Response(AvailableTrainersOut(body).data)


# --- the trainer's own ------------------------------------------------------------------------


def own_profile(request) -> TrainerProfile:
    """403 for a user who is not a trainer (only trainers have schedules)."""
    return trainer_profile_required(request.user)


def own_schedule(request, pk: int) -> Schedule:
    """404 when it does not exist, 403 when it belongs to someone else."""
    return schedule_for_owner(request.user, pk)


def schedule_body(schedule: Schedule, result: services.ScheduleResult | None = None) -> dict:
    body = {
        "id": schedule.pk,
        "offering": {
            "id": schedule.offering_id,
            "title": schedule.offering.title,
            "duration_minutes": schedule.offering.duration_minutes,
        },
        "starts_on": schedule.starts_on.isoformat(),
        "start_time": schedule.start_time.strftime("%H:%M"),
        "duration_minutes": schedule.duration_minutes,
        "time_zone": schedule.time_zone,
        "rrule": schedule.rrule,
        "exdates": schedule.exdates,
        "is_active": schedule.is_active,
    }
    if result is not None:
        body["horizon_cut"] = result.horizon_cut
        body["horizon_end"] = _utc(result.horizon_end)
    return body


def _offering_of(profile: TrainerProfile, offering_id: int) -> Offering:
    offering = Offering.objects.filter(pk=offering_id, trainer=profile).first()
    if offering is None:
        message = _("Choose one of your own offerings.")
        raise InvalidSchedule(message, fields={"offering": [str(message)]})
    return offering


# What a trainer's schedule operations refuse, per status.
SCHEDULE_CODES = {
    403: ["PERMISSION_DENIED (not a trainer, or not the owner)"],
    409: ["SCHEDULE_OVERLAP", "BOOKINGS_AFFECTED"],
    422: ["INVALID_RRULE", "INVALID_SCHEDULE", "NOT_AN_OCCURRENCE", "VALIDATION_ERROR"],
}


def _schedule_errors(*statuses: int) -> dict:
    return error_responses(*statuses, codes=SCHEDULE_CODES)


class ScheduleListView(APIView):
    """GET: the trainer's schedules; POST: a new one (201, or the reason it is refused)."""

    # Named: else it collides with ScheduleDetailView's schedules_retrieve (check --deploy).
    @extend_schema(
        operation_id="schedules_list",
        responses={200: ScheduleListOut, **_schedule_errors(403)},
    )
    def get(self, request):
        profile = own_profile(request)
        schedules = Schedule.objects.filter(trainer=profile).select_related("offering")
        return Response(ScheduleListOut({"results": [schedule_body(s) for s in schedules]}).data)

    @extend_schema(
        request=ScheduleInput,
        responses={201: ScheduleResultOut, **_schedule_errors(403, 409, 422)},
    )
    def post(self, request):
        profile = own_profile(request)
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["offering"] = _offering_of(profile, values["offering"])
        result = services.schedule_create(trainer=profile, **values)
        body = ScheduleResultOut(schedule_body(result.schedule, result)).data
        return Response(body, status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    @extend_schema(responses={200: ScheduleOut, **_schedule_errors(403)})
    def get(self, request, pk: int):
        return Response(ScheduleOut(schedule_body(own_schedule(request, pk))).data)

    @extend_schema(
        request=ScheduleChangeInput(partial=True),
        responses={200: ScheduleResultOut, **_schedule_errors(403, 409, 422)},
    )
    def patch(self, request, pk: int):
        schedule = own_schedule(request, pk)
        data = ScheduleChangeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cancel_bookings = values.pop("cancel_bookings", False)
        if "offering" in values:
            values["offering"] = _offering_of(schedule.trainer, values["offering"])
        result = services.schedule_update(
            schedule=schedule, cancel_bookings=cancel_bookings, actor=request.user, **values
        )
        return Response(ScheduleResultOut(schedule_body(result.schedule, result)).data)

    @extend_schema(
        parameters=[ScheduleDeleteQuery],
        responses={204: None, **_schedule_errors(400, 403, 409)},
    )
    def delete(self, request, pk: int):
        schedule = own_schedule(request, pk)
        query = parse_query(ScheduleDeleteQuery, request.query_params)
        services.schedule_deactivate(
            schedule=schedule,
            cancel_bookings=query.get("cancel_bookings", False),
            actor=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScheduleCancelOccurrenceView(APIView):
    @extend_schema(
        request=CancelOccurrenceInput,
        responses={200: ScheduleOut, **_schedule_errors(403, 409, 422)},
    )
    def post(self, request, pk: int):
        schedule = own_schedule(request, pk)
        data = CancelOccurrenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.schedule_cancel_occurrence(
            schedule=schedule,
            start_local=data.validated_data["start_local"],  # naive: the schedule's wall time
            cancel_bookings=data.validated_data["cancel_bookings"],
            actor=request.user,
        )
        return Response(ScheduleOut(schedule_body(schedule)).data)


def _calendar_moment(moment: datetime, name: str, zone) -> datetime:
    _check_in_range(moment.date(), name)
    if moment.tzinfo is None:
        return recurrence.localize(moment, zone)
    return moment


class TrainerCalendarView(APIView):
    """GET /api/trainer/calendar?start=&end=: FullCalendar events of the trainer's schedules.

    Bounds as FullCalendar sends them: ISO dates or date-times; without an offset they are
    read in the trainer's zone.
    """

    @extend_schema(
        parameters=[CalendarQuery],
        responses={
            200: CalendarEventOut(many=True),
            **error_responses(400, 403, 422, codes={**WINDOW_CODES, **SCHEDULE_CODES}),
        },
    )
    def get(self, request):
        profile = own_profile(request)
        zone = ZoneInfo(profile.time_zone)
        query = parse_query(CalendarQuery, request.query_params)
        start = _calendar_moment(query["start"], "start", zone)
        end = _calendar_moment(query["end"], "end", zone)
        if end <= start:
            raise _window_error(_("end must be after start."), "end")
        if end - start > timedelta(days=MAX_WINDOW_DAYS):
            message = _("The window may be at most %(max)d days.") % {"max": MAX_WINDOW_DAYS}
            raise WindowTooLarge(message, fields={"end": [message]})
        events = calendar_events.trainer_calendar_events(profile, start, end)
        return Response(CalendarEventOut(events, many=True).data)
