"""Field validators of the marketplace models, shared by the admin, forms and services."""

import functools
import importlib.resources
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


@functools.cache
def selectable_time_zone_names() -> tuple[str, ...]:
    """The names a person picks from: the current canonical zones of tzdata's zone.tab (a row
    per country and region, kept by the tz project to help people choose), sorted. Backward
    aliases ("US/Alaska", "Europe/Kiev", "Asia/Calcutta"), "UTC" and "Etc/GMT+1" are not in
    it. Each one is also in ``time_zone_names()``, so every choice passes
    ``validate_time_zone``; stored aliases stay valid (they convert as their zone does)."""
    table = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab")
    rows = (line.split("\t") for line in table.read_text(encoding="ascii").splitlines())
    listed = {row[2] for row in rows if len(row) >= 3 and not row[0].startswith("#")}
    return tuple(sorted(listed & time_zone_names()))


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
