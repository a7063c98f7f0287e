"""A service's refusal on a Django form: the one mapping pages and admin forms share."""

from __future__ import annotations

from django import forms

from .exceptions import DomainError


def add_domain_error(
    form: forms.BaseForm, error: DomainError, *, aliases: dict | None = None
) -> None:
    """Each message on the field it names when the form has that field, else above the form.

    ``aliases`` (or the form's ``service_field_aliases``) renames a service's field to the
    form's (the offering service's ``price_amount`` is the form's ``price``). A refusal that
    names no field shows its message above the form.
    """
    aliases = aliases or getattr(form, "service_field_aliases", {})
    fields = error.field_messages()
    for field, messages in fields.items():
        field = aliases.get(field, field)
        form.add_error(field if field in form.fields else None, messages)
    if not fields:
        form.add_error(None, str(error.message))
