"""What the schedule and availability endpoints (bookings/api.py) read and answer, as
serializers: they describe /api/schema/ and shape the answers, so the two cannot differ."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.api_trainers import MoneyOut
from marketplace.validators import time_zone_names
from traino.api import IdListField, IsoDateTimeField, QuerySerializer, WholeNumberField

from .errors import InvalidSchedule, InvalidWindow, WindowTooLarge

MAX_TRAINER_IDS = 100
MAX_AVAILABLE_DAYS = 14


# --- availability ------------------------------------------------------------------------------


class OfferingBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    duration_minutes = serializers.IntegerField(min_value=1)


class OccurrenceOut(serializers.Serializer):
    schedule_id = serializers.IntegerField()
    offering = OfferingBriefOut()
    start = serializers.DateTimeField(help_text="UTC, e.g. 2027-01-04T06:00:00Z.")
    end = serializers.DateTimeField(help_text="UTC.")
    start_local = serializers.DateTimeField(help_text="In the trainer's zone, with its offset.")
    end_local = serializers.DateTimeField(help_text="In the trainer's zone, with its offset.")
    capacity = serializers.IntegerField(min_value=1)
    seats_left = serializers.IntegerField(min_value=0)
    price = MoneyOut()
    book_url = serializers.CharField(help_text="The page that books this session.")


class AvailabilityOut(serializers.Serializer):
    trainer = serializers.IntegerField()
    time_zone = serializers.CharField()
    vars()["from"] = serializers.DateField()  # a Python keyword, so not an attribute name
    to = serializers.DateField()
    occurrences = OccurrenceOut(many=True)


class DaysOutOfRange(WindowTooLarge):
    """More days than the schema allows: outside its bounds, so 400."""

    status = 400


class AvailableTrainersQuery(QuerySerializer):
    error_class = InvalidWindow

    ids = IdListField(
        max_length=MAX_TRAINER_IDS,
        required=True,
        error_messages={
            "required": _("Send ids=1,2,3: one to %(max)d trainer ids.") % {"max": MAX_TRAINER_IDS}
        },
        help_text=f"Up to {MAX_TRAINER_IDS} trainer ids, comma-separated.",
    )
    days = WholeNumberField(
        min_value=1,
        max_value=MAX_AVAILABLE_DAYS,
        required=False,
        error_class=DaysOutOfRange,
        help_text=f"From now, 1-{MAX_AVAILABLE_DAYS}; default 7.",
    )


class AvailableTrainersOut(serializers.Serializer):
    vars()["from"] = serializers.DateTimeField()
    to = serializers.DateTimeField()
    available = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids with a bookable session, sorted."
    )


# --- the trainer's schedules --------------------------------------------------------------------


class ScheduleOut(serializers.Serializer):
    id = serializers.IntegerField()
    offering = OfferingBriefOut()
    starts_on = serializers.DateField()
    start_time = serializers.CharField(help_text="HH:MM, wall time in time_zone.")
    duration_minutes = serializers.IntegerField(
        allow_null=True, help_text="null: the offering's duration."
    )
    time_zone = serializers.CharField()
    rrule = serializers.CharField(help_text="RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO.")
    exdates = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()


class ScheduleResultOut(ScheduleOut):
    horizon_cut = serializers.BooleanField(
        help_text="true: the rule goes on past the horizon; sessions are made up to it."
    )
    horizon_end = serializers.DateTimeField()


class ScheduleListOut(serializers.Serializer):
    results = ScheduleOut(many=True)


TIME_ZONE_PATTERN = r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": TIME_ZONE_PATTERN,
        "maxLength": 64,
        "example": "Europe/Stockholm",
        "description": "An IANA time zone name; one the tz database does not know is 422.",
    }
)
class TimeZoneField(serializers.CharField):
    """The shape in the schema (the tz database's ~600 names change between releases, so
    they are not listed); a well-shaped name it does not know is 422."""

    def __init__(self, **kwargs):
        super().__init__(max_length=64, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not re.fullmatch(TIME_ZONE_PATTERN, value):
            raise serializers.ValidationError(
                _("Use an IANA time zone name, e.g. Europe/Stockholm.")
            )
        if value not in time_zone_names():
            message = _("Use an IANA time zone name, e.g. Europe/Stockholm.")
            raise InvalidSchedule(message, fields={self.field_name: [str(message)]})
        return value


class ScheduleInput(serializers.Serializer):
    offering = serializers.IntegerField(min_value=1, max_value=2**53)
    starts_on = serializers.DateField()
    start_time = serializers.TimeField()
    rrule = serializers.CharField(max_length=500)
    time_zone = TimeZoneField(required=False)
    duration_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=15, max_value=480
    )


class ScheduleChangeInput(ScheduleInput):
    is_active = serializers.BooleanField(
        required=False,
        help_text="true starts a stopped schedule again (refused with 409 SCHEDULE_OVERLAP "
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


class ScheduleDeleteQuery(QuerySerializer):
    cancel_bookings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: cancel its upcoming bookings (full refund); without it a schedule "
        "with bookings is 409 BOOKINGS_AFFECTED.",
    )


class CancelOccurrenceInput(serializers.Serializer):
    start_local = IsoDateTimeField(
        error_messages={
            "invalid": _("Give the start as YYYY-MM-DDTHH:MM:SS, e.g. 2026-12-07T07:00:00.")
        },
        help_text="Local start in the schedule's zone, e.g. 2026-12-07T07:00:00 (an offset is "
        "honoured).",
    )
    cancel_bookings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Cancel its bookings (full refund); without it a booked session is 409 "
        "BOOKINGS_AFFECTED.",
    )


# --- the trainer's calendar ---------------------------------------------------------------------


def _calendar_bound(name: str, help_text: str) -> IsoDateTimeField:
    message = _("Send %(name)s as an ISO date or date-time, e.g. 2026-12-07.")
    return IsoDateTimeField(
        date_only=True,
        required=True,
        error_messages={"invalid": message, "required": message % {"name": name}},
        help_text=help_text,
    )


class CalendarQuery(QuerySerializer):
    error_class = InvalidWindow

    start = _calendar_bound(
        "start",
        "An ISO date or date-time (FullCalendar's); without an offset, in the trainer's zone.",
    )
    end = _calendar_bound("end", "After start, at most 62 days later.")


class CalendarEventPropsOut(serializers.Serializer):
    schedule_id = serializers.IntegerField()
    start_local = serializers.CharField(help_text="Wall time without offset, for cancelling.")
    seats_left = serializers.IntegerField(min_value=0)
    capacity = serializers.IntegerField(min_value=1)
    booked = serializers.IntegerField(min_value=0, help_text="Active bookings of the session.")
    attendees = serializers.ListField(
        child=serializers.CharField(), help_text="The booked trainees' first names."
    )
    cancelled = serializers.BooleanField(help_text="Cancelled by the trainer: restorable.")


class CalendarEventOut(serializers.Serializer):
    """A FullCalendar event."""

    id = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    extendedProps = CalendarEventPropsOut()
