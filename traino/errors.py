"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

Services raise ``traino.exceptions.DomainError`` subclasses; this module maps them (and
Django's ValidationError, Http404, PermissionDenied and DRF's own exceptions) to that body
in one place, so no API path answers with HTML or a bare DRF ``{"detail": ...}``.
"""

from __future__ import annotations

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from .exceptions import CsrfFailed, DomainError, flat_fields


class RequestTooLarge(DomainError):
    """The body is over DATA_UPLOAD_MAX_MEMORY_SIZE (Django refuses to read it)."""

    status = 413
    code = "REQUEST_TOO_LARGE"
    message = _("The request body is too large.")


class TooManyFields(DomainError):
    """A form body with more fields (or files) than DATA_UPLOAD_MAX_NUMBER_FIELDS/FILES."""

    code = "TOO_MANY_FIELDS"
    message = _("The request has too many fields.")


# Django's refusals of a body, raised while a view reads it: with DEBUG on Django would
# answer them with its HTML debug page, so the API maps them here.
_BODY_REFUSALS: dict[type[Exception], type[DomainError]] = {
    RequestDataTooBig: RequestTooLarge,
    TooManyFieldsSent: TooManyFields,
    TooManyFilesSent: TooManyFields,
}

# DRF exception class -> (our code, our message). Messages are ours, so they are translated.
_DRF_ERRORS: dict[type[exceptions.APIException], tuple[str, str]] = {
    exceptions.ParseError: (
        "MALFORMED_REQUEST",
        _("The request body could not be read: send valid JSON or form data."),
    ),
    exceptions.NotAuthenticated: (
        "NOT_AUTHENTICATED",
        _("Log in or send an API token: Authorization: Bearer <token>."),
    ),
    exceptions.PermissionDenied: (
        "PERMISSION_DENIED",
        _("You do not have permission to do this."),
    ),
    exceptions.NotFound: ("NOT_FOUND", _("Nothing was found at this address.")),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", _("This method is not allowed here.")),
    exceptions.NotAcceptable: ("NOT_ACCEPTABLE", _("This API answers in JSON only.")),
    exceptions.UnsupportedMediaType: (
        "UNSUPPORTED_MEDIA_TYPE",
        _("This content type is not accepted here."),
    ),
    exceptions.Throttled: ("TOO_MANY_REQUESTS", _("Too many requests. Slow down.")),
    exceptions.ValidationError: ("VALIDATION_ERROR", _("Some fields are not valid.")),
}


def error_body(code: str, message, fields=None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _fields_from(detail) -> dict:
    """DRF's detail -> {"field": ["message", ...]}; a bare list is "non_field_errors"."""
    return flat_fields(detail)


def api_exception_handler(exc, context):
    refusal = next((cls for kind, cls in _BODY_REFUSALS.items() if isinstance(exc, kind)), None)
    if refusal is not None:
        exc = refusal()
    if isinstance(exc, DomainError):
        set_rollback()
        _render_as_json(context.get("request"))
        body = error_body(exc.code, exc.message, exc.field_messages())
        return Response(body, status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        exc = exceptions.ValidationError(fields or exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it be a 500 that is logged (handler500 answers JSON)

    if isinstance(exc, exceptions.AuthenticationFailed):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "AUTHENTICATION_FAILED"
        body = error_body(code.upper(), exc.detail)
    else:
        code, message = next(
            (pair for cls, pair in _DRF_ERRORS.items() if isinstance(exc, cls)),
            ("ERROR", exc.detail),
        )
        fields = _fields_from(exc.detail) if isinstance(exc, exceptions.ValidationError) else {}
        body = error_body(code, message, fields)
    _render_as_json(context.get("request"))
    return Response(body, status=response.status_code, headers=_kept_headers(response))


def _render_as_json(request) -> None:
    """Errors are JSON even from views that render something else (the YAML schema)."""
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def _kept_headers(response) -> dict:
    return {k: v for k, v in response.items() if k in {"WWW-Authenticate", "Retry-After", "Allow"}}


def json_error(request, code: str, message, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


# Django-level handlers: /api/ paths answer JSON even when no DRF view was reached.
def is_api_request(request) -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def handler404(request, exception=None):
    from django.views.defaults import page_not_found

    if is_api_request(request):
        return json_error(request, "NOT_FOUND", _("Nothing was found at this address."), 404)
    return page_not_found(request, exception)


def handler403(request, exception=None):
    from django.views.defaults import permission_denied

    if is_api_request(request):
        return json_error(
            request, "PERMISSION_DENIED", _("You do not have permission to do this."), 403
        )
    return permission_denied(request, exception)


def handler400(request, exception=None):
    from django.views.defaults import bad_request

    if is_api_request(request):
        return json_error(request, "BAD_REQUEST", _("The request could not be processed."), 400)
    return bad_request(request, exception)


def handler500(request):
    from django.views.defaults import server_error

    if is_api_request(request):
        return json_error(
            request, "SERVER_ERROR", _("Something went wrong on our side. Try again later."), 500
        )
    return server_error(request)


def csrf_failure(request, reason=""):
    from django.views.csrf import csrf_failure as default_csrf_failure

    if is_api_request(request):
        return json_error(request, CsrfFailed.code, CsrfFailed.message, 403)
    return default_csrf_failure(request, reason)


@csrf_exempt  # an unknown path is 404 for every method, never CSRF_FAILED
def api_route_not_found(request, *args, **kwargs):
    """The last /api/ route: an unknown API path is a JSON 404, with DEBUG on or off."""
    return json_error(request, "NOT_FOUND", _("There is no API endpoint at this address."), 404)
