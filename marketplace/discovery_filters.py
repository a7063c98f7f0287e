"""Discovery filters that other apps add to GET /api/trainers and the map page.

The marketplace must not import bookings, yet "free on Tuesday mornings" is a question only
bookings can answer. So bookings registers a ``DiscoveryFilter`` here when it starts (its
AppConfig.ready, as it connects to marketplace's signals), and ``trainers_discover`` applies
every registered filter whose parameters the request carries.

A filter has

- ``params``: the query parameters it reads (for the API's documentation and the page);
- ``parse(params)``: the parsed value from a QueryDict, None when the request does not use
  the filter; raises a ``traino.exceptions.DomainError`` (400 with ``fields``) on bad input;
- ``apply(queryset, value)``: the queryset narrowed to the trainers that pass. It runs last,
  after the box and every other filter, so it sees the fewest trainers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class DiscoveryFilter:
    name: str
    params: tuple[str, ...]
    parse: Callable[[Any], Any]
    apply: Callable[[QuerySet, Any], QuerySet]


_registry: dict[str, DiscoveryFilter] = {}


def register(discovery_filter: DiscoveryFilter) -> None:
    """Add (or replace, by name: a reloaded app registers again) a filter."""
    _registry[discovery_filter.name] = discovery_filter


def registered() -> list[DiscoveryFilter]:
    return list(_registry.values())


def parse_all(params) -> dict[str, Any]:
    """{filter name: value} for the registered filters the request uses."""
    values = {}
    for discovery_filter in registered():
        value = discovery_filter.parse(params)
        if value is not None:
            values[discovery_filter.name] = value
    return values


def apply_all(queryset: QuerySet, values: dict[str, Any]) -> QuerySet:
    for name, value in values.items():
        queryset = _registry[name].apply(queryset, value)
    return queryset
