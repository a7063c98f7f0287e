"""Public discovery API: trainers in a map's bounding box, and one trainer's public data.

No log-in and no token: the map on the home page calls it for everyone, and a stale token
in the header must not turn a public read into a 401, so no authenticator runs at all.
Every list request needs a box and answers at most one page of 50: nothing returns the
whole table. ``count`` is exact up to COUNT_LIMIT; past it the answer says
``"count": 10000, "count_exact": false``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from traino.exceptions import DomainError, NotFound

from . import discovery_filters
from .models import Category, Offering, TrainerProfile
from .money import format_money
from .queries import (
    SORTS,
    BoundingBox,
    TrainersPage,
    category_get_by_slug,
    trainer_public_get,
    trainers_page,
)

PAGE_SIZE = 50
# Counting stops here: an exact COUNT over a country-sized box reads every row in it (about
# 60 ms for 100,000 trainers), and nobody pages past 200 pages; they zoom in instead.
COUNT_LIMIT = 10_000
MAX_QUERY_LENGTH = 100
MAX_PRICE = 2_147_483_647
FORMATS = ("json", "geojson")
GEOJSON_CONTENT_TYPE = "application/geo+json"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")


class InvalidBbox(DomainError):
    code = "INVALID_BBOX"
    message = _(
        "Send the map area as bbox=west,south,east,north in decimal degrees, "
        "e.g. bbox=17.9,59.2,18.2,59.4."
    )


class InvalidFilter(DomainError):
    code = "INVALID_FILTER"
    message = _("A filter is not valid.")


def parse_bbox(values: list[str]) -> BoundingBox:
    """``bbox=west,south,east,north``: four finite numbers, in range, south <= north,
    west <= east (a box across the antimeridian is two requests)."""
    if not values or not values[0].strip():
        raise InvalidBbox(
            _("A map area is required: bbox=west,south,east,north (e.g. 17.9,59.2,18.2,59.4)."),
            fields={"bbox": [str(_("This parameter is required."))]},
        )
    if len(values) > 1:
        raise InvalidBbox(_("Send bbox once."), fields={"bbox": [str(_("Send bbox once."))]})
    parts = [part.strip() for part in values[0].split(",")]
    if len(parts) != 4:
        message = _("bbox needs exactly four numbers, west,south,east,north; got %(count)d.") % {
            "count": len(parts)
        }
        raise InvalidBbox(message, fields={"bbox": [message]})
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        message = _("bbox values must be numbers in decimal degrees, e.g. 59.33.")
        raise InvalidBbox(message, fields={"bbox": [message]}) from None
    problems = []
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        problems.append(_("bbox values must be finite numbers."))
    else:
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            problems.append(_("Longitudes (west, east) must be between -180 and 180."))
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            problems.append(_("Latitudes (south, north) must be between -90 and 90."))
        if south > north:
            problems.append(_("south must not be greater than north."))
        if west > east:
            problems.append(_("west must not be greater than east."))
    if problems:
        messages = [str(p) for p in problems]
        raise InvalidBbox(" ".join(messages), fields={"bbox": messages})
    return BoundingBox(west=west, south=south, east=east, north=north)


def _single(params, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        message = _("Send %(name)s once.") % {"name": name}
        raise InvalidFilter(message, fields={name: [message]})
    return values[0].strip() if values else None


def _positive_int(raw: str, *, name: str, minimum: int, maximum: int) -> int:
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not (
        minimum <= int(raw) <= maximum
    ):
        message = _("%(name)s must be a whole number from %(min)d to %(max)d.") % {
            "name": name,
            "min": minimum,
            "max": maximum,
        }
        raise InvalidFilter(message, fields={name: [message]})
    return int(raw)


def _price(amount: int | None, currency: str) -> dict | None:
    if amount is None:
        return None
    return {
        "amount": amount,
        "currency": currency,
        "formatted": format_money(amount, currency, get_language() or "en"),
    }


def _categories(profile: TrainerProfile, categories=None) -> list[dict]:
    """From ``trainer_categories``' tuples when given, else from the (prefetched) relation."""
    if categories is None:
        return [{"slug": c.slug, "name": c.name} for c in profile.categories.all()]
    swedish = (get_language() or "").startswith("sv")
    return [{"slug": slug, "name": sv if swedish else en} for slug, en, sv in categories]


def _rating(profile: TrainerProfile) -> dict | None:
    if not profile.rating_count or profile.rating_avg is None:
        return None
    return {"average": float(profile.rating_avg), "count": profile.rating_count}


