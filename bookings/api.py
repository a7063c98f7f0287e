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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api_trainers import PublicApiView
from marketplace.models import Offering, TrainerProfile
from marketplace.money import format_money
from marketplace.permissions import trainer_profile_required
from traino.exceptions import NotFound

from . import calendar_events, queries, recurrence, services
from .errors import InvalidSchedule, InvalidWindow, WindowTooLarge
from .models import Schedule
from .permissions import schedule_for_owner

MAX_WINDOW_DAYS = 62
MAX_TRAINER_IDS = 100
MAX_AVAILABLE_DAYS = 14
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


def _window_error(message, field: str) -> InvalidWindow:
    return InvalidWindow(message, fields={field: [str(message)]})


def _date_param(params, name: str) -> date:
    values = params.getlist(name)
    raw = values[0].strip() if len(values) == 1 else ""
    if not raw:
        raise _window_error(_("Send %(name)s=YYYY-MM-DD once.") % {"name": name}, name)
    if len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise _window_error(
        _("%(name)s must be a date, YYYY-MM-DD (e.g. 2026-12-07).") % {"name": name}, name
    )


def _check_in_range(day: date, name: str) -> None:
    """Far dates have nothing to show, and year 1 or 9999 overflow once converted."""
    low, high = recurrence.date_range()
    if not low <= day <= high:
        raise _window_error(
            _("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low.isoformat(), "high": high.isoformat()},
            name,
        )


def parse_date_window(params) -> tuple[date, date]:
    """from/to: local dates, both included, from <= to, at most MAX_WINDOW_DAYS days."""
    first = _date_param(params, "from")
    last = _date_param(params, "to")
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


class AvailabilityView(PublicApiView):
    """GET /api/trainers/<id>/availability?from=YYYY-MM-DD&to=YYYY-MM-DD (trainer's zone)."""

    @extend_schema(
        auth=[],
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="Included."),
        ],
        responses={200: OpenApiTypes.OBJECT},
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
        return Response(
            {
                "trainer": profile.pk,
                "time_zone": profile.time_zone,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "occurrences": [occurrence_public(o) for o in occurrences],
            }
        )


class AvailableTrainersView(PublicApiView):
    """GET /api/availability/trainers?ids=1,2,3&days=7: which of them can be booked soon."""

    @extend_schema(
        auth=[],
        parameters=[
            OpenApiParameter("ids", str, required=True, description="Up to 100 trainer ids."),
            OpenApiParameter("days", int, description="From now, 1-14; default 7."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        raw_ids = (request.query_params.get("ids") or "").strip()
        parts = [p.strip() for p in raw_ids.split(",") if p.strip()]
        well_formed = all(p.isascii() and p.isdigit() and len(p) < 12 for p in parts)
        if not parts or len(parts) > MAX_TRAINER_IDS or not well_formed:
            message = _("Send ids=1,2,3: one to %(max)d trainer ids.") % {"max": MAX_TRAINER_IDS}
            raise InvalidWindow(message, code="INVALID_FILTER", fields={"ids": [message]})
        raw_days = (request.query_params.get("days") or "7").strip()
        if not (raw_days.isascii() and raw_days.isdigit() and len(raw_days) < 6):
            message = _("days must be a whole number from 1 to %(max)d.") % {
                "max": MAX_AVAILABLE_DAYS
            }
            raise InvalidWindow(message, fields={"days": [message]})
        if not 1 <= int(raw_days) <= MAX_AVAILABLE_DAYS:
            message = _("days must be a whole number from 1 to %(max)d.") % {
                "max": MAX_AVAILABLE_DAYS
            }
            raise WindowTooLarge(message, fields={"days": [message]})
        now = timezone.now()
        end = now + timedelta(days=int(raw_days))
        found = queries.trainer_ids_with_availability(
            now, end, trainer_ids={int(p) for p in parts}, now=now
        )
        return Response({"from": _utc(now), "to": _utc(end), "available": sorted(found)})


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


class ScheduleInput(serializers.Serializer):
    offering = serializers.IntegerField(min_value=1)
    starts_on = serializers.DateField()
    start_time = serializers.TimeField()
    rrule = serializers.CharField(max_length=500)
    time_zone = serializers.CharField(max_length=64, required=False)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=15, max_value=480
    )


class ScheduleChangeInput(ScheduleInput):
    is_active = serializers.BooleanField(
        required=False,
        help_text="true starts a stopped schedule again (refused with 400 SCHEDULE_OVERLAP "
        "when it overlaps another active schedule); false stops it, like DELETE.",
    )
    exdates = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=1000,
        help_text='Local starts of the cancelled sessions, e.g. ["2026-12-07T07:00:00"]: '
        "leaving one out restores it (bookable again), adding one cancels it.",
    )
    cancel_bookings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Cancel the booked sessions this change moves or removes (full refund); "
        "without it such a change is 409 BOOKINGS_AFFECTED.",
    )


