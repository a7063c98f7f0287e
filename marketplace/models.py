import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.db.models.functions import Concat, Upper
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from storage.services import profile_photo_url

from . import crypto
from .location import public_point
from .personnummer import normalize_personnummer
from .validators import validate_location_pair, validate_time_zone


def encrypted_property(field: str, *, normalize=None) -> property:
    """Expose ``<field>_ciphertext`` as a plaintext attribute, encrypted with the row's AAD.

    A property rather than a model field: the associated data needs the row (``uid``), which
    a field's from_db_value never sees. The plaintext is cached next to the ciphertext it
    came from, so a refresh_from_db or a rotation never serves a stale value.
    """
    column = f"{field}_ciphertext"

    def fget(self) -> str:
        token = getattr(self, column)
        if not token:
            return ""
        cached = self.__dict__.get("_plaintexts", {}).get(field)
        if cached and cached[0] == token:
            return cached[1]
        plaintext = crypto.decrypt(token, aad=self.encryption_aad(field))
        self.__dict__.setdefault("_plaintexts", {})[field] = (token, plaintext)
        return plaintext

    def fset(self, value: str | None) -> None:
        value = (value or "").strip()
        if value and normalize:
            value = normalize(value)
        token = crypto.encrypt(value, aad=self.encryption_aad(field)) if value else ""
        setattr(self, column, token)
        self.__dict__.setdefault("_plaintexts", {})[field] = (token, value)

    return property(fget, fset, doc=f"{field}, stored encrypted in {column}")


class Role(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    TRAINER = "trainer", _("Trainer")
    STAFF = "staff", _("Staff")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> "User":
        """Log-in and createsuperuser hand us the email; we look it up by its blind index."""
        return self.get(email_index=crypto.blind_index(email or ""))

    def create_user(self, email: str | None = None, password: str | None = None, **extra):
        """Create a user from a plaintext email.

        createsuperuser knows only USERNAME_FIELD, so it hands the plaintext email over as
        ``email_index``; it is mapped here and hashed by the ``email`` setter. The supported
        call is ``manage.py createsuperuser --email_index admin@example.se`` (interactively
        the prompt reads "Email address"; non-interactively also DJANGO_SUPERUSER_EMAIL_INDEX
        and DJANGO_SUPERUSER_PASSWORD). A malformed email is a ValidationError, which
        createsuperuser prints as an error.
        """
        email = email or extra.pop("email_index", None)
        if not email:
            raise ValueError("A user needs an email address.")
        validate_email(email)
        user = self.model(**extra)
        user.email = self.normalize_email(email)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str | None = None, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.STAFF)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Email, phone and personnummer are encrypted at rest."""

    ENCRYPTED_FIELDS = ("email", "phone", "personnummer")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email_index = models.CharField(
        _("email address"),
        max_length=254,
        unique=True,
        editable=False,
        help_text=_("Keyed hash of the lower-cased email: lookups and uniqueness, no plaintext."),
    )
    email_ciphertext = models.TextField(editable=False)
    phone_ciphertext = models.TextField(blank=True, default="", editable=False)
    personnummer_ciphertext = models.TextField(blank=True, default="", editable=False)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.TRAINEE)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email_index"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["role"], name="user_role_idx")]

    def encryption_aad(self, field: str) -> bytes:
        """Row and field, bound into every ciphertext: a value copied elsewhere won't decrypt."""
        return f"{self._meta.label_lower}:{self.uid}:{field}".encode()

    def __getstate__(self):
        # Decrypted values never travel in a pickle (cache, session): they are re-read on use.
        state = super().__getstate__()
        state.pop("_plaintexts", None)
        return state

    _email = encrypted_property("email")
    phone = encrypted_property("phone")
    personnummer = encrypted_property("personnummer", normalize=normalize_personnummer)

    @property
    def email(self) -> str:
        return self._email

    @email.setter
    def email(self, value: str) -> None:
        self._email = value
        self.email_index = crypto.blind_index(value or "")

    def __str__(self) -> str:
        """Never the email: str() ends up in clear text in logs and django_admin_log."""
        return self.name or f"user {str(self.uid)[:8]}"

    def save(self, *args, **kwargs):
        if self.role == Role.STAFF:
            self.is_staff = True
        super().save(*args, **kwargs)

    def get_username(self) -> str:
        return self.email

    def natural_key(self) -> tuple[str]:
        return (self.email,)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    def clean(self) -> None:
        # AbstractBaseUser.clean normalizes the USERNAME_FIELD; ours is a hash, leave it.
        pass

    @property
    def is_trainer(self) -> bool:
        return self.role == Role.TRAINER


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: a leaked table grants nothing."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text=_("First characters, to tell tokens apart.")
    )
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        """The owner as ``str(User)``: a name or a short uid, never the email."""
        return f"{self.prefix}… ({self.user})"

    def unusable_reason(self, *, now=None) -> str | None:
        """Why this token cannot authenticate now ("revoked", "user_inactive", "expired"),
        or None when it can: the one place for the rule (BearerTokenAuthentication)."""
        if self.revoked_at is not None:
            return "revoked"
        if not self.user.is_active:
            return "user_inactive"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return None


