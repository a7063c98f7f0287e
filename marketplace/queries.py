import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from storage import services as storage_services
from storage.models import Folder, Kind, Status, UserFile

from . import crypto, discovery_filters, signals
from .models import Category, CertificateRejection, Offering, TrainerProfile, User


def user_get_by_email(email: str) -> User | None:
    """The only way to find a user by email: through the blind index, case-insensitive."""
    return User.objects.filter(email_index=crypto.blind_index(email)).first()


# --- publishing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishRequirement:
    """One thing a page needs before it is published: a line of the setup checklist, and the
    refusal ``services.trainer_publish`` raises (on ``field``) while it is not ``done``."""

    field: str
    label: str
    done: bool
    missing: str
    url: str = ""
    action: str = ""


# The publish requirement REQUIRE_VERIFICATION_TO_PUBLISH adds (services: VERIFICATION_REQUIRED).
VERIFICATION_FIELD = "verified"


def publish_requirements(profile: TrainerProfile) -> list[PublishRequirement]:
    """In the order a new trainer meets them: where they train, an offering, then what other
    apps add through ``signals.trainer_publish_requirements`` (bookings: a schedule)."""
    saved = profile.pk is not None
    requirements = [
        PublishRequirement(
            field="latitude",
            label=_("Your location is set on the map"),
            done=profile.has_location,
            missing=_("Set your location on the map before publishing."),
            url=reverse("trainer-profile"),
            action=_("Fill in your profile"),
        ),
        PublishRequirement(
            field="offerings",
            label=_("At least one bookable offering"),
            done=saved and Offering.objects.filter(trainer_id=profile.pk, is_active=True).exists(),
            missing=_("Add at least one active offering before publishing."),
            url=reverse("trainer-offering-new"),
            action=_("Add an offering"),
        ),
    ]
    if settings.REQUIRE_VERIFICATION_TO_PUBLISH:
        requirements.append(
            PublishRequirement(
                field=VERIFICATION_FIELD,
                label=_("Traino has verified your certificates"),
                done=profile.verified_at is not None,
                missing=_(
                    "Traino must verify you before your page is published: upload a "
                    "certificate and wait for staff to check it."
                ),
                url=reverse("trainer-profile") + "#certificates",
                action=_("Upload a certificate"),
            )
        )
    if saved:
        replies = signals.trainer_publish_requirements.send(sender=TrainerProfile, profile=profile)
        for _receiver, answer in replies:
            requirements.extend(answer or ())
    return requirements


# --- discovery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoundingBox:
    """west, south, east, north in degrees; edges are inside (BETWEEN, as the seed's query)."""

    west: float
    south: float
    east: float
    north: float


def trainers_discover(
    *,
    bbox: BoundingBox,
    category: Category | None = None,
    q: str = "",
    price_max: int | None = None,
    min_rating: Decimal | None = None,
    verified: bool = False,
    extra: dict | None = None,
    sort: str = "",
) -> QuerySet[TrainerProfile]:
    """Published trainers inside the box, filtered, in a stable order for pagination
    (``SORTS``; by id without one): every order ends with the id, so trainers that tie keep
    their places from one page to the next.

    The category goes through an EXISTS subquery rather than a join, so no DISTINCT is
    needed. The text (``trainer_text_matches``) matches the profile's own columns and the
    names of its categories. The box is matched against the public point, never the exact
    one (marketplace/location.py). ``extra``: values of the filters other apps registered
    (``discovery_filters``), applied last.

    Categories are not prefetched here: a page gets them in one query from
    ``trainer_categories`` as plain tuples (cheaper than model instances), so a page costs
    the same number of queries whatever its size.
    """
    qs = TrainerProfile.objects.filter(
        is_published=True,
        public_latitude__range=(bbox.south, bbox.north),
        public_longitude__range=(bbox.west, bbox.east),
    )
    if category is not None:
        qs = qs.filter(
            Exists(
                TrainerProfile.categories.through.objects.filter(
                    trainerprofile_id=OuterRef("pk"), category_id=category.pk
                )
            )
        )
    if q:
        qs = qs.filter(trainer_text_matches(q))
    if price_max is not None:
        qs = qs.filter(min_price_amount__lte=price_max)
    if min_rating is not None:
        qs = qs.filter(rating_count__gt=0, rating_avg__gte=min_rating)
    if verified:
        qs = qs.filter(verified_at__isnull=False)
    if extra:
        qs = discovery_filters.apply_all(qs, extra)
    return qs.only(*DISCOVERY_FIELDS).order_by(*trainer_order(sort, bbox))