def trainer_summary(profile: TrainerProfile, categories=None, *, photo_url: str | None) -> dict:
    """``photo_url``: the 400 px thumbnail on list and map cards, the full photo in the detail.

    ``latitude``/``longitude`` are the public point (about 500 m from the exact one, see
    marketplace/location.py) and ``city`` the area: never the exact place or the address.
    """
    return {
        "id": profile.pk,
        "slug": profile.slug,
        "display_name": profile.display_name,
        "city": profile.city,
        "latitude": profile.public_latitude,
        "longitude": profile.public_longitude,
        "location_is_approximate": True,
        "verified": profile.verified_at is not None,
        "categories": _categories(profile, categories),
        "min_price": _price(profile.min_price_amount, profile.min_price_currency),
        "rating": _rating(profile),
        "rating_average": (
            float(profile.rating_avg)
            if profile.rating_count and profile.rating_avg is not None
            else None
        ),
        "rating_count": profile.rating_count,
        "photo_url": photo_url,
        "url": f"/trainers/{profile.slug}/",
    }


def geojson_feature(summary: dict) -> dict:
    properties = {k: v for k, v in summary.items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "id": summary["id"],
        "geometry": {"type": "Point", "coordinates": [summary["longitude"], summary["latitude"]]},
        "properties": properties,
    }


def offering_public(offering: Offering) -> dict:
    """A venue is shown only when the trainer marked it a public place (a gym, a park);
    any other is for trainees who booked (bookings.locations)."""
    location = None
    if (
        offering.is_public_place
        and offering.latitude is not None
        and offering.longitude is not None
    ):
        location = {
            "name": offering.location_name,
            "latitude": offering.latitude,
            "longitude": offering.longitude,
        }
    return {
        "id": offering.pk,
        "title": offering.title,
        "description": offering.description,
        "duration_minutes": offering.duration_minutes,
        "price": _price(offering.price_amount, offering.currency),
        "capacity": offering.capacity,
        "is_group": offering.is_group,
        "location": location,
    }


class PublicApiView(APIView):
    """No authenticators, anyone may read, JSON whatever ``format`` says (we parse it)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # ``format`` is our own parameter (json/geojson), not DRF's renderer switch.
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type


def parse_list_params(params) -> tuple[dict, str]:
    """The list's query parameters -> (``trainers_page`` filters, output format); a bad one
    is a 400 naming the parameter."""
    bbox = parse_bbox(params.getlist("bbox"))

    category: Category | None = None
    slug = _single(params, "category")
    if slug:
        category = category_get_by_slug(slug) if SLUG.fullmatch(slug) else None
        if category is None:
            shown = slug[:80].replace("\x00", "")
            message = _("There is no category %(slug)s.") % {"slug": shown}
            raise InvalidFilter(message, fields={"category": [message]})

    q = _single(params, "q") or ""
    if len(q) > MAX_QUERY_LENGTH:
        message = _("q may be at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}
        raise InvalidFilter(message, fields={"q": [message]})
    if "\x00" in q:  # PostgreSQL refuses NUL in text: a 400, not a 500
        message = _("q must not contain null characters.")
        raise InvalidFilter(message, fields={"q": [message]})

    raw_price = _single(params, "price_max")
    price_max = (
        _positive_int(raw_price, name="price_max", minimum=0, maximum=MAX_PRICE)
        if raw_price
        else None
    )
    raw_page = _single(params, "page")
    number = _positive_int(raw_page, name="page", minimum=1, maximum=MAX_PRICE) if raw_page else 1
    sort = _single(params, "sort") or ""
    if sort and sort not in SORTS:
        message = _("sort must be price, rating or distance.")
        raise InvalidFilter(message, fields={"sort": [message]})
    raw_rating = _single(params, "min_rating")
    min_rating = _min_rating(raw_rating) if raw_rating else None
    raw_verified = _single(params, "verified")
    if raw_verified and raw_verified not in ("true", "false"):
        message = _("verified must be true or false.")
        raise InvalidFilter(message, fields={"verified": [message]})
    extra = discovery_filters.parse_all(params)
    output = _single(params, "format") or "json"
    if output not in FORMATS:
        message = _("format must be json or geojson.")
        raise InvalidFilter(message, fields={"format": [message]})
    filters = {
        "bbox": bbox,
        "category": category,
        "q": q,
        "price_max": price_max,
        "min_rating": min_rating,
        "verified": raw_verified == "true",
        "extra": extra,
    }
    return {**filters, "sort": sort, "number": number}, output


def _min_rating(raw: str) -> Decimal:
    """1 to 5, whole or with up to two decimals (4, 4.5)."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if (
        value is None
        or not value.is_finite()
        or not 1 <= value <= 5
        or value.as_tuple().exponent < -2
    ):
        message = _("min_rating must be a number from 1 to 5, e.g. 4 or 4.5.")
        raise InvalidFilter(message, fields={"min_rating": [message]})
    return value


