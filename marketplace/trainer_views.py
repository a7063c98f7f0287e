"""Pages of the catalogue: the discovery map's context, a trainer's public page, and the
trainer's own pages (become a trainer, the setup checklist, profile, offerings, publish).

Views parse, ask marketplace.permissions, call one service and render; a service's refusal
(a DomainError) is shown on the form.
"""

import math
import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from storage.services import gallery_images, profile_photo
from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import location, services
from .models import Category, TrainerProfile
from .permissions import can_view_trainer_page, offering_for_edit, trainer_profile_of
from .queries import SORTS, publish_requirements, trainer_uploads
from .redirects import requested_next
from .trainer_forms import (
    OfferingForm,
    TrainerProfileForm,
    language_name,
)

STOCKHOLM = (59.3293, 18.0686)
DISCOVERY_ZOOM = 11
DISCOVERY_MAX_PAGES = 6  # 300 trainers on the map at most; the count says how many there are


def map_config(**extra) -> dict:
    return {
        "tileUrl": settings.TRAINO_MAP_TILE_URL,
        "tileAttribution": settings.TRAINO_MAP_TILE_ATTRIBUTION,
        "zoomInTitle": gettext("Zoom in"),
        "zoomOutTitle": gettext("Zoom out"),
        **extra,
    }


def initials(name: str) -> str:
    """ "Anna Lindqvist" -> "AL": the avatar until the trainer uploads a photo."""
    words = name.split()
    if not words:
        return "?"
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def _parse_view(raw: str) -> tuple[tuple[float, float], int] | None:
    """``at=59.33,18.07,12`` (kept in the address bar by the map) -> ((lat, lon), zoom)."""
    parts = raw.split(",")
    if len(parts) != 3:
        return None
    try:
        latitude, longitude, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        return None
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if abs(latitude) > 85 or abs(longitude) > 180 or not 3 <= zoom <= 18:
        return None
    return (latitude, longitude), zoom


MAX_PRICE_KR = 21_474_836  # the API's price_max limit (2**31 - 1 öre), in whole kronor


def price_max_message() -> str:
    return gettext("Enter the max price in whole kronor, from 0 to %(max)s.") % {
        "max": f"{MAX_PRICE_KR:,}".replace(",", "\u00a0")
    }


def price_max_error(raw: str) -> str:
    """The max price as typed in kronor: empty or a whole number up to MAX_PRICE_KR; else
    the message the page shows at the field (the page's script checks the same)."""
    if not raw or (raw.isascii() and raw.isdigit() and int(raw) <= MAX_PRICE_KR):
        return ""
    return price_max_message()


def discovery_sorts() -> list[tuple[str, str]]:
    return [
        ("distance", gettext("Nearest first")),
        ("price", gettext("Lowest price")),
        ("rating", gettext("Highest rating")),
    ]


WEEKDAY_VALUES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def discovery_weekdays() -> list[tuple[str, str]]:
    """The "free on" days of the search by when (the API's ``days`` values)."""
    labels = [
        gettext("Mon"),
        gettext("Tue"),
        gettext("Wed"),
        gettext("Thu"),
        gettext("Fri"),
        gettext("Sat"),
        gettext("Sun"),
    ]
    return list(zip(WEEKDAY_VALUES, labels, strict=True))


def _clock(raw: str) -> str:
    return raw if CLOCK.fullmatch(raw) else ""