class Category(models.Model):
    """A kind of training a trainer offers (yoga, strength...), named in English and Swedish."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_sv = models.CharField(_("name (Swedish)"), max_length=80)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_sv if (get_language() or "").startswith("sv") else self.name_en


def _default_time_zone() -> str:
    return settings.TRAINO_DEFAULT_TIME_ZONE


def _default_languages() -> list[str]:
    return []


# What discovery's text search reads, in this order; see TrainerProfile.search_text.
TEXT_SEARCH_FIELDS = ("display_name", "city", "bio", "offering_titles", "category_names")


def _search_text_expression():
    """The fields, one per line (a match cannot span two), in capitals."""
    parts: list = []
    for field in TEXT_SEARCH_FIELDS:
        parts.extend([models.F(field), models.Value("\n")])
    return Upper(Concat(*parts[:-1], output_field=models.TextField()))


LATITUDE_VALIDATORS = [MinValueValidator(-90.0), MaxValueValidator(90.0)]
LONGITUDE_VALIDATORS = [MinValueValidator(-180.0), MaxValueValidator(180.0)]


class TrainerProfile(models.Model):
    """A trainer's public face: what the map, the list and the public page show.

    ``min_price_*`` (the headline price: see ``services.offering_copies``) and
    ``offering_titles`` are copies of the active offerings kept by
    ``services.trainer_refresh_min_price``, ``category_names`` is kept by
    ``services.trainer_refresh_category_names``, and ``rating_*`` are meant as the reviews'
    average and count, so discovery reads one table.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="trainer_profile", verbose_name=_("user")
    )
    slug = models.SlugField(_("slug"), max_length=140, unique=True)
    display_name = models.CharField(_("display name"), max_length=120)
    bio = models.TextField(_("bio"), blank=True)
    categories = models.ManyToManyField(
        Category, related_name="trainers", blank=True, verbose_name=_("categories")
    )
    languages = models.JSONField(
        _("languages"),
        default=_default_languages,
        blank=True,
        help_text=_('ISO 639-1 codes, e.g. ["sv", "en"].'),
    )
    city = models.CharField(_("city"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=LATITUDE_VALIDATORS
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=LONGITUDE_VALIDATORS
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=_default_time_zone,
        validators=[validate_time_zone],
    )
    # The point every public response shows (see location.public_point): inside the ~500 m
    # grid cell of the exact one, fixed per trainer and cell. Kept by save().
    public_latitude = models.FloatField(_("public latitude"), null=True, blank=True, editable=False)
    public_longitude = models.FloatField(
        _("public longitude"), null=True, blank=True, editable=False
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("verified by"),
    )
    is_published = models.BooleanField(_("published"), default=False)
    min_price_amount = models.PositiveIntegerField(
        _("lowest price"), null=True, blank=True, editable=False
    )
    min_price_currency = models.CharField(
        _("lowest price currency"), max_length=3, default="SEK", editable=False
    )
    rating_avg = models.DecimalField(
        _("average rating"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False
    )
    rating_count = models.PositiveIntegerField(_("number of ratings"), default=0, editable=False)
    offering_titles = models.TextField(
        _("active offering titles"),
        blank=True,
        default="",
        editable=False,
        help_text=_("One per line, copied from the active offerings for the text search."),
    )
    category_names = models.TextField(
        _("category names"),
        blank=True,
        default="",
        editable=False,
        help_text=_(
            "In English and Swedish, one per line, copied from the categories for the text search."
        ),
    )
    # Discovery's text search reads one stored column: the database computes it on every write,
    # so matching a row costs one LIKE and no UPPER() (on PostgreSQL a trigram index serves it,
    # migrations 0007 and 0011). UPPER() folds every letter on PostgreSQL, ASCII only on SQLite.
    search_text = models.GeneratedField(
        expression=_search_text_expression(),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("search text"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("trainer profile")
        verbose_name_plural = _("trainer profiles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__isnull=False,
                        longitude__isnull=False,
                        latitude__gte=-90,
                        latitude__lte=90,
                        longitude__gte=-180,
                        longitude__lte=180,
                    )
                ),
                name="trainer_location_both_or_none_in_range",
            ),
        ]
        indexes = [
            # The bounding-box query, on the public point: only published rows, range on
            # latitude then longitude checked inside the index (bench/discovery.py).
            models.Index(
                fields=["public_latitude", "public_longitude"],
                name="trainer_published_public_idx",
                condition=models.Q(is_published=True),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        """The public point follows the exact one on every save that writes it."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"latitude", "longitude"} & set(update_fields):
            self.public_latitude, self.public_longitude = public_point(
                key=self.user_id, latitude=self.latitude, longitude=self.longitude
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "public_latitude", "public_longitude"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        validate_location_pair(self.latitude, self.longitude)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def photo_url(self) -> str | None:
        """The newest ready profile photo (full size) for the public page; lists use
        ``storage.services.profile_photo_urls`` for a whole page at once."""
        return profile_photo_url(self.user_id)


class Currency(models.TextChoices):
    """Currencies an offering may be priced in.

    SEK only: the profile's lowest price (``services.offering_copies``) and the discovery
    price filter compare amounts directly, which is only meaningful within one currency. A
    second currency here needs the lowest price computed per currency first.
    """

    SEK = "SEK", _("Swedish krona (SEK)")


class Offering(models.Model):
    """Something a trainer sells: a personal session (capacity 1) or a group session."""

    trainer = models.ForeignKey(
        TrainerProfile,
        on_delete=models.CASCADE,
        related_name="offerings",
        verbose_name=_("trainer"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    price_amount = models.PositiveIntegerField(
        _("price"), help_text=_("In the currency's minor unit: öre for SEK.")
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency, default=Currency.SEK)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("1 for personal training, more for a group session."),
    )
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=LATITUDE_VALIDATORS
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=LONGITUDE_VALIDATORS
    )
    location_name = models.CharField(_("location name"), max_length=200, blank=True)
    is_public_place = models.BooleanField(
        _("public place"),
        default=False,
        help_text=_(
            "A gym, a park: anyone may see exactly where. Otherwise the place is shown only "
            "to trainees who booked."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Whether a schedule of this offering has a session still to come. Kept by bookings,
    # which owns schedules, through services.trainers_set_upcoming_offerings: the profile's
    # headline price (services.offering_copies) is the lowest of these.
    has_upcoming_sessions = models.BooleanField(
        _("has upcoming sessions"), default=False, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["price_amount", "id"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=480),
                name="offering_duration_15_to_480",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="offering_capacity_at_least_1"
            ),
            models.CheckConstraint(
                condition=models.Q(currency__in=Currency.values),
                name="offering_currency_supported",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(latitude__isnull=False, longitude__isnull=False)
                ),
                name="offering_location_both_or_none",
            ),
        ]
        indexes = [
            models.Index(fields=["trainer", "is_active"], name="offering_trainer_active_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        validate_location_pair(self.latitude, self.longitude)

    @property
    def is_group(self) -> bool:
        return self.capacity > 1


class CertificateRejection(models.Model):
    """Staff's refusal of one uploaded certificate, with the reason the trainer sees on their
    profile page. Verifying the certificate again removes it (``verification`` services)."""

    file = models.OneToOneField(
        "storage.UserFile",
        on_delete=models.CASCADE,
        related_name="rejection",
        verbose_name=_("certificate"),
    )
    reason = models.TextField(_("reason"), max_length=500)
    rejected_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rejected by"),
    )
    rejected_at = models.DateTimeField(_("rejected"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate rejection")
        verbose_name_plural = _("certificate rejections")

    def __str__(self) -> str:
        return f"{self.file_id}: {self.reason[:40]}"
