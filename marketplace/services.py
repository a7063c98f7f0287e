"""Writes that belong to the marketplace: accounts, API tokens, trainer profiles and offerings."""

import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from storage.models import UserFile
from traino.exceptions import InvalidInput

from . import signals
from .errors import EmailTaken, LocationRequired, NotPublishable, VerificationRequired
from .models import ApiToken, Offering, Role, TrainerProfile, User, hash_token
from .queries import VERIFICATION_FIELD, publish_requirements, user_get_by_email

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
    """Create an account; a taken email (any case) is EmailTaken on ``email``."""
    if role not in Role.values:
        raise InvalidInput.on_field("role", _("Unknown role."))
    if user_get_by_email(email) is not None:
        raise EmailTaken.on_field("email")
    user = User(name=name, role=role)
    user.email = User.objects.normalize_email(email)
    user.phone = phone
    _set_personnummer(user, personnummer)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same email signed up a moment ago
        raise EmailTaken.on_field("email") from exc
    return user


@transaction.atomic
def user_sign_up(*, email: str, password: str, role: str, name: str = "") -> User:
    """A new account from the sign-up page; a trainer also gets their (unpublished) page, so
    they go straight on to setting it up."""
    user = user_create(email=email, password=password, role=role, name=name)
    if user.role == Role.TRAINER:
        trainer_become(user=user)
    return user


def _set_personnummer(user: User, value: str) -> None:
    """The model's setter normalizes (and so validates) the number before encrypting it."""
    try:
        user.personnummer = value
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc, field="personnummer") from exc


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


@transaction.atomic
def user_password_set(*, user: User, password: str | None) -> User:
    """Set ``user``'s password (None: no usable password) and revoke every API token they have.

    Every way a password changes goes through here: the account page, the reset link and the
    admin (the password forms in forms.py). A token must not outlive the password that issued
    it. Browser sessions end without work here: Django signs each session with a hash of the
    password, so every other session fails that check at its next request and is logged out;
    a view that keeps its own session calls ``update_session_auth_hash`` after this.
    """
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return user


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
    try:
        with transaction.atomic():
            user.delete()
    except (ProtectedError, RestrictedError):
        # Another app keeps rows that must outlive the person (a payout account, say).
        user_anonymise(user=user)
        return "anonymised"
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
    # Photos, certificates and documents: rows now, stored objects once this commits
    # (storage.signals).
    UserFile.objects.filter(user=user).delete()
    profile = TrainerProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:
        # Titles and prices stay: the bookings' bookkeeping names what was sold.
        Offering.objects.filter(trainer=profile).update(
            is_active=False, description="", location_name="", latitude=None, longitude=None
        )
        profile.display_name = str(_("Former trainer"))
        profile.slug = f"former-trainer-{secrets.token_hex(6)}"  # the old one carried the name
        profile.bio = ""
        profile.address = ""
        profile.city = ""
        profile.latitude = None
        profile.longitude = None
        profile.categories.clear()
        profile.save(
            update_fields=[
                "display_name",
                "slug",
                "bio",
                "address",
                "city",
                "latitude",
                "longitude",
            ]
        )
        trainer_refresh_min_price(profile=profile)  # no active offering left: unpublished
    return user


def user_update_details(
    *, user: User, name: str, phone: str, personnummer: str | None = None
) -> User:
    """``personnummer`` None leaves it as it is (the trainee's page does not ask for it)."""
    user.name = name
    user.phone = phone
    fields = ["name", "phone_ciphertext"]
    if personnummer is not None:
        _set_personnummer(user, personnummer)
        fields.append("personnummer_ciphertext")
    user.save(update_fields=fields)
    return user


