"""Pieces every app's API uses: the public view base, the error body's serializer, the
declaration of error answers, answers written by a shared serializer, and query-parameter
parsing by a serializer.

They live in ``traino`` (project configuration) so that marketplace, bookings, payments and
storage all import them without importing one another. The error body itself is produced in
one place, ``traino.errors.api_exception_handler``; ``ErrorSerializer`` only describes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from .exceptions import NON_FIELD_KEY, DomainError

# --- the error body ----------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for programs: e.g. VALIDATION_ERROR.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Messages per field, e.g. {"email": ["Enter a valid email address."]}; a '
        'nested field is named by its path ("exdates.2"), "non_field_errors" holds those '
        "about no one field.",
    )


class ErrorSerializer(serializers.Serializer):
    """Every API error: {"error": {"code", "message", "fields"}}."""

    error = ErrorDetailSerializer()


# What each status means in this API, and the codes every endpoint may give with it; an
# endpoint adds its own codes with ``error_responses(..., codes={409: ["SLOT_FULL"]})``.
ERROR_STATUSES: dict[int, str] = {
    400: "The request is not valid: VALIDATION_ERROR (see fields), MALFORMED_REQUEST "
    "(unreadable body), or the endpoint's own code.",
    401: "NOT_AUTHENTICATED, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_MALFORMED or "
    "AUTHENTICATION_FAILED.",
    403: "PERMISSION_DENIED, NOT_ALLOWED, or CSRF_FAILED (a browser session's unsafe request "
    "without its CSRF token).",
    404: "NOT_FOUND: no such object, or not one the caller may see.",
    409: "The request conflicts with the current state.",
    413: "The body or the file is too large: FILE_TOO_LARGE, REQUEST_TOO_LARGE.",
    415: "UNSUPPORTED_MEDIA_TYPE: a body in a content type this endpoint does not read.",
    422: "The request is well-formed but cannot be processed as sent.",
    429: "TOO_MANY_REQUESTS or TOO_MANY_ATTEMPTS; Retry-After says when to try again.",
}


def error_response(status: int, codes: Iterable[str] = ()) -> OpenApiResponse:
    description = ERROR_STATUSES.get(status, "")
    names = list(codes)
    if names:
        description = f"{description} Codes here: {', '.join(names)}.".strip()
    return OpenApiResponse(ErrorSerializer, description=description)


def error_responses(
    *statuses: int, codes: Mapping[int, Iterable[str]] | None = None
) -> dict[int, OpenApiResponse]:
    """The error answers an operation can give, all in the one error body: for
    ``extend_schema(responses={200: Out, **error_responses(400, 404, codes={...})})``.

    Statuses the view's configuration implies (401 with authenticators, 429 with throttles,
    400/415 with a request body, 404 with a path parameter, 403 CSRF for session writes) are
    added by ``traino.schema.AutoSchema`` and need not be listed. ``codes`` names the
    endpoint's own codes per status; only the listed statuses are declared, so a module may
    keep one ``codes`` table for all its operations.
    """
    codes = codes or {}
    return {status: error_response(status, codes.get(status, ())) for status in statuses}


# --- writing answers ---------------------------------------------------------------------------


class SharedOutput:
    """Writes answers with one instance of an output serializer, shared by every request.

    Building a serializer deep-copies its declared fields, nested serializers' too: on the
    busiest endpoints that cost a fifth of the request. ``to_representation`` only reads the
    bound fields, so threads can share them. A serializer written this way has no context."""

    def __init__(self, serializer_class: type[serializers.Serializer]):
        self._serializer = serializer_class()

    def __call__(self, instance) -> dict:
        return self._serializer.to_representation(instance)


# --- views -------------------------------------------------------------------------------------


class PublicApiView(APIView):
    """No authenticators, anyone may read, JSON whatever ``format`` says (views parse it).

    A stale token in the header must not turn a public read into a 401, so no authenticator
    runs at all.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # ``format`` is a query parameter of some public endpoints, not DRF's renderer switch.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type


# --- query parameters --------------------------------------------------------------------------


class InvalidQuery(DomainError):
    code = "INVALID_FILTER"
    message = _("A query parameter is not valid.")


class QuerySerializer(serializers.Serializer):
    """The query parameters of one operation, parsed by ``parse_query`` and documented by
    ``extend_schema(parameters=[TheSerializer])`` from the same fields.

    A refusal is ``error_class`` (a DomainError) naming the parameter; a field may also raise
    a DomainError of its own while validating (e.g. INVALID_BBOX), which passes through
    unchanged, and name the class for "send it once" as its own ``error_class``.
    """

    error_class: type[DomainError] = InvalidQuery


def _once_message(name: str) -> str:
    return str(_("Send %(name)s once.") % {"name": name})


def parse_query(serializer_class: type[QuerySerializer], params, **context) -> dict:
    """Validated query parameters: each at most once, surrounding blanks stripped, an empty
    value the same as none."""
    serializer = serializer_class(context=context)
    data = {}
    for name, field in serializer.fields.items():
        values = params.getlist(name)
        if len(values) > 1:
            message = str(field.error_messages.get("once") or _once_message(name))
            error_class = getattr(field, "error_class", serializer_class.error_class)
            raise error_class(message, fields={name: [message]})
        value = values[0].strip() if values else ""
        if value:
            data[name] = value
    serializer = serializer_class(data=data, context=context)
    if not serializer.is_valid():
        first = serializer.fields.get(next(iter(serializer.errors)))
        error_class = getattr(first, "error_class", serializer_class.error_class)
        raise _query_error(error_class, serializer.errors)
    return serializer.validated_data