SORTS = ("price", "rating", "distance")


def trainer_order(sort: str, bbox: BoundingBox) -> list:
    """``price``: lowest first, trainers without a price last; ``rating``: best average
    first, then most ratings, unrated last; ``distance``: nearest to the box's centre first.

    Distance is the flat (equirectangular) one, longitude scaled by the cosine of the
    centre's latitude: exact enough to order trainers inside one map view, and plain
    arithmetic that SQLite and PostgreSQL both evaluate.
    """
    if sort == "price":
        return [F("min_price_amount").asc(nulls_last=True), "id"]
    if sort == "rating":
        return [F("rating_avg").desc(nulls_last=True), "-rating_count", "id"]
    if sort == "distance":
        latitude = (bbox.south + bbox.north) / 2
        longitude = (bbox.west + bbox.east) / 2
        scale = math.cos(math.radians(latitude))
        dlat = F("public_latitude") - Value(latitude)
        dlon = (F("public_longitude") - Value(longitude)) * Value(scale)
        distance = ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())
        return [distance.asc(), "id"]
    return ["id"]


# The trigram index over TrainerProfile.search_text on PostgreSQL (migration 0007; no pending
# list and finer statistics on the column since migration 0011).
TEXT_SEARCH_INDEX = "trainer_search_text_trgm_idx"


def trainer_text_matches(q: str) -> Q:
    """Trainers whose name, city, bio, an active offering's title or a category's English or
    Swedish name contains ``q``, in any case.

    Offering titles and category names are copies on the profile (kept by
    ``trainer_refresh_min_price`` and ``trainer_refresh_category_names``): a subquery over
    another table, ORed with the profile's own columns, made PostgreSQL test every trainer
    in the box one by one. All of it is in one stored, upper-cased column
    (``search_text``), and ``q`` is upper-cased by the same database function, so a row
    costs one LIKE; on PostgreSQL the trigram index answers a rare word, and the planner's
    statistics on the column (300 histogram buckets, so that a phrase met in one of them does
    not read as 1 % of the trainers) send a frequent one or a small box down the primary key
    in id order.

    A substring, not full-text search: "lund" finds Lund, Lundqvist and Eklund alike, and a
    tsvector's words and prefixes would miss the last.
    """
    return Q(search_text__contains=Upper(Value(q)))


@dataclass(frozen=True)
class TrainersPage:
    """One page of ``trainers_discover`` with what its cards need, and the total.

    ``count`` is exact up to ``count_limit``; past it ``count == count_limit`` and
    ``count_exact`` is False.
    """

    number: int
    page_size: int
    trainers: list[TrainerProfile]
    categories: dict[int, list[tuple[str, str, str]]]
    photo_urls: dict[int, str]
    has_next: bool
    count: int
    count_exact: bool

    @property
    def last_number(self) -> int:
        """The last page there is, when ``count_exact`` (1 for no trainers at all)."""
        return max(1, math.ceil(self.count / self.page_size))