# --- catalogue: trainer profiles and offerings -------------------------------------------------

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
    "is_public_place",
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
        raise InvalidInput(
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    for name, value in fields.items():
        setattr(instance, name, value)


def _validate_languages(languages) -> None:
    if not isinstance(languages, list) or not all(
        isinstance(code, str) and len(code) == 2 and code.isalpha() and code.islower()
        for code in languages
    ):
        raise InvalidInput.on_field(
            "languages", _('Languages are two-letter ISO 639-1 codes, e.g. ["sv", "en"].')
        )


def _anonymous_display_name() -> str:
    """For a user without a name: neutral and random, never derived from the email (it
    would publish part of the address in the name and the public slug)."""
    return f"Trainer {secrets.token_hex(3)}"


@transaction.atomic
def trainer_become(*, user: User, display_name: str = "") -> TrainerProfile:
    """Make ``user`` a trainer with an unpublished profile; calling it twice changes nothing.

    The profile is named ``display_name``, else the user's name; its slug follows from it.
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
    display_name = display_name.strip() or user.name.strip() or _anonymous_display_name()
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
    _full_clean(locked, exclude=["user", "categories"])
    if locked.is_published and not locked.has_location:
        raise LocationRequired.on_field("latitude")
    locked.save(update_fields=[*sorted(fields), "updated_at"])
    if categories is not None:
        locked.categories.set(categories)
    _copy_row(locked, to=profile)
    return profile


def trainer_profile_validate(*, profile: TrainerProfile) -> None:
    """The checks of ``trainer_profile_update`` and, for a profile meant to be published,
    of ``trainer_publish``, on a model form's instance (the model's own checks have run),
    without saving: the admin shows a refusal on its form first. The services check again
    on the locked row."""
    _validate_languages(profile.languages)
    if profile.is_published:
        _check_publishable(profile)


def _full_clean(instance, *, exclude: list[str]) -> None:
    """The model's own checks (field validators, ``clean()``) as the service's refusal."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc) from exc


def _copy_row(source: TrainerProfile, *, to: TrainerProfile) -> None:
    """The caller's instance gets the row as it is now, not only the fields it changed."""
    for field in TrainerProfile._meta.concrete_fields:
        setattr(to, field.attname, getattr(source, field.attname))


@dataclass(frozen=True)
class OfferingCopies:
    """What a profile keeps of its active offerings, so discovery reads one row."""

    min_price_amount: int | None
    min_price_currency: str | None
    offering_titles: str


def offering_copies(active: Iterable[tuple[int, str, str, bool]]) -> OfferingCopies:
    """The headline-price rule, from the active offerings as (price_amount, currency,
    title, has_upcoming_sessions) in creation order: the lowest price among the offerings
    that have sessions to come (the first of equal ones), so a cheap offering nobody can
    book does not set it; when none has any, the lowest of them all (the page then shows
    prices but no free times). Every title, cheapest first, for the text search. Amounts
    are compared directly: every offering is in SEK (``Currency``)."""
    cheapest_first = sorted(active, key=lambda offering: offering[0])
    if not cheapest_first:
        return OfferingCopies(min_price_amount=None, min_price_currency=None, offering_titles="")
    scheduled = [offering for offering in cheapest_first if offering[3]]
    amount, currency, *_rest = (scheduled or cheapest_first)[0]
    titles = "\n".join(offering[2] for offering in cheapest_first)
    return OfferingCopies(
        min_price_amount=amount, min_price_currency=currency, offering_titles=titles
    )


def _active_offerings(trainer_ids: Collection[int]):
    """(trainer id, price, currency, title, has upcoming sessions), in creation order."""
    return (
        Offering.objects.filter(trainer_id__in=trainer_ids, is_active=True)
        .order_by("trainer_id", "id")
        .values_list("trainer_id", "price_amount", "currency", "title", "has_upcoming_sessions")
    )


@transaction.atomic
def trainer_refresh_min_price(*, profile: TrainerProfile) -> TrainerProfile:
    """Copy the headline price and the active titles onto the profile, for discovery's
    price filter, list and text search (one row to read, no subquery).

    The profile row is locked first, so two offering changes at once cannot leave a stale
    copy. A published profile whose last active offering went away is unpublished: the map
    never shows a trainer with nothing to book.
    """
    locked = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
    copies = offering_copies(row[1:] for row in _active_offerings([locked.pk]))
    locked.min_price_amount = copies.min_price_amount
    locked.min_price_currency = copies.min_price_currency or locked.min_price_currency
    locked.offering_titles = copies.offering_titles
    update = ["min_price_amount", "min_price_currency", "offering_titles", "updated_at"]
    if copies.min_price_amount is None and locked.is_published:
        locked.is_published = False
        update.append("is_published")
    locked.save(update_fields=update)
    for name in update:
        setattr(profile, name, getattr(locked, name))
    return profile