def _query_error(error_class: type[DomainError], errors: Mapping) -> DomainError:
    fields = {name: [str(m) for m in messages] for name, messages in errors.items()}
    messages = [m for name, ms in fields.items() if name != NON_FIELD_KEY for m in ms]
    message = messages[0] if len(fields) == 1 and messages else None
    return error_class(message, fields=fields)


# --- query-parameter fields --------------------------------------------------------------------


class WholeNumberField(serializers.IntegerField):
    """A whole number in ASCII digits within [min_value, max_value]: "1.0", "+1", "²" and
    "１" are refused (DRF's IntegerField reads some of them), with one message naming the
    parameter."""

    default_error_messages = {
        "whole": _("%(name)s must be a whole number from %(min)d to %(max)d."),
    }

    def __init__(self, *, min_value: int, max_value: int, error_class=None, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        if error_class is not None:
            self.error_class = error_class  # parse_query raises it for this parameter

    def to_internal_value(self, data):
        raw = str(data)
        digits = len(str(self.max_value))
        if raw.isascii() and raw.isdigit() and len(raw) <= digits:
            number = int(raw)
            if self.min_value <= number <= self.max_value:
                return number
        message = self.error_messages["whole"] % {
            "name": self.field_name,
            "min": self.min_value,
            "max": self.max_value,
        }
        raise serializers.ValidationError(message, code="whole")


class Unprocessable(DomainError):
    """A value the schema's pattern accepts that is still no such thing (30 February)."""

    status = 422
    code = "VALIDATION_ERROR"
    message = _("Some fields are not valid.")


_DATE = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
_OFFSET = r"(Z|[-+ ]([01][0-9]|2[0-3]):?[0-5][0-9])"
DATE_PATTERN = rf"^{_DATE}$"
LOCAL_DATE_TIME_PATTERN = rf"^{_DATE}T{_TIME}{_OFFSET}?$"
DATE_OR_DATE_TIME_PATTERN = rf"^{_DATE}([T ]{_TIME}{_OFFSET}?)?$"


class _CalendarField(serializers.Field):
    """A date or date-time in ISO 8601 as this API reads them: the pattern (in the schema too)
    first, a 400 naming the parameter; a string that matches it but names no real moment
    (2027-02-30) is 422, since no pattern can tell."""

    pattern = DATE_PATTERN
    default_error_messages = {
        "invalid": _("%(name)s must be a date, YYYY-MM-DD (e.g. 2026-12-07).")
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._regex = re.compile(self.pattern)
        self._spectacular_annotation = {"field": {"type": "string", "pattern": self.pattern}}

    def convert(self, raw: str):
        raise NotImplementedError

    def to_internal_value(self, data):
        raw = str(data)
        message = self.error_messages["invalid"] % {"name": self.field_name}
        if not self._regex.fullmatch(raw):
            raise serializers.ValidationError(message, code="invalid")
        try:
            return self.convert(raw)
        except ValueError:
            error_class = getattr(self.parent, "error_class", Unprocessable)
            fields = {self.field_name: [message]}
            raise error_class(message, fields=fields, status=422) from None

    def to_representation(self, value):
        return value.isoformat()


class IsoDateField(_CalendarField):
    """YYYY-MM-DD."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._spectacular_annotation["field"]["format"] = "date"

    def convert(self, raw: str) -> date:
        return date.fromisoformat(raw)


class IsoDateTimeField(_CalendarField):
    """A date-time, naive (the caller's wall time) or with an offset or Z; ``date_only``
    accepts a bare date too (its midnight). An unencoded "+01:00" arrives as " 01:00", and
    is read as the offset it was."""

    default_error_messages = {
        "invalid": _("Give %(name)s as YYYY-MM-DDTHH:MM:SS, e.g. 2026-12-07T07:00:00."),
    }

    def __init__(self, *, date_only: bool = False, **kwargs):
        self.pattern = DATE_OR_DATE_TIME_PATTERN if date_only else LOCAL_DATE_TIME_PATTERN
        super().__init__(**kwargs)

    def convert(self, raw: str) -> datetime:
        raw = raw.replace(" ", "+") if "T" in raw else raw
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))


class IdListField(serializers.Field):
    """``ids=1,2,3``: one to ``max_length`` ids (sorted, each once in the result)."""

    default_error_messages = {"invalid": _("Send %(name)s=1,2,3: one to %(max)d ids.")}
    error_class = InvalidQuery

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)
        # drf-spectacular reads this per instance (extend_schema_field on an instance).
        self._spectacular_annotation = {
            "field": {
                "type": "string",
                "pattern": rf"^[0-9]{{1,11}}(,[0-9]{{1,11}}){{0,{max_length - 1}}}$",
                "example": "1,2,3",
            }
        }

    def to_internal_value(self, data) -> list[int]:
        parts = [part.strip() for part in str(data).split(",")]
        if (
            not parts
            or len(parts) > self.max_length
            or not all(part.isascii() and part.isdigit() and 0 < len(part) < 12 for part in parts)
        ):
            message = self.error_messages["invalid"] % {
                "name": self.field_name,
                "max": self.max_length,
            }
            raise serializers.ValidationError(message, code="invalid")
        return sorted({int(part) for part in parts})

    def to_representation(self, value):
        return ",".join(str(v) for v in value)