def trainers_page(
    *,
    bbox: BoundingBox,
    category: Category | None = None,
    q: str = "",
    price_max: int | None = None,
    min_rating: Decimal | None = None,
    verified: bool = False,
    extra: dict | None = None,
    sort: str = "",
    number: int = 1,
    page_size: int,
    count_limit: int,
) -> TrainersPage:
    """Page ``number`` (1-based) in a constant number of queries whatever its size.

    One row more than the page is read to know whether a next page exists; the bounded
    COUNT runs only when that is not the last page (on the last one the total is known),
    and stops at ``count_limit``: an exact count over a country-sized box reads every row.
    A page past the end has no trainers; the caller decides what to answer.
    """
    queryset = trainers_discover(
        bbox=bbox,
        category=category,
        q=q,
        price_max=price_max,
        min_rating=min_rating,
        verified=verified,
        extra=extra,
        sort=sort,
    )
    offset = (number - 1) * page_size
    rows = list(queryset[offset : offset + page_size + 1])
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    if not has_next and (rows or number == 1):
        count, count_exact = offset + len(rows), True
    else:
        # Unordered: any count_limit + 1 matching rows will do, so PostgreSQL stops at the
        # first ones its index gives instead of sorting or walking every match in id order.
        counted = queryset.order_by()[: count_limit + 1].count()
        count, count_exact = min(counted, count_limit), counted <= count_limit
    return TrainersPage(
        number=number,
        trainers=rows,
        categories=trainer_categories([p.pk for p in rows]) if rows else {},
        photo_urls=storage_services.profile_photo_urls([p.user_id for p in rows]) if rows else {},
        has_next=has_next,
        count=count,
        count_exact=count_exact,
        page_size=page_size,
    )


def trainer_categories(trainer_ids: list[int]) -> dict[int, list[tuple[str, str, str]]]:
    """{trainer id: [(slug, name_en, name_sv), ...]} in English name order, one query."""
    rows = (
        TrainerProfile.categories.through.objects.filter(trainerprofile_id__in=trainer_ids)
        .order_by("category__name_en", "category_id")
        .values_list(
            "trainerprofile_id", "category__slug", "category__name_en", "category__name_sv"
        )
    )
    categories: dict[int, list[tuple[str, str, str]]] = {pk: [] for pk in trainer_ids}
    for trainer_id, *category in rows:
        categories[trainer_id].append(tuple(category))
    return categories


DISCOVERY_FIELDS = (
    "id",
    "user",  # the photo lookup goes by user id
    "slug",
    "display_name",
    "city",
    "public_latitude",
    "public_longitude",
    "verified_at",
    "min_price_amount",
    "min_price_currency",
    "rating_avg",
    "rating_count",
)


def trainer_public_get(*, pk: int) -> TrainerProfile | None:
    """A published trainer with categories and active offerings, for the public API and page."""
    return (
        TrainerProfile.objects.filter(pk=pk, is_published=True)
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("name_en")),
            Prefetch(
                "offerings",
                queryset=Offering.objects.filter(is_active=True).order_by("price_amount", "id"),
                to_attr="active_offerings",
            ),
        )
        .first()
    )


def category_get_by_slug(slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


@dataclass(frozen=True)
class TrainerUpload:
    """One of the trainer's files as their settings page shows it."""

    file: UserFile
    url: str | None  # the thumbnail for images, a short-lived signed link for PDFs
    in_use: bool = False  # the profile photo the public page shows
    rejection: CertificateRejection | None = None  # staff's refusal of a certificate


def trainer_uploads(user_id: int) -> dict[str, list[TrainerUpload]]:
    """The trainer's profile photos (newest first), gallery (in order added) and certificates
    (newest first), every status, in one query; storage decides the URLs."""
    uploads: dict[str, list[TrainerUpload]] = {
        Folder.PROFILE: [],
        Folder.GALLERY: [],
        Folder.CERTIFICATE: [],
    }
    rows = (
        UserFile.objects.filter(user_id=user_id, folder__in=list(uploads))
        .select_related("rejection")
        .order_by("-created_at", "-id")
    )
    photo_in_use = False
    for row in rows:
        if row.kind == Kind.IMAGE:
            url = storage_services.thumbnail_url(file=row)
        else:
            url = storage_services.file_url(file=row)
        in_use = row.folder == Folder.PROFILE and row.status == Status.READY and not photo_in_use
        photo_in_use = photo_in_use or in_use
        rejection = getattr(row, "rejection", None)
        uploads[row.folder].append(
            TrainerUpload(file=row, url=url, in_use=in_use, rejection=rejection)
        )
    uploads[Folder.GALLERY].reverse()
    return uploads
