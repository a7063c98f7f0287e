"""OpenAPI declarations of payments' error answers, in one small place so they can switch to
a shared helper: ``error_responses({400: ["INVALID_SIGNATURE"]})``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class PaymentsErrorDetail(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class PaymentsErrorBody(serializers.Serializer):
    error = PaymentsErrorDetail()


def error_responses(codes: Mapping[int, Iterable[str]]) -> dict[int, OpenApiResponse]:
    """{status: OpenApiResponse} for the error body, its description listing the codes."""
    return {
        status: OpenApiResponse(
            response=PaymentsErrorBody, description="Error codes: " + ", ".join(names) + "."
        )
        for status, names in codes.items()
    }
