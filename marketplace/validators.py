"""Field validators of the marketplace models, shared by the admin, forms and services."""

import functools
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Loadable, but not a place: the host's own zone (another one on every machine) and tzdata's
# placeholder without a real offset.
NOT_PLACES = frozenset({"localtime", "Factory"})


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA names a profile or a schedule may use: the keys zoneinfo lists (tzdata's list
    and the system's zone files, without the posix/ and right/ variants), less NOT_PLACES."""
    return frozenset(zoneinfo.available_timezones() - NOT_PLACES)


def validate_time_zone(value: str) -> None:
    """One of ``time_zone_names()``, spelled exactly: a stored name that is not would fail
    every later conversion (public pages, availability) instead of once, here; and a file
    path or "localtime" that ZoneInfo would load is not a time zone."""
    if not isinstance(value, str) or value not in time_zone_names():
        raise ValidationError(_("Unknown time zone."), code="invalid_time_zone")


def validate_location_pair(latitude: float | None, longitude: float | None) -> None:
    """Both coordinates or neither: a pin on the map needs two (the database checks it too)."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            _("Set both latitude and longitude, or neither."), code="partial_location"
        )