def discovery_context(request) -> dict:
    """What the home page needs: filter values from the query string and the map's config.

    The search box is read by GET /api/search (marketplace.search): the page's script asks
    it and moves the map to a place it names; ``match=text`` keeps the words as text.
    """
    view = _parse_view(request.GET.get("at", ""))
    center, zoom = view if view else (STOCKHOLM, DISCOVERY_ZOOM)
    price_max = request.GET.get("price_max", "").strip()[:20]
    sort = request.GET.get("sort", "")
    min_rating = request.GET.get("min_rating", "")
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "category": request.GET.get("category", ""),
        "price_max": price_max,
        "sort": sort if sort in SORTS else "distance",
        "available": request.GET.get("available") == "week",
        "min_rating": min_rating if min_rating in ("4", "4.5") else "",
        "verified": request.GET.get("verified") == "true",
        "days": [day for day in request.GET.getlist("days") if day in WEEKDAY_VALUES],
        "from_time": _clock(request.GET.get("from_time", "")),
        "to_time": _clock(request.GET.get("to_time", "")),
        "match": "text" if request.GET.get("match") == "text" else "",
    }
    config = map_config(
        apiUrl=reverse("api-trainers"),
        searchUrl=reverse("api-search"),
        availabilityUrl=reverse("api-available-trainers"),
        center=list(center),
        zoom=zoom,
        viewGiven=view is not None,
        maxPages=DISCOVERY_MAX_PAGES,
        maxPriceKr=MAX_PRICE_KR,
        locale=get_language() or settings.LANGUAGE_CODE,
        text={
            "from": gettext("from %(price)s"),
            "countOne": gettext("1 trainer in this area"),
            "countOther": gettext("%(count)s trainers in this area"),
            "countPartial": gettext("Showing %(shown)s of %(count)s trainers in this area"),
            "countMore": gettext("Showing %(shown)s of more than %(count)s trainers in this area"),
            "availableOne": gettext("1 trainer with free times this week"),
            "availableOther": gettext("%(count)s trainers with free times this week"),
            "availablePartial": gettext(
                "%(count)s with free times this week among the first %(checked)s of "
                "%(total)s trainers in this area"
            ),
            "empty": gettext("No trainers here yet."),
            "verified": gettext("Verified"),
            "emptyHint": gettext("Zoom out, move the map or loosen the filters."),
            "loadFailed": gettext("The trainers could not be loaded. Try again in a moment."),
            "tilesUnavailable": gettext("The map background could not be loaded."),
            "clusterTitle": gettext("%(count)s trainers: click to zoom in"),
            "priceError": price_max_message(),
            "around": gettext("Trainers around %(place)s."),
            "aroundText": gettext("Trainers around %(place)s matching “%(text)s”."),
            "searchAsText": gettext("Search for “%(q)s” in names and descriptions instead"),
        },
    )
    return {
        "categories": Category.objects.all(),
        "filters": filters,
        "weekdays": discovery_weekdays(),
        "price_error": price_max_error(price_max),
        "max_price_kr": MAX_PRICE_KR,
        "sorts": discovery_sorts(),
        "discovery_config": config,
        "own_profile": trainer_profile_of(request.user),
    }


def trainer_detail(request, slug: str):
    profile = get_object_or_404(
        TrainerProfile.objects.select_related("user").prefetch_related("categories"), slug=slug
    )
    if not can_view_trainer_page(request.user, profile):
        raise Http404
    offerings = list(profile.offerings.filter(is_active=True))
    is_owner = request.user.is_authenticated and profile.user_id == request.user.pk
    # The exact place is the trainer's and staff's; everyone else sees the public point
    # (marketplace/location.py) and the area. Trainees who booked find the exact place on
    # their booking's page.
    show_exact = is_owner or (request.user.is_authenticated and request.user.is_staff)
    location_config = None
    if profile.has_location:
        location_config = map_config(
            latitude=profile.latitude if show_exact else profile.public_latitude,
            longitude=profile.longitude if show_exact else profile.public_longitude,
            approximate=not show_exact,
            radius=location.CELL_METRES,
            zoom=14,
            label=profile.display_name,
        )
    context = {
        "profile": profile,
        "initials": initials(profile.display_name),
        "photo": profile_photo(profile.user_id),
        "gallery": gallery_images(profile.user_id),
        "offerings": offerings,
        "spoken_languages": [language_name(code) for code in profile.languages or []],
        "location_config": location_config,
        # The free-times calendar pages up to the last day schedules are expanded to.
        "horizon_days": settings.SCHEDULE_HORIZON_DAYS,
        "is_owner": is_owner,
        "show_exact": show_exact,
    }
    return render(request, "marketplace/trainer_detail.html", context)


