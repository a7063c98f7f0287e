"""The one refusal type of the project, in plain Python (no DRF, no HTTP machinery).

Services, signal receivers, forms and the admin raise and catch ``DomainError`` subclasses.
Each carries a stable ``code`` (for programs), a translated ``message`` (for people), the
``fields`` it is about and the HTTP ``status`` the API answers with. It is mapped in exactly
two places: ``traino.errors.api_exception_handler`` (the JSON error body) and
``traino.forms.add_domain_error`` (errors on a Django form, pages and admin alike).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Where a refusal's messages go when they are about no one field (DRF's name for it).
NON_FIELD_KEY = "non_field_errors"


class DomainError(Exception):
    """A refusal with a stable code: raise it from a service, a receiver or a view."""

    status = 400
    code = "BAD_REQUEST"
    message = _("The request could not be processed.")

    def __init__(
        self,
        message=None,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence] | None = None,
        status: int | None = None,
    ):
        self.message = message or self.message
        self.code = code or self.code
        self.fields = {name: _as_list(value) for name, value in (fields or {}).items()}
        if status is not None:
            self.status = status
        super().__init__(str(self.message))

    @classmethod
    def on_field(cls, field: str, message=None, **kwargs) -> DomainError:
        """The refusal with its message also on ``field`` (the form shows it there)."""
        message = message or cls.message
        return cls(message, fields={field: [message]}, **kwargs)

    def field_messages(self) -> dict[str, list[str]]:
        """{"field": ["message", ...]}; nested details (a serializer's, passed on) are named
        by their path, "exdates.2"."""
        return flat_fields(self.fields)


def flat_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """A tree of messages (a serializer's errors) -> {"field": ["message", ...]}, one level:
    a nested field is named by its path ("offering.title", "exdates.2"), so every value is a
    list of strings (the shape the API's error schema declares)."""
    name = prefix[:-1] or NON_FIELD_KEY
    if isinstance(detail, dict):
        items = [(f"{prefix}{key}.", value) for key, value in detail.items()]
    elif isinstance(detail, list | tuple):
        items = [
            (f"{prefix}{index}." if isinstance(item, dict | list | tuple) else prefix, item)
            for index, item in enumerate(detail)
        ]
    else:
        return {name: [str(detail)]}
    fields: dict[str, list[str]] = {}
    for path, value in items:
        if isinstance(value, dict | list | tuple):
            nested = flat_fields(value, path)
        else:
            nested = {path[:-1] or NON_FIELD_KEY: [str(value)]}
        for key, messages in nested.items():
            fields.setdefault(key, []).extend(messages)
    return fields


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


class InvalidInput(DomainError):
    """Input that a service refuses field by field (the API's VALIDATION_ERROR)."""

    code = "VALIDATION_ERROR"
    message = _("Some fields are not valid.")

    @classmethod
    def from_validation_error(cls, error: ValidationError, *, field: str | None = None):
        """A model's or a validator's ValidationError as the service's refusal.

        Messages keep their field; ``field`` names the one a field-less error is about (a
        validator's), else such messages go under "non_field_errors", as in DRF's bodies.
        """
        if hasattr(error, "error_dict"):
            fields = {
                NON_FIELD_KEY if name == NON_FIELD_ERRORS else name: messages
                for name, messages in error.message_dict.items()
            }
        else:
            fields = {field or NON_FIELD_KEY: error.messages}
        return cls(fields=fields)


class NotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    message = _("Nothing was found at this address.")


class NotAllowed(DomainError):
    status = 403
    code = "NOT_ALLOWED"
    message = _("You may not do this.")


class Conflict(DomainError):
    status = 409
    code = "CONFLICT"
    message = _("This conflicts with the current state.")


def lockout_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_message() -> str:
    """Says how long the lockout lasts, from AXES_COOLOFF_TIME; call it inside a request."""
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed log-ins. Try again in %(minutes)d minute.",
        "Too many failed log-ins. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class TooManyAttempts(DomainError):
    status = 429
    code = "TOO_MANY_ATTEMPTS"

    def __init__(self, message=None, **kwargs):
        super().__init__(message or lockout_message(), **kwargs)


class CsrfFailed(DomainError):
    """A browser session sent an unsafe request without its CSRF token."""

    status = 403
    code = "CSRF_FAILED"
    message = _("The CSRF check failed. Reload the page and try again.")
