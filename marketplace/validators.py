"""Field validators of the marketplace models, shared by the admin, forms and services."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """An IANA name ZoneInfo can load: a stored bad name would fail every later conversion
    (public pages, availability) with ZoneInfoNotFoundError instead of once, here."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(_("Unknown time zone."), code="invalid_time_zone") from None
