"""django-axes hooks: how an attempt is keyed, and what a locked-out client sees."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from traino.errors import error_body

from . import crypto


def axes_username(request, credentials) -> str | None:
    """Key attempts by the email's blind index, so axes' tables hold no plaintext email."""
    email = (credentials or {}).get("username") or request.POST.get("username")
    return crypto.blind_index(email) if email else None


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        message = _("Too many failed log-ins. Try again in 15 minutes.")
        response = JsonResponse(error_body("TOO_MANY_ATTEMPTS", message), status=429)
    else:
        response = render(request, "registration/locked_out.html", status=429)
    response["Retry-After"] = "900"
    return response