def _no_such_page(page: TrainersPage) -> InvalidFilter:
    if page.count_exact:
        message = _("There is no page %(page)d: the last page is %(last)d.") % {
            "page": page.number,
            "last": page.last_number,
        }
    else:
        message = _("There is no page %(page)d.") % {"page": page.number}
    return InvalidFilter(message, fields={"page": [message]})


def _page_meta(request, page: TrainersPage) -> dict:
    url = request.build_absolute_uri()
    if page.number == 1:
        previous_url = None
    elif page.number == 2:
        previous_url = remove_query_param(url, "page")
    else:
        previous_url = replace_query_param(url, "page", page.number - 1)
    return {
        "count": page.count,
        "count_exact": page.count_exact,
        "next": replace_query_param(url, "page", page.number + 1) if page.has_next else None,
        "previous": previous_url,
    }


class TrainerListView(PublicApiView):
    """GET /api/trainers?bbox=west,south,east,north&category=&q=&price_max=&sort=&page=&format="""

    @extend_schema(
        operation_id="trainers_list",  # else it collides with the detail view's trainers_retrieve
        auth=[],
        parameters=[
            OpenApiParameter(
                "bbox",
                str,
                required=True,
                description="west,south,east,north in decimal degrees; edges are included.",
            ),
            OpenApiParameter("category", str, description="A category slug."),
            OpenApiParameter(
                "q",
                str,
                description="Text in name, city, bio, an offering's title or a category's name "
                "(English or Swedish), any case.",
            ),
            OpenApiParameter(
                "price_max", int, description="Lowest price at most this, in öre (minor units)."
            ),
            OpenApiParameter(
                "sort",
                str,
                enum=list(SORTS),
                description="price: lowest first (no price last); rating: best average first, "
                "then most ratings (unrated last); distance: nearest to the box's centre first. "
                "Without it, by id. Ties keep the id order, so pages do not overlap.",
            ),
            OpenApiParameter(
                "min_rating",
                float,
                description="Average rating at least this (1 to 5); unrated trainers left out.",
            ),
            OpenApiParameter(
                "verified", bool, description="true: only trainers Traino has verified."
            ),
            OpenApiParameter(
                "days",
                str,
                description="Free on these weekdays (mon,tue,...,sun), within the next 14 days "
                "in each trainer's time zone; with from_time/to_time.",
            ),
            OpenApiParameter(
                "from_time",
                str,
                description="HH:MM, local to the trainer: a bookable session starts at or "
                "after it.",
            ),
            OpenApiParameter(
                "to_time", str, description="HH:MM, local: a session starts before it."
            ),
            OpenApiParameter("page", int, description="1-based; 50 trainers a page."),
            OpenApiParameter("format", str, enum=list(FORMATS), description="geojson for maps."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        filters, output = parse_list_params(request.query_params)
        page = trainers_page(**filters, page_size=PAGE_SIZE, count_limit=COUNT_LIMIT)
        if not page.trainers and page.number > 1:
            raise _no_such_page(page)
        meta = _page_meta(request, page)
        summaries = [
            trainer_summary(
                profile,
                page.categories[profile.pk],
                photo_url=page.photo_urls.get(profile.user_id),
            )
            for profile in page.trainers
        ]
        if output == "geojson":
            features = [geojson_feature(s) for s in summaries]
            body = {"type": "FeatureCollection", "features": features, **meta}
            return Response(body, content_type=GEOJSON_CONTENT_TYPE)
        return Response({**meta, "results": summaries})


class TrainerDetailView(PublicApiView):
    """GET /api/trainers/<id>: a published trainer with active offerings."""

    @extend_schema(auth=[], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        profile = trainer_public_get(pk=pk)
        if profile is None:
            raise NotFound(_("There is no published trainer with this id."))
        body = trainer_summary(profile, photo_url=profile.photo_url)
        body.update(
            bio=profile.bio,
            languages=profile.languages,
            time_zone=profile.time_zone,
            offerings=[offering_public(o) for o in profile.active_offerings],
        )
        return Response(body)
