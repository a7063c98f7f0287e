"""Public place look-ups: what the search box and the location forms ask the geocoder.

No log-in, like the discovery API they serve. Both answer 200 with an empty result when the
geocoder knows no such place or cannot be reached (see marketplace/geocoding.py). Each
client IP address may ask GEOCODER_REQUESTS_PER_MINUTE times a minute (429 past it).
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from traino.api import PublicApiView, QuerySerializer, error_responses, parse_query

from .api_trainers import MAX_QUERY_LENGTH, InvalidFilter, TextQueryField
from .geocoding import geocode
from .search import search_interpret
from .throttling import GeocoderThrottle


class PlaceQuery(QuerySerializer):
    error_class = InvalidFilter

    q = TextQueryField(
        required=True,
        error_messages={"required": _("Send the text to look up as q.")},
        help_text=f"The text to look up, at most {MAX_QUERY_LENGTH} characters.",
    )


class PlaceOut(serializers.Serializer):
    name = serializers.CharField(help_text="In the request's language where the source has one.")
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    bbox = serializers.ListField(
        child=serializers.FloatField(),
        min_length=4,
        max_length=4,
        allow_null=True,
        help_text="[west, south, east, north] in decimal degrees, or null for a point.",
    )
    kind = serializers.CharField(help_text="city, town, suburb, road ...")


class PlaceListOut(serializers.Serializer):
    results = PlaceOut(many=True, help_text="At most 5, best first.")


class SearchOut(serializers.Serializer):
    place = PlaceOut(allow_null=True, help_text="Where to look; null: the map's view.")
    text = serializers.CharField(
        allow_blank=True,
        help_text="The words left to match in trainers' names, cities, bios, offerings and "
        "categories.",
    )


def _language() -> str:
    return (get_language() or "en").split("-")[0]


class GeocoderApiView(PublicApiView):
    throttle_classes = [GeocoderThrottle]


class PlaceListView(GeocoderApiView):
    """GET /api/places?q=Göteborg: places with that name, best first (at most 5)."""

    @extend_schema(
        operation_id="places_list",
        auth=[],
        parameters=[PlaceQuery],
        responses={200: PlaceListOut, **error_responses(400, 429, codes={400: ["INVALID_FILTER"]})},
        description="Places named q, best first.",
    )
    def get(self, request):
        q = parse_query(PlaceQuery, request.query_params)["q"]
        places = [place.as_dict() for place in geocode(q, _language())]
        return Response(PlaceListOut({"results": places}).data)


class SearchView(GeocoderApiView):
    """GET /api/search?q=yoga i Göteborg: the place and the text in a search box's query."""

    @extend_schema(
        operation_id="search_interpret",
        auth=[],
        parameters=[PlaceQuery],
        responses={200: SearchOut, **error_responses(400, 429, codes={400: ["INVALID_FILTER"]})},
        description="How the home page reads its search box. A category's name is always "
        "text; else the whole query, or its last or first words, may name a settlement or "
        "district.",
    )
    def get(self, request):
        q = parse_query(PlaceQuery, request.query_params)["q"]
        found = search_interpret(q, language=_language())
        place = found.place.as_dict() if found.place else None
        return Response(SearchOut({"place": place, "text": found.text}).data)
