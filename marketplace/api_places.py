"""GET /api/places?q=: the places matching an address, for the profile's map pin."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import places

ERROR_BODY = inline_serializer(
    "PlacesError",
    {
        "error": inline_serializer(
            "PlacesErrorDetail",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "fields": serializers.DictField(
                    child=serializers.ListField(child=serializers.CharField())
                ),
            },
        )
    },
)


class PlaceSearchView(APIView):
    """Up to five places matching ``q`` (an address, a street, a park, a town), best first.
    Logged-in users only: each search may reach an outside geocoding service."""

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(min_length=2, max_length=200)

    class PlaceSerializer(serializers.Serializer):
        name = serializers.CharField()
        latitude = serializers.FloatField()
        longitude = serializers.FloatField()

    class OutputSerializer(serializers.Serializer):
        places = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        operation_id="places_search",
        parameters=[InputSerializer],
        responses={
            200: inline_serializer(
                "PlaceList",
                {
                    "places": inline_serializer(
                        "Place",
                        {
                            "name": serializers.CharField(),
                            "latitude": serializers.FloatField(),
                            "longitude": serializers.FloatField(),
                        },
                        many=True,
                    )
                },
            ),
            400: OpenApiResponse(ERROR_BODY, description="Error codes: VALIDATION_ERROR."),
            401: OpenApiResponse(ERROR_BODY, description="Error codes: NOT_AUTHENTICATED."),
        },
    )
    def get(self, request):
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        found = places.find_places(data.validated_data["q"].strip(), language=language)
        body = [self.PlaceSerializer(place).data for place in found[: places.MAX_PLACES]]
        return Response({"places": body})