# --- the trainer's own pages -----------------------------------------------------------------


def trainer_required(view):
    """Logged in (else the login page) and a trainer (else the page that makes you one).

    The view gets the user's own profile: nobody reaches anyone else's through these pages.
    """

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        profile = trainer_profile_of(request.user)
        if profile is None:
            return redirect("trainer-become")
        return view(request, profile, *args, **kwargs)

    return wrapper


@login_required
@require_http_methods(["GET", "POST"])
def trainer_become(request):
    if trainer_profile_of(request.user) is not None:
        return redirect("trainer-profile")
    if request.method == "POST":
        services.trainer_become(user=request.user)
        messages.success(
            request, gettext("You are a trainer now. Follow the steps to publish your page.")
        )
        return redirect("trainer-setup")
    return render(request, "marketplace/trainer/become.html")


def _render_setup(request, profile, *, publish_errors=(), status=200):
    """The new trainer's checklist: each requirement of publishing, done or not, with a link
    that comes back here once the step is saved; then the publish button."""
    back = urlencode({"next": reverse("trainer-setup")})
    requirements = publish_requirements(profile)
    steps = [
        {"requirement": requirement, "url": f"{requirement.url}?{back}"}
        for requirement in requirements
    ]
    next_step = next((step for step in steps if not step["requirement"].done), None)
    context = {
        "profile": profile,
        "steps": steps,
        "next_step": next_step,
        "ready": next_step is None,
        "publish_errors": publish_errors,
        "tab": "setup",
    }
    return render(request, "marketplace/trainer/setup.html", context, status=status)


@trainer_required
def trainer_setup(request, profile):
    return _render_setup(request, profile)


def _render_profile(request, profile, form, *, publish_errors=(), status=200):
    context = {
        "profile": profile,
        "form": form,
        "checklist": publish_requirements(profile),
        "publish_errors": publish_errors,
        "next": requested_next(request),
        "location_config": map_config(
            center=list(STOCKHOLM),
            zoom=DISCOVERY_ZOOM,
            latitudeInput=form["latitude"].id_for_label,
            longitudeInput=form["longitude"].id_for_label,
            addressInput=form["address"].id_for_label,
            placesUrl=reverse("api-places"),
            text={
                "searching": gettext("Searching…"),
                "none": gettext("No place found. Try a street and a town, or click the map."),
                "failed": gettext("The search did not work. Try again, or click the map."),
                "tooShort": gettext("Type at least two letters."),
                "found": gettext("Choose the place to put the pin there:"),
                "placed": gettext("The pin is on %(name)s. Save your profile to keep it."),
            },
        ),
        "tab": "profile",
        "uploads": trainer_uploads(profile.user_id),
        "initials": initials(profile.display_name),
    }
    return render(request, "marketplace/trainer/profile.html", context, status=status)


@trainer_required
@require_http_methods(["GET", "POST"])
def trainer_profile(request, profile):
    if request.method == "POST":
        form = TrainerProfileForm(request.POST, profile=profile)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            categories = fields.pop("categories")
            try:
                services.trainer_profile_update(profile=profile, categories=categories, **fields)
            except DomainError as exc:
                add_domain_error(form, exc)
                profile.refresh_from_db()
            else:
                messages.success(request, gettext("Your profile is saved."))
                return redirect(requested_next(request) or "trainer-profile")
    else:
        form = TrainerProfileForm(profile=profile)
    return _render_profile(request, profile, form)


