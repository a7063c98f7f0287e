"""A service's refusal on a Django form: the one mapping pages and admin forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .exceptions import DomainError


def add_domain_error(
    form: forms.BaseForm, error: DomainError | ValidationError, *, aliases: dict | None = None
) -> None:
    """Each message on the field it names when the form has that field, else above the form.

    ``aliases`` (or the form's ``service_field_aliases``) renames a service's field to the
    form's (the offering service's ``price_amount`` is the form's ``price``). A DomainError
    that names no field the form has shows its message above the form.
    """
    aliases = aliases or getattr(form, "service_field_aliases", {})
    if isinstance(error, ValidationError):
        if not hasattr(error, "error_dict"):
            form.add_error(None, error.messages)
            return
        fields, message = error.message_dict, None
    else:
        fields, message = error.field_messages(), str(error.message)
    for field, messages in fields.items():
        field = aliases.get(field, field)
        form.add_error(field if field in form.fields else None, messages)
    if not fields and message is not None:
        form.add_error(None, message)
