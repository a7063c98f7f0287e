"""Public discovery API: trainers in a map's bounding box, and one trainer's public data.

No log-in and no token: the map on the home page calls it for everyone, and a stale token
in the header must not turn a public read into a 401, so no authenticator runs at all.
Every list request needs a box and answers at most one page of 50: nothing returns the
whole table. ``count`` is exact up to COUNT_LIMIT (TEXT_COUNT_LIMIT with ``q``); past it the
answer says ``"count": 10000, "count_exact": false``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from traino.api import (
    PublicApiView,
    QuerySerializer,
    SharedOutput,
    WholeNumberField,
    error_responses,
    parse_query,
)
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
# A text search counts less far: a word in one trainer in six (a category, a common name)
# has more than 10,000 matches in a country, each rechecked against its row after the
# trigram index (about 15 ms), while 1,000 cost about 6 ms. Past the first 1,000 matches a
# searcher narrows the words or the map rather than reads on; the list says "more than".
TEXT_COUNT_LIMIT = 1_000
MAX_QUERY_LENGTH = 100
MAX_PRICE = 2_147_483_647
FORMATS = ("json", "geojson")
GEOJSON_CONTENT_TYPE = "application/geo+json"
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


class InvalidBbox(DomainError):
    code = "INVALID_BBOX"
    message = _(
        "Send the map area as bbox=west,south,east,north in decimal degrees, "
        "e.g. bbox=17.9,59.2,18.2,59.4."
    )


class InvalidFilter(DomainError):
    code = "INVALID_FILTER"
    message = _("A filter is not valid.")


# Decimal degrees as the schema promises them: the pattern holds the ranges, so a box that
# matches it is refused only for a relation (west > east, south > north), with 422.
_DECIMALS = r"(\.[0-9]{1,15})?"
_LONGITUDE = rf"-?(180(\.0{{1,15}})?|(1[0-7][0-9]|[1-9]?[0-9]){_DECIMALS})"
_LATITUDE = rf"-?(90(\.0{{1,15}})?|[1-8]?[0-9]{_DECIMALS})"
BBOX_PATTERN = rf"^\s*{_LONGITUDE}\s*,\s*{_LATITUDE}\s*,\s*{_LONGITUDE}\s*,\s*{_LATITUDE}\s*$"
_BBOX = re.compile(BBOX_PATTERN)


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
    not_numbers = _("bbox values must be numbers in decimal degrees, e.g. 59.33.")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise InvalidBbox(not_numbers, fields={"bbox": [str(not_numbers)]}) from None
    problems = []
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        problems.append(_("bbox values must be finite numbers."))
    else:
        if not (-180 <= west <= 180 and -180 <= east <= 180):
            problems.append(_("Longitudes (west, east) must be between -180 and 180."))
        if not (-90 <= south <= 90 and -90 <= north <= 90):
            problems.append(_("Latitudes (south, north) must be between -90 and 90."))
    if not problems and not _BBOX.fullmatch(values[0]):
        # float() reads more than decimal degrees: "1e1", "+1", "1_0", other scripts' digits.
        raise InvalidBbox(not_numbers, fields={"bbox": [str(not_numbers)]})
    # In range, only the order of the edges can be wrong: the schema cannot say that (422).
    status = 400 if problems else 422
    if south > north:
        problems.append(_("south must not be greater than north."))
    if west > east:
        problems.append(_("west must not be greater than east."))
    if problems:
        messages = [str(p) for p in problems]
        raise InvalidBbox(" ".join(messages), fields={"bbox": messages}, status=status)
    return BoundingBox(west=west, south=south, east=east, north=north)


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


# --- query parameters --------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "pattern": BBOX_PATTERN,
        "example": "17.9,59.2,18.2,59.4",
        "description": "west,south,east,north in decimal degrees (longitudes -180..180, "
        "latitudes -90..90); edges are included. A box with west > east or south > north "
        "is 422 INVALID_BBOX.",
    }
)
class BboxField(serializers.Field):
    """Parsed by ``parse_bbox``, whose INVALID_BBOX refusals pass through as they are."""

    error_class = InvalidBbox

    def run_validation(self, data=empty):
        return parse_bbox([] if data is empty else [data])

    def to_representation(self, value):
        return f"{value.west},{value.south},{value.east},{value.north}"


class TextQueryField(serializers.CharField):
    """The free text of a search: at most MAX_QUERY_LENGTH characters and no NUL, which
    PostgreSQL refuses in text (a 400 here, not a 500 there)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        messages = kwargs.setdefault("error_messages", {})
        messages.setdefault(
            "max_length",
            _("q may be at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH},
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if "\x00" in str(data):
            raise serializers.ValidationError(_("q must not contain null characters."))
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": SLUG.pattern, "example": "yoga"})
class CategorySlugField(serializers.CharField):
    """A slug the pattern refuses is 400; one it accepts that names no category is 422 (the
    schema cannot know the categories)."""

    def to_internal_value(self, data) -> Category:
        slug = str(data)
        category = category_get_by_slug(slug) if SLUG.fullmatch(slug) else None
        if category is None:
            shown = slug[:80].replace("\x00", "")
            message = _("There is no category %(slug)s.") % {"slug": shown}
            if SLUG.fullmatch(slug):
                raise InvalidFilter(message, fields={"category": [message]}, status=422)
            raise serializers.ValidationError(message)
        return category


DAYS_PATTERN = r"^(mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))*$"


@extend_schema_field({"type": "number", "minimum": 1, "maximum": 5, "example": 4.5})
class MinRatingField(serializers.Field):
    """A number from 1 to 5 (4, 4.5); anything else is 400 INVALID_FILTER."""

    def to_internal_value(self, data) -> Decimal:
        try:
            value = Decimal(str(data))
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite() or not 1 <= value <= 5:
            raise serializers.ValidationError(
                _("min_rating must be a number from 1 to 5, e.g. 4 or 4.5.")
            )
        return value

    def to_representation(self, value):
        return float(value)


class TrainerListQuery(QuerySerializer):
    error_class = InvalidFilter

    bbox = BboxField(required=True)
    category = CategorySlugField(required=False, help_text="A category slug, e.g. yoga.")
    q = TextQueryField(
        required=False,
        help_text="Text in name, city, bio, an offering's title or a category's name "
        "(English or Swedish), any case.",
    )
    price_max = WholeNumberField(
        min_value=0,
        max_value=MAX_PRICE,
        required=False,
        help_text="Lowest price at most this, in öre (minor units).",
    )
    sort = serializers.ChoiceField(
        choices=sorted(SORTS),
        required=False,
        error_messages={"invalid_choice": _("sort must be price, rating or distance.")},
        help_text="price: lowest first (no price last); rating: best average first, then most "
        "ratings (unrated last); distance: nearest to the box's centre first. Without it, by "
        "id. Ties keep the id order, so pages do not overlap.",
    )
    page = WholeNumberField(
        min_value=1, max_value=MAX_PRICE, required=False, help_text="1-based; 50 trainers a page."
    )
    format = serializers.ChoiceField(
        choices=FORMATS,
        required=False,
        error_messages={"invalid_choice": _("format must be json or geojson.")},
        help_text="geojson for maps (application/geo+json).",
    )
    min_rating = MinRatingField(
        required=False,
        help_text="Average rating at least this (1 to 5); unrated trainers left out.",
    )
    verified = serializers.ChoiceField(
        choices=["true", "false"],
        required=False,
        error_messages={"invalid_choice": _("verified must be true or false.")},
        help_text="true: only trainers Traino has verified.",
    )
    # The parameters of filters other apps register (discovery_filters): documented here,
    # parsed by their filter (bookings' search by when), which refuses what the pattern lets
    # through but the calendar cannot mean (to_time not after from_time: 422).
    days = serializers.RegexField(
        DAYS_PATTERN,
        required=False,
        help_text="Free on these weekdays (mon,tue,...,sun), within the next 14 days in each "
        "trainer's time zone; with from_time/to_time.",
    )
    from_time = serializers.RegexField(
        r"^([01]\d|2[0-3]):[0-5]\d$",
        required=False,
        help_text="HH:MM, local to the trainer: a bookable session starts at or after it.",
    )
    to_time = serializers.RegexField(
        r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$",
        required=False,
        help_text="HH:MM (24:00 for midnight), local: a session starts before it.",
    )


def parse_list_params(params) -> tuple[dict, str]:
    """The list's query parameters -> (``trainers_page`` filters, output format); a bad one
    is a 400 naming the parameter."""
    query = parse_query(TrainerListQuery, params)
    filters = {
        "bbox": query["bbox"],
        "category": query.get("category"),
        "q": query.get("q", ""),
        "price_max": query.get("price_max"),
        "min_rating": query.get("min_rating"),
        "verified": query.get("verified") == "true",
        "extra": discovery_filters.parse_all(params),
    }
    return {**filters, "sort": query.get("sort", ""), "number": query.get("page", 1)}, query.get(
        "format", "json"
    )


def _no_such_page(page: TrainersPage) -> InvalidFilter:
    if page.count_exact:
        message = _("There is no page %(page)d: the last page is %(last)d.") % {
            "page": page.number,
            "last": page.last_number,
        }
    else:
        message = _("There is no page %(page)d.") % {"page": page.number}
    # The page number matches the schema; the page just is not there.
    return InvalidFilter(message, fields={"page": [message]}, status=404)


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


# --- output ------------------------------------------------------------------------------------


class MoneyOut(serializers.Serializer):
    amount = serializers.IntegerField(min_value=0, help_text="Minor units (öre).")
    currency = serializers.CharField(min_length=3, max_length=3, help_text="ISO 4217, e.g. SEK.")
    formatted = serializers.CharField(help_text="In the request's language, e.g. 450 kr.")


class CategoryOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")


class RatingOut(serializers.Serializer):
    average = serializers.FloatField(min_value=0, max_value=5)
    count = serializers.IntegerField(min_value=1)


class TrainerPropertiesOut(serializers.Serializer):
    """A trainer as a map card shows it, without the position."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    display_name = serializers.CharField()
    city = serializers.CharField(allow_blank=True)
    categories = CategoryOut(many=True)
    min_price = MoneyOut(allow_null=True, help_text="The lowest price of sessions to come.")
    rating = RatingOut(allow_null=True)
    rating_average = serializers.FloatField(
        min_value=1, max_value=5, allow_null=True, help_text="Null until the first review."
    )
    rating_count = serializers.IntegerField(min_value=0)
    verified = serializers.BooleanField(help_text="Traino checked the trainer's certificates.")
    location_is_approximate = serializers.BooleanField(
        help_text="Always true: the point is about 500 m from the trainer's place."
    )
    photo_url = serializers.CharField(
        allow_null=True, help_text="A 400 px thumbnail in lists, the photo in the detail."
    )
    url = serializers.CharField(help_text="The public page, e.g. /trainers/anna/.")


class TrainerSummaryOut(TrainerPropertiesOut):
    latitude = serializers.FloatField(
        min_value=-90, max_value=90, allow_null=True, help_text="Approximate."
    )
    longitude = serializers.FloatField(
        min_value=-180, max_value=180, allow_null=True, help_text="Approximate."
    )


class PageMetaOut(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=0,
        help_text=f"Exact up to {COUNT_LIMIT}, up to {TEXT_COUNT_LIMIT} with q; "
        "count_exact is false past it.",
    )
    count_exact = serializers.BooleanField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)


class TrainerPageOut(PageMetaOut):
    results = TrainerSummaryOut(many=True)


class PointOut(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        help_text="[longitude, latitude]",
    )


class FeatureOut(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = PointOut()
    properties = TrainerPropertiesOut()


class FeatureCollectionOut(PageMetaOut):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = FeatureOut(many=True)


class LocationOut(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)


class OfferingPublicOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    duration_minutes = serializers.IntegerField(min_value=1)
    price = MoneyOut(allow_null=True)
    capacity = serializers.IntegerField(min_value=1)
    is_group = serializers.BooleanField()
    location = LocationOut(allow_null=True)


class TrainerDetailOut(TrainerSummaryOut):
    bio = serializers.CharField(allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField(help_text="IANA, e.g. Europe/Stockholm.")
    offerings = OfferingPublicOut(many=True)


# --- views -------------------------------------------------------------------------------------


_write_trainer_page = SharedOutput(TrainerPageOut)
_write_feature_collection = SharedOutput(FeatureCollectionOut)


class TrainerListView(PublicApiView):
    """GET /api/trainers?bbox=west,south,east,north&category=&q=&price_max=&sort=&page=&format="""

    @extend_schema(
        operation_id="trainers_list",  # else it collides with the detail view's trainers_retrieve
        auth=[],
        parameters=[TrainerListQuery],
        responses={
            (200, "application/json"): TrainerPageOut,
            (200, GEOJSON_CONTENT_TYPE): FeatureCollectionOut,
            **error_responses(
                400,
                404,
                422,
                codes={
                    400: ["INVALID_BBOX", "INVALID_FILTER"],
                    404: ["INVALID_FILTER"],
                    422: ["INVALID_BBOX", "INVALID_FILTER"],
                },
            ),
        },
        description="Published trainers in the box, 50 a page. 404 for a page past the last.",
    )
    def get(self, request):
        filters, output = parse_list_params(request.query_params)
        count_limit = TEXT_COUNT_LIMIT if filters["q"] else COUNT_LIMIT
        page = trainers_page(**filters, page_size=PAGE_SIZE, count_limit=count_limit)
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
            return Response(_write_feature_collection(body), content_type=GEOJSON_CONTENT_TYPE)
        return Response(_write_trainer_page({**meta, "results": summaries}))


class TrainerDetailView(PublicApiView):
    """GET /api/trainers/<id>: a published trainer with active offerings."""

    @extend_schema(auth=[], responses={200: TrainerDetailOut, **error_responses(404)})
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
        return Response(TrainerDetailOut(body).data)