def _offering_of(profile: TrainerProfile, offering_id: int) -> Offering:
    offering = Offering.objects.filter(pk=offering_id, trainer=profile).first()
    if offering is None:
        message = _("Choose one of your own offerings.")
        raise InvalidSchedule(message, fields={"offering": [str(message)]})
    return offering


class ScheduleListView(APIView):
    """GET: the trainer's schedules; POST: a new one (201, or 400 with the reason)."""

    # Named: else it collides with ScheduleDetailView's schedules_retrieve (check --deploy).
    @extend_schema(operation_id="schedules_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        profile = own_profile(request)
        schedules = Schedule.objects.filter(trainer=profile).select_related("offering")
        return Response({"results": [schedule_body(s) for s in schedules]})

    @extend_schema(request=ScheduleInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        profile = own_profile(request)
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["offering"] = _offering_of(profile, values["offering"])
        result = services.schedule_create(trainer=profile, **values)
        return Response(schedule_body(result.schedule, result), status=status.HTTP_201_CREATED)


class ScheduleDetailView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(schedule_body(own_schedule(request, pk)))

    @extend_schema(request=ScheduleChangeInput(partial=True), responses={200: OpenApiTypes.OBJECT})
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
        return Response(schedule_body(result.schedule, result))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "cancel_bookings",
                bool,
                description="true: cancel its upcoming bookings (full refund); without it "
                "a schedule with bookings is 409 BOOKINGS_AFFECTED.",
            )
        ],
        responses={204: None},
    )
    def delete(self, request, pk: int):
        services.schedule_deactivate(
            schedule=own_schedule(request, pk),
            cancel_bookings=_flag(request.query_params.get("cancel_bookings")),
            actor=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _flag(raw: str | None) -> bool:
    return (raw or "").strip().lower() in {"true", "1", "yes", "on"}


class CancelOccurrenceInput(serializers.Serializer):
    start_local = serializers.CharField(
        max_length=40, help_text="Local start in the schedule's zone, e.g. 2026-12-07T07:00:00."
    )
    cancel_bookings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Cancel its bookings (full refund); without it a booked session is 409 "
        "BOOKINGS_AFFECTED.",
    )

    def validate_start_local(self, value: str) -> datetime:
        """Naive = the schedule's wall time (DRF would read it as UTC); an offset is honoured."""
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise serializers.ValidationError(
                _("Give the start as YYYY-MM-DDTHH:MM:SS, e.g. 2026-12-07T07:00:00.")
            ) from None


class ScheduleCancelOccurrenceView(APIView):
    @extend_schema(request=CancelOccurrenceInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        schedule = own_schedule(request, pk)
        data = CancelOccurrenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        schedule = services.schedule_cancel_occurrence(
            schedule=schedule,
            start_local=data.validated_data["start_local"],
            cancel_bookings=data.validated_data["cancel_bookings"],
            actor=request.user,
        )
        return Response(schedule_body(schedule))


def _calendar_bound(params, name: str, zone) -> datetime:
    # An unencoded "+01:00" arrives as " 01:00": read it as the offset it was.
    raw = (params.get(name) or "").strip().replace(" ", "+")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        moment = None
    if moment is None:
        raise _window_error(
            _("Send %(name)s as an ISO date or date-time, e.g. 2026-12-07.") % {"name": name},
            name,
        )
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
        parameters=[
            OpenApiParameter("start", str, required=True),
            OpenApiParameter("end", str, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        profile = own_profile(request)
        zone = ZoneInfo(profile.time_zone)
        start = _calendar_bound(request.query_params, "start", zone)
        end = _calendar_bound(request.query_params, "end", zone)
        if end <= start:
            raise _window_error(_("end must be after start."), "end")
        if end - start > timedelta(days=MAX_WINDOW_DAYS):
            message = _("The window may be at most %(max)d days.") % {"max": MAX_WINDOW_DAYS}
            raise WindowTooLarge(message, fields={"end": [message]})
        events = calendar_events.trainer_calendar_events(profile, start, end)
        return Response(events)
