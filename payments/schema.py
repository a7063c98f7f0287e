"""Payments' spelling of the shared error declaration: ``error_responses({400: [codes]})``
is ``traino.api.error_responses(codes={400: [codes]})``, the one error body and helper."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from drf_spectacular.utils import OpenApiResponse

from traino import api


def error_responses(codes: Mapping[int, Iterable[str]]) -> dict[int, OpenApiResponse]:
    return api.error_responses(*codes, codes=codes)
