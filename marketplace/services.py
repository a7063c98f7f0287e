"""Writes that belong to the marketplace: accounts, API tokens, trainer profiles and offerings."""

import secrets
from collections.abc import Collection
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import signals
from .models import ApiToken, Offering, Role, TrainerProfile, User, hash_token
from .queries import user_get_by_email

TOKEN_PREFIX = "trn_"


def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.TRAINEE,
    name: str = "",
    phone: str = "",
    personnummer: str = "",
) -> User:
    """Create an account; a taken email (any case) is a ValidationError on ``email``."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="invalid")
    if user_get_by_email(email) is not None:
        raise ValidationError(
            {"email": _("An account with this email already exists.")}, code="unique"
        )
    user = User(name=name, role=role)
    user.email = User.objects.normalize_email(email)
    user.phone = phone
    try:
        user.personnummer = personnummer
    except ValidationError as exc:
        raise ValidationError({"personnummer": exc.messages}, code="invalid") from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same email signed up a moment ago
        raise ValidationError(
            {"email": _("An account with this email already exists.")}, code="unique"
        ) from exc
    return user


def api_token_issue(
    *, user: User, name: str = "", now: datetime | None = None
) -> tuple[ApiToken, str]:
    """Return (token row, raw token). The raw token is shown once and never stored."""
    now = now or timezone.now()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:12],
        name=name,
        expires_at=now + settings.API_TOKEN_TTL,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoked at once; the row stays until the beat task deletes it."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_delete_expired(*, now: datetime | None = None) -> int:
    """Remove tokens past their expiry, and revoked ones (they can never be used again)."""
    now = now or timezone.now()
    deleted, _per_model = ApiToken.objects.filter(
        Q(expires_at__lte=now) | Q(revoked_at__isnull=False)
    ).delete()
    return deleted


ANONYMISED_EMAIL_DOMAIN = "deleted.traino.invalid"


@transaction.atomic
def user_delete(*, user: User, cancel_bookings: bool = False, actor: User | None = None) -> str:
    """Close an account: "deleted", or "anonymised" when bookings (or their trail) refer to
    it, since those are never removed. Apps may refuse through ``user_will_be_deleted``
    (bookings: upcoming sessions, unless ``cancel_bookings``)."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    replies = signals.user_will_be_deleted.send(
        sender=User, user=user, cancel_bookings=cancel_bookings, actor=actor
    )
    if any(reply is True for _receiver, reply in replies):
        user_anonymise(user=user)
        return "anonymised"
    user.delete()
    return "deleted"


@transaction.atomic
def user_anonymise(*, user: User) -> User:
    """Remove the person from an account that history still refers to: no name, email,
    phone or personal number, no way to log in, no tokens; a trainer profile is hidden,
    emptied of personal details, and its offerings are switched off."""
    user.name = ""
    user.email = f"{user.uid}@{ANONYMISED_EMAIL_DOMAIN}"
    user.phone = ""
    user.personnummer = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    ApiToken.objects.filter(user=user).delete()
    profile = TrainerProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        Offering.objects.filter(trainer=profile).update(is_active=False)
        profile.display_name = str(_("Former trainer"))
        profile.bio = ""
        profile.address = ""
        profile.city = ""
        profile.latitude = None
        profile.longitude = None
        profile.categories.clear()
        profile.save(
            update_fields=["display_name", "bio", "address", "city", "latitude", "longitude"]
        )
        trainer_refresh_min_price(profile=profile)  # no active offering left: unpublished
    return user


def user_update_details(*, user: User, name: str, phone: str, personnummer: str) -> User:
    user.name = name
    user.phone = phone
    user.personnummer = personnummer
    user.save(update_fields=["name", "phone_ciphertext", "personnummer_ciphertext"])
    return user


# --- catalogue: trainer profiles and offerings (issue 3) --------------------------------------

PROFILE_FIELDS = frozenset(
    {"display_name", "bio", "languages", "city", "address", "latitude", "longitude", "time_zone"}
)
# What a trainer may set on an offering, in the order forms and the admin show it.
OFFERING_FIELDS = (
    "title",
    "description",
    "duration_minutes",
    "price_amount",
    "currency",
    "capacity",
    "latitude",
    "longitude",
    "location_name",
    "is_active",
)