@transaction.atomic
def trainers_set_upcoming_offerings(*, upcoming: Mapping[int, Iterable[int]]) -> None:
    """Record which offerings have sessions to come and refresh the headline prices.

    ``upcoming`` maps each trainer id to the ids of its offerings that have a session to
    come; the trainer's other offerings have none. Bookings owns schedules and calls this
    whenever a trainer's schedules change, and daily for sessions that ran out (marketplace
    does not import bookings). The profiles are locked in id order first, like every writer
    of the copies, so this and an offering change cannot interleave nor deadlock.
    """
    trainer_ids = sorted(upcoming)
    for start in range(0, len(trainer_ids), 2000):
        chunk = trainer_ids[start : start + 2000]
        profiles = list(
            TrainerProfile.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .only("pk", "min_price_amount", "min_price_currency")
        )
        scheduled = {offering_id for pk in chunk for offering_id in upcoming[pk]}
        offerings = Offering.objects.filter(trainer_id__in=chunk)
        offerings.filter(pk__in=scheduled, has_upcoming_sessions=False).update(
            has_upcoming_sessions=True
        )
        offerings.exclude(pk__in=scheduled).filter(has_upcoming_sessions=True).update(
            has_upcoming_sessions=False
        )
        rows: dict[int, list[tuple]] = {profile.pk: [] for profile in profiles}
        for trainer_id, *offering in _active_offerings(chunk):
            rows[trainer_id].append(offering)
        changed = []
        for profile in profiles:
            copies = offering_copies(rows[profile.pk])
            if copies.min_price_amount is None:
                continue  # no active offering: nothing to price (trainer_refresh_min_price's case)
            price = (copies.min_price_amount, copies.min_price_currency)
            if (profile.min_price_amount, profile.min_price_currency) != price:
                profile.min_price_amount, profile.min_price_currency = price
                changed.append(profile)
        TrainerProfile.objects.bulk_update(changed, ["min_price_amount", "min_price_currency"])


def category_names_text(names: Iterable[tuple[str, str]]) -> str:
    """The ``category_names`` copy: each (English, Swedish) name, one per line, in the given
    order, a Swedish name equal to the English one written once."""
    lines: list[str] = []
    for name_en, name_sv in names:
        lines.extend([name_en] if name_sv == name_en else [name_en, name_sv])
    return "\n".join(lines)


@transaction.atomic
def trainer_refresh_category_names(*, trainer_ids: Iterable[int]) -> None:
    """Copy the names of each trainer's categories onto the profile, for discovery's text
    search (a query that names a category finds its trainers from one table, one index).

    Called whenever categories change: a trainer's set, a category's name, a category
    deleted (marketplace.receivers). The profile rows are locked in id order first, so two
    changes at once cannot leave a stale copy nor deadlock.
    """
    ids = sorted(set(trainer_ids))
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        profiles = list(
            TrainerProfile.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .only("pk")
        )
        names: dict[int, list[tuple[str, str]]] = {profile.pk: [] for profile in profiles}
        links = (
            TrainerProfile.categories.through.objects.filter(trainerprofile_id__in=names)
            .order_by("category__name_en", "category_id")
            .values_list("trainerprofile_id", "category__name_en", "category__name_sv")
        )
        for trainer_id, name_en, name_sv in links:
            names[trainer_id].append((name_en, name_sv))
        for profile in profiles:
            profile.category_names = category_names_text(names[profile.pk])
        TrainerProfile.objects.bulk_update(profiles, ["category_names"])


def _offering_clean(offering: Offering) -> None:
    offering.currency = (offering.currency or "").upper()
    _full_clean(offering, exclude=["trainer"])


