"""Public place look-ups: what the search box and the location forms ask the geocoder.

No log-in, like the discovery API they serve. Both answer 200 with an empty result when the
geocoder knows no such place or cannot be reached (see marketplace/geocoding.py).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from traino.api import PublicApiView

from .api_trainers import MAX_QUERY_LENGTH, InvalidFilter, _single
from .geocoding import geocode
from .search import search_interpret


def parse_query(params) -> str:
    q = _single(params, "q") or ""
    if not q:
        message = _("Send the text to look up as q.")
        raise InvalidFilter(message, fields={"q": [message]})
    if len(q) > MAX_QUERY_LENGTH:
        message = _("q may be at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}
        raise InvalidFilter(message, fields={"q": [message]})
    if "\x00" in q:
        message = _("q must not contain null characters.")
        raise InvalidFilter(message, fields={"q": [message]})
    return q


def _language() -> str:
    return (get_language() or "en").split("-")[0]


Q_PARAMETER = OpenApiParameter("q", str, required=True, description="At most 100 characters.")
PLACE_DESCRIPTION = (
    "A place: name (in the request's language where the source has one), latitude, "
    "longitude, bbox [west, south, east, north] or null, kind (city, town, suburb, road ...)."
)


class PlaceListView(PublicApiView):
    """GET /api/places?q=Göteborg: places with that name, best first (at most 5)."""

    @extend_schema(
        operation_id="places_list",
        auth=[],
        parameters=[Q_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description='Places named q, best first: {"results": [place, ...]}. ' + PLACE_DESCRIPTION,
    )
    def get(self, request):
        q = parse_query(request.query_params)
        return Response({"results": [place.as_dict() for place in geocode(q, _language())]})


class SearchView(PublicApiView):
    """GET /api/search?q=yoga i Göteborg: the place and the text in a search box's query."""

    @extend_schema(
        operation_id="search_interpret",
        auth=[],
        parameters=[Q_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        description='How the home page reads its search box: {"place": place or null, '
        '"text": the words left to match in trainers\' names, cities, bios, offerings and '
        "categories}. A category's name is always text; else the whole query, or its last "
        "or first words, may name a settlement or district. " + PLACE_DESCRIPTION,
    )
    def get(self, request):
        q = parse_query(request.query_params)
        found = search_interpret(q, language=_language())
        place = found.place.as_dict() if found.place else None
        return Response({"place": place, "text": found.text})