def trainer_slug_for(display_name: str, *, exclude_pk: int | None = None) -> str:
    """A unique slug from the display name: "anna-lindqvist", then "anna-lindqvist-2"..."""
    max_length = TrainerProfile._meta.get_field("slug").max_length - 8
    base = slugify(display_name)[:max_length].strip("-") or "trainer"
    taken = set(
        TrainerProfile.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _set_fields(instance, fields: dict, allowed: Collection[str]) -> None:
    unknown = set(fields).difference(allowed)
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be changed here.")] for name in sorted(unknown)},
            code="invalid",
        )
    for name, value in fields.items():
        setattr(instance, name, value)


def _validate_languages(languages) -> None:
    if not isinstance(languages, list) or not all(
        isinstance(code, str) and len(code) == 2 and code.isalpha() and code.islower()
        for code in languages
    ):
        raise ValidationError(
            {"languages": [_('Languages are two-letter ISO 639-1 codes, e.g. ["sv", "en"].')]},
            code="invalid",
        )


def _anonymous_display_name() -> str:
    """For a user without a name: neutral and random, never derived from the email (it
    would publish part of the address in the name and the public slug)."""
    return f"Trainer {secrets.token_hex(3)}"


@transaction.atomic
def trainer_become(*, user: User) -> TrainerProfile:
    """Make ``user`` a trainer with an unpublished profile; calling it twice changes nothing.

    The user's row is locked, so a double-clicked button makes one profile; a slug taken by
    someone else in the same instant is retried with the next free one.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    profile = TrainerProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    if user.role == Role.TRAINEE:
        user.role = Role.TRAINER
        user.save(update_fields=["role"])
    display_name = user.name.strip() or _anonymous_display_name()
    attempts_left = 3
    while True:
        try:
            with transaction.atomic():
                return TrainerProfile.objects.create(
                    user=user, display_name=display_name, slug=trainer_slug_for(display_name)
                )
        except IntegrityError:
            attempts_left -= 1
            if not attempts_left:
                raise


@transaction.atomic
def trainer_profile_update(*, profile: TrainerProfile, categories=None, **fields) -> TrainerProfile:
    """Change the profile's own fields (and categories when given).

    The slug stays as it was: a public link keeps working after a rename. A published
    profile cannot lose its location (unpublish it first). The change is applied to the
    locked row and only the given fields are written: ``is_published`` and the copies kept
    by ``trainer_refresh_min_price`` are never written back from a stale instance.
    """
    locked = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
    _set_fields(locked, fields, PROFILE_FIELDS)
    if "languages" in fields:
        _validate_languages(locked.languages)
    locked.full_clean(exclude=["user", "categories"])
    if locked.is_published and not locked.has_location:
        raise ValidationError(
            {"latitude": [_("A published profile needs a location. Unpublish it first.")]},
            code="location_required",
        )
    locked.save(update_fields=[*sorted(fields), "updated_at"])
    if categories is not None:
        locked.categories.set(categories)
    _copy_row(locked, to=profile)
    return profile


def _copy_row(source: TrainerProfile, *, to: TrainerProfile) -> None:
    """The caller's instance gets the row as it is now, not only the fields it changed."""
    for field in TrainerProfile._meta.concrete_fields:
        setattr(to, field.attname, getattr(source, field.attname))


@transaction.atomic
def trainer_refresh_min_price(*, profile: TrainerProfile) -> TrainerProfile:
    """Copy the cheapest active offering and the active titles onto the profile, for
    discovery's price filter, list and text search (one row to read, no subquery).

    The profile row is locked first, so two offering changes at once cannot leave a stale
    copy. A published profile whose last active offering went away is unpublished: the map
    never shows a trainer with nothing to book.
    """
    locked = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
    active = list(
        Offering.objects.filter(trainer=locked, is_active=True)
        .order_by("price_amount", "id")
        .values_list("price_amount", "currency", "title")
    )
    cheapest = active[0] if active else None
    locked.min_price_amount = cheapest[0] if cheapest else None
    locked.min_price_currency = cheapest[1] if cheapest else locked.min_price_currency
    locked.offering_titles = "\n".join(title for _amount, _currency, title in active)
    update = ["min_price_amount", "min_price_currency", "offering_titles", "updated_at"]
    if cheapest is None and locked.is_published:
        locked.is_published = False
        update.append("is_published")
    locked.save(update_fields=update)
    for name in update:
        setattr(profile, name, getattr(locked, name))
    return profile


