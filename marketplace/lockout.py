"""django-axes hooks: how an attempt is keyed, and what a locked-out client sees."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from traino.errors import error_body, is_api_request
from traino.exceptions import TooManyAttempts, lockout_minutes

from . import crypto


def axes_username(request, credentials) -> str | None:
    """Key attempts by the email's blind index, so axes' tables hold no plaintext email.

    The email comes from the credentials given to ``authenticate()`` (API and log-in form),
    which axes rebuilds under AXES_USERNAME_FORM_FIELD, or else from the log-in form's field.
    """
    credentials = credentials or {}
    email = (
        credentials.get("username")
        or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
        or request.POST.get("username")
    )
    return crypto.blind_index(email) if email else None


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 for both: the API's JSON error, or the HTML page for the log-in form."""
    if is_api_request(request):
        error = TooManyAttempts()
        response = JsonResponse(error_body(error.code, error.message), status=error.status)
    else:
        context = {"minutes": lockout_minutes()}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
