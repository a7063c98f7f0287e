"""Finding a place by what a trainer types (an address, a street, a park, a town), for the map
pin of their profile: the profile page's address search asks ``GET /api/places``, which asks
``find_places``.

``find_places`` is the one seam between that search and the geocoder: it is where
``marketplace.geocoding.geocode(query, language)`` (a configurable Nominatim/Photon service,
or the offline gazetteer) is called. Without a geocoder wired in, it finds no place, and the
page says so; clicking the map sets the pin either way. Tests replace it.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PLACES = 5


@dataclass(frozen=True)
class Place:
    """A named point: what the search lists and what choosing it puts on the map."""

    name: str
    latitude: float
    longitude: float


def find_places(query: str, *, language: str, limit: int = MAX_PLACES) -> list[Place]:
    """Places matching ``query``, best first, named in ``language`` ("en" or "sv")."""
    return []