def _offering_clean(offering: Offering) -> None:
    offering.currency = (offering.currency or "").upper()
    offering.full_clean(exclude=["trainer"])


OFFERING_TRACKED_FIELDS = frozenset({*OFFERING_FIELDS, "trainer"})


def offering_changes(*, offering: Offering) -> set[str]:
    """The names of the fields whose value differs from the stored row, which is locked
    (call inside a transaction); all tracked fields for an offering not saved yet."""
    if offering._state.adding:
        return set(OFFERING_TRACKED_FIELDS)
    stored = Offering.objects.select_for_update().get(pk=offering.pk)
    return {
        name
        for name in OFFERING_TRACKED_FIELDS
        if getattr(offering, Offering._meta.get_field(name).attname)
        != getattr(stored, Offering._meta.get_field(name).attname)
    }


def offering_check_change(
    *, offering: Offering, changes: set[str], created: bool = False, deleted: bool = False
) -> None:
    """Ask the receivers of ``offering_will_change`` (see signals.py); they may raise."""
    if changes or created or deleted:
        signals.offering_will_change.send(
            sender=Offering, offering=offering, changes=changes, created=created, deleted=deleted
        )


def offering_after_write(
    *,
    offering: Offering,
    changes: set[str],
    created: bool = False,
    deleted: bool = False,
    trainer: TrainerProfile,
) -> None:
    """Refresh the profile's copies, then tell the receivers of ``offering_changed``."""
    trainer_refresh_min_price(profile=trainer)
    if changes or created or deleted:
        signals.offering_changed.send(
            sender=Offering, offering=offering, changes=changes, created=created, deleted=deleted
        )


@transaction.atomic
def offering_create(*, profile: TrainerProfile, **fields) -> Offering:
    offering = Offering(trainer=profile)
    _set_fields(offering, fields, OFFERING_FIELDS)
    _offering_clean(offering)
    changes = offering_changes(offering=offering)
    offering_check_change(offering=offering, changes=changes, created=True)
    offering.save()
    offering_after_write(offering=offering, changes=changes, created=True, trainer=profile)
    return offering


@transaction.atomic
def offering_update(*, offering: Offering, **fields) -> Offering:
    """Change an offering; deactivating the last active one unpublishes the profile."""
    _set_fields(offering, fields, OFFERING_FIELDS)
    _offering_clean(offering)
    changes = offering_changes(offering=offering)
    offering_check_change(offering=offering, changes=changes)
    offering.save()
    offering_after_write(offering=offering, changes=changes, trainer=offering.trainer)
    return offering


@transaction.atomic
def offering_delete(*, offering: Offering) -> None:
    """Delete an offering (its schedules protect it); the profile's copies follow."""
    Offering.objects.select_for_update().filter(pk=offering.pk).first()
    offering_check_change(offering=offering, changes=set(), deleted=True)
    trainer, pk = offering.trainer, offering.pk
    offering.delete()
    offering.pk = pk  # receivers need to know which offering went
    offering_after_write(offering=offering, changes=set(), deleted=True, trainer=trainer)


@transaction.atomic
def trainer_publish(*, profile: TrainerProfile, published: bool) -> TrainerProfile:
    """Show or hide the profile. Publishing needs a location and an active offering.

    The checks run on the locked row: an offering deactivated at the same moment either
    commits first (and publishing is refused) or waits for us and then unpublishes
    (``trainer_refresh_min_price`` locks the same row).
    """
    locked = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
    if published:
        errors = {}
        if not locked.has_location:
            errors["latitude"] = [_("Set your location on the map before publishing.")]
        if not locked.offerings.filter(is_active=True).exists():
            errors["offerings"] = [_("Add at least one active offering before publishing.")]
        if errors:
            raise ValidationError(errors, code="not_publishable")
    if locked.is_published != published:
        locked.is_published = published
        locked.save(update_fields=["is_published", "updated_at"])
    _copy_row(locked, to=profile)
    return profile