@trainer_required
@require_POST
def trainer_publish(request, profile):
    """Publish or hide; the setup checklist's button (``page=setup``) shows a refusal there and
    a success on the published page itself."""
    published = request.POST.get("published") == "1"
    from_setup = request.POST.get("page") == "setup"
    try:
        services.trainer_publish(profile=profile, published=published)
    except DomainError as exc:
        fields = exc.field_messages().values()
        errors = [message for messages_ in fields for message in messages_] or [str(exc.message)]
        if from_setup:
            return _render_setup(request, profile, publish_errors=errors)
        return _render_profile(
            request, profile, TrainerProfileForm(profile=profile), publish_errors=errors
        )
    if published:
        messages.success(request, gettext("Your page is published: trainees can find you now."))
        if from_setup:
            return redirect("trainer-detail", slug=profile.slug)
    else:
        messages.success(request, gettext("Your page is hidden from the map and the search."))
    return redirect("trainer-profile")


@trainer_required
def trainer_offerings(request, profile):
    """Active offerings first, then archived ones; one that no schedule uses (and so no
    booking either) can be deleted, the others only archived."""
    offerings = profile.offerings.annotate(in_use=Count("schedules")).order_by(
        "-is_active", "price_amount", "id"
    )
    context = {"profile": profile, "offerings": list(offerings), "tab": "offerings"}
    return render(request, "marketplace/trainer/offerings.html", context)


def _render_offering_form(request, profile, form, offering=None, affected=None):
    context = {
        "profile": profile,
        "form": form,
        "offering": offering,
        "affected": affected,
        "tab": "offerings",
    }
    return render(request, "marketplace/trainer/offering_form.html", context)


@trainer_required
@require_http_methods(["GET", "POST"])
def trainer_offering_new(request, profile):
    form = OfferingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offering_create(profile=profile, **form.service_fields())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("The offering is saved."))
            return redirect(requested_next(request) or "trainer-offerings")
    return _render_offering_form(request, profile, form)


@login_required
@require_POST
def trainer_offering_restore(request, offering_id: int):
    """Make an archived offering bookable again."""
    offering = offering_for_edit(request.user, offering_id)
    try:
        services.offering_update(offering=offering, is_active=True)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            gettext("%(title)s is bookable again. Put it in your calendar to offer sessions.")
            % {"title": offering.title},
        )
    return redirect("trainer-offerings")


@login_required
@require_POST
def trainer_offering_delete(request, offering_id: int):
    """Delete an offering nothing uses; one with schedules (and so bookings) is refused with
    OFFERING_IN_USE: archive it instead."""
    offering = offering_for_edit(request.user, offering_id)
    title = offering.title
    try:
        services.offering_delete(offering=offering)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, gettext("%(title)s is deleted.") % {"title": title})
    return redirect("trainer-offerings")


@login_required
@require_http_methods(["GET", "POST"])
def trainer_offering_edit(request, offering_id: int):
    offering = offering_for_edit(request.user, offering_id)
    profile = offering.trainer
    if request.method == "POST":
        form = OfferingForm(request.POST, offering=offering)
        if form.is_valid():
            was_published = profile.is_published
            try:
                services.offering_update(offering=offering, **form.service_fields())
            except DomainError as exc:
                offering.refresh_from_db()
                if exc.code == "BOOKINGS_AFFECTED":
                    # Shown with a way through: archiving it cancels them (bookings' page).
                    affected = {
                        "message": str(exc.message),
                        "lines": exc.field_messages().get("bookings", []),
                        "archiving": not form.cleaned_data["is_active"],
                    }
                    return _render_offering_form(request, profile, form, offering, affected)
                add_domain_error(form, exc)
            else:
                messages.success(request, gettext("The offering is saved."))
                if was_published and not offering.trainer.is_published:
                    messages.warning(
                        request,
                        gettext(
                            "You have no bookable offering left, so your page is hidden. "
                            "Make an offering bookable and publish again."
                        ),
                    )
                return redirect("trainer-offerings")
    else:
        form = OfferingForm(offering=offering)
    return _render_offering_form(request, profile, form, offering)