OFFERING_TRACKED_FIELDS = frozenset({*OFFERING_FIELDS, "trainer"})


def _offering_changes(offering: Offering) -> set[str]:
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


def _ask_receivers(offering: Offering, changes: set[str], *, deleted: bool = False) -> None:
    """Ask the receivers of ``offering_will_change`` (see signals.py); they may raise."""
    created = offering._state.adding
    if changes or created or deleted:
        signals.offering_will_change.send(
            sender=Offering, offering=offering, changes=changes, created=created, deleted=deleted
        )


def _after_write(
    offering: Offering,
    changes: set[str],
    *,
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


def _offering_check(offering: Offering) -> set[str]:
    _offering_clean(offering)
    changes = _offering_changes(offering)
    _ask_receivers(offering, changes)
    return changes


@transaction.atomic
def offering_validate(*, offering: Offering) -> None:
    """Every check of ``offering_create`` / ``offering_update`` (the model's, then the
    receivers of ``offering_will_change``) on an instance holding a form's values, without
    saving: the admin shows a refusal on its form first. The save checks again."""
    _offering_check(offering)


@transaction.atomic
def offering_create(*, profile: TrainerProfile, **fields) -> Offering:
    offering = Offering(trainer=profile)
    _set_fields(offering, fields, OFFERING_FIELDS)
    changes = _offering_check(offering)
    offering.save()
    _after_write(offering, changes, created=True, trainer=profile)
    return offering


@transaction.atomic
def offering_update(*, offering: Offering, **fields) -> Offering:
    """Change an offering; deactivating the last active one unpublishes the profile.

    Only the editable fields are written: ``has_upcoming_sessions`` is bookings' to keep,
    and the caller's instance may hold an old value of it."""
    _set_fields(offering, fields, OFFERING_FIELDS)
    changes = _offering_check(offering)
    offering.save(update_fields=[*OFFERING_FIELDS, "updated_at"])
    _after_write(offering, changes, trainer=offering.trainer)
    return offering


@transaction.atomic
def offering_delete(*, offering: Offering) -> None:
    """Delete an offering (its schedules protect it); the profile's copies follow."""
    Offering.objects.select_for_update().filter(pk=offering.pk).first()
    _ask_receivers(offering, set(), deleted=True)
    trainer, pk = offering.trainer, offering.pk
    offering.delete()
    offering.pk = pk  # receivers need to know which offering went
    _after_write(offering, set(), deleted=True, trainer=trainer)


@transaction.atomic
def trainer_publish(*, profile: TrainerProfile, published: bool) -> TrainerProfile:
    """Show or hide the profile. Publishing needs every ``publish_requirements``: a location,
    an active offering, and (from bookings, through a signal) an active schedule with a
    coming session.

    The checks run on the locked row: an offering deactivated at the same moment either
    commits first (and publishing is refused) or waits for us and then unpublishes
    (``trainer_refresh_min_price`` locks the same row). Schedules are not locked: a page
    stays published when its last schedule stops or runs out later; it then shows no times.
    """
    locked = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
    if published:
        _check_publishable(locked)
    if locked.is_published != published:
        locked.is_published = published
        locked.save(update_fields=["is_published", "updated_at"])
    _copy_row(locked, to=profile)
    return profile


def _check_publishable(profile: TrainerProfile) -> None:
    """Every publish requirement is met (queries.publish_requirements: a location, an active
    offering, and what other apps add, such as a schedule with a coming session)."""
    errors = {
        requirement.field: [requirement.missing]
        for requirement in publish_requirements(profile)
        if not requirement.done
    }
    if VERIFICATION_FIELD in errors:
        raise VerificationRequired(fields=errors)
    if errors:
        raise NotPublishable(fields=errors)


def trainer_set_rating(*, trainer_id: int, average, count: int) -> None:
    """Store the reviews' average and count on the trainer's row, so discovery reads one
    table. The caller (bookings' review services) computes them while it holds the row's
    lock (``select_for_update``), so concurrent reviews never store a stale average."""
    TrainerProfile.objects.filter(pk=trainer_id).update(rating_avg=average, rating_count=count)
