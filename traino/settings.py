"""Traino settings: one module, every value from the environment (see .env.example).

With nothing set, the site runs on the embedded default: SQLite, Celery eager, local media,
console email, demo payments. DJANGO_ENV=production turns on the secure defaults and
refuses to start while a required secret is missing.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Pure Python (no models): the cancellation ladder is checked while the settings load.
from bookings.policy import parse_cancellation_policy
from payments.payouts_schedule import payouts_schedule
from traino.content_policy import storage_image_sources, tile_image_sources
from traino.production import refuse_insecure_values

BASE_DIR = Path(__file__).resolve().parent.parent


class StrictEnv(environ.Env):
    """django-environ, minus its guesses: a value it cannot read stops start-up, naming it.

    Plain django-environ reads ``DJANGO_DEBUG=ture`` as False and ``=2`` as True. Here a
    boolean is one of true/false, 1/0, yes/no, on/off (any case); an empty value counts as
    unset, so ``NAME=`` in a .env file means "use the default".
    """

    TRUE = frozenset({"true", "1", "yes", "on"})
    FALSE = frozenset({"false", "0", "no", "off"})

    def __init__(self, **scheme):
        super().__init__(**scheme)
        # Every variable looked up, in order: production checks all of them for placeholders.
        self.names_read: dict[str, None] = {}

    def _raw(self, var: str, default) -> str:
        self.names_read[var] = None
        raw = self.ENVIRON.get(var, "").strip()
        if not raw and default is environ.Env.NOTSET:
            raise ImproperlyConfigured(f"Set the {var} environment variable.")
        return raw

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        """Every typed reader (str, list, db, email_url...) treats an empty value as unset."""
        if self._raw(var, default):
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        if parse_default and default is not None:
            return self.parse_value(default, cast)
        return default

    def bool(self, var, default=environ.Env.NOTSET):
        raw = self._raw(var, default)
        if not raw:
            return default
        if raw.lower() in self.TRUE:
            return True
        if raw.lower() in self.FALSE:
            return False
        raise ImproperlyConfigured(f"{var} must be true or false, not {raw!r}.")

    def int(self, var, default=environ.Env.NOTSET):
        raw = self._raw(var, default)
        if not raw:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{var} must be a whole number, not {raw!r}.") from None


env = StrictEnv()
# A developer's .env (copied from .env.example) fills what the real environment leaves unset.
# DJANGO_ENV_FILE points elsewhere (/dev/null: read none, as the settings tests do).
StrictEnv.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

# Production has no fallback for these: without DATABASE_URL a container would write its data
# into a throw-away SQLite file, and without the keys it could neither sign sessions nor read
# personal data. Everything else has a safe default (see .env.example and the README).
REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "ENCRYPTION_KEY",
    "BLIND_INDEX_KEY",
)
if PRODUCTION:
    _missing = [name for name in REQUIRED_IN_PRODUCTION if not env.str(name, default="").strip()]
    if _missing:
        raise ImproperlyConfigured(
            f"DJANGO_ENV=production needs {', '.join(_missing)} set (see .env.example)."
        )

# Development-only fallbacks. Production never uses them: required() refuses to start.
_DEV_SECRET_KEY = "dev-only-secret-key-not-for-production-0123456789-abcdefghijklmnop"
_DEV_ENCRYPTION_KEY = "dev1:ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzJieXRlcyE="
_DEV_BLIND_INDEX_KEY = "dev-only-blind-index-key"


def required(name: str, dev_default: str) -> str:
    """A secret: the environment's value, or in production an error naming the variable."""
    value = env.str(name, default="").strip()
    if PRODUCTION and value == dev_default:
        raise ImproperlyConfigured(f"{name} is the development fallback: set a real one.")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return dev_default


SECRET_KEY = required("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off when DJANGO_ENV=production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "marketplace",
    "bookings",
    "payments",
    "storage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An API endpoint answers a method it lacks with 405 before credentials are checked.
    "traino.api_middleware.ApiMethodMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a lockout flagged anywhere above into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "traino.urls"
WSGI_APPLICATION = "traino.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # CSP_NONCE: the request's nonce, for every <script> tag.
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- database ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url_config(required("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writes are serialized: a transaction takes the write lock when it begins, so two
    # bookings cannot both read "free" and then both write (DESIGN.md, no double booking).
    # Options given in the URL's query string (?timeout=5) still win, except the lock mode.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, Redis and Celery ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "traino.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "traino",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
# No broker means the embedded default: tasks run in-process, at once, with their errors.
# Tests run eagerly too, even with REDIS_URL set; a live-worker test turns it off itself.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL or TESTING
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, so a worker killed mid-task leaves it to another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "delete-expired-api-tokens": {
        "task": "marketplace.tasks.delete_expired_api_tokens",
        "schedule": timedelta(hours=6),
    },
}
# Bookings: unpaid holds expire, finished sessions complete, old idempotency keys go.
CELERY_BEAT_SCHEDULE.update(
    {
        "expire-booking-holds": {
            "task": "bookings.tasks.expire_holds",
            "schedule": timedelta(minutes=1),
        },
        "complete-finished-bookings": {
            "task": "bookings.tasks.complete_finished",
            "schedule": timedelta(minutes=5),
        },
        "delete-old-idempotency-keys": {
            "task": "bookings.tasks.delete_old_idempotency_keys",
            "schedule": timedelta(hours=1),
        },
        "send-booking-reminders": {
            "task": "bookings.tasks.send_booking_reminders",
            "schedule": timedelta(minutes=5),
        },
    }
)

# --- auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "marketplace.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 costs ~50 ms a hash on purpose; the tests hash hundreds of passwords.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: 5 failures for one account from one IP lock that pair out for 15 minutes.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Credentials reach axes as "username" (the email); it must never store or log that plaintext:
# no access log (it would keep user.get_username(), the email), and the email is masked in
# the request data axes copies into AccessAttempt.
AXES_USERNAME_FORM_FIELD = "username"
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address"]
# A wrong old password on the password-change page counts as a failed log-in: that form's
# passwords are masked in AccessAttempt's copy of the request data too.
AXES_SENSITIVE_PARAMETERS += ["old_password", "new_password1", "new_password2"]
AXES_DISABLE_ACCESS_LOG = True
# Axes stores the username it saw; ours is the email's blind index, never the plaintext.
AXES_USERNAME_CALLABLE = "marketplace.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "marketplace.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None

# Personal data at rest: AES-256-GCM. ENCRYPTION_KEY is "<key id>:<base64 of 32 bytes>";
# ENCRYPTION_OLD_KEYS lists retired keys (same form, comma separated) that stay readable
# until `manage.py rotate_encryption_key` has re-encrypted every row.
ENCRYPTION_KEY = required("ENCRYPTION_KEY", _DEV_ENCRYPTION_KEY)
ENCRYPTION_OLD_KEYS = env.list("ENCRYPTION_OLD_KEYS", default=[])
# The keyed hash behind email lookups. Changing it orphans every stored index: it does not rotate.
BLIND_INDEX_KEY = required("BLIND_INDEX_KEY", _DEV_BLIND_INDEX_KEY)

API_TOKEN_TTL = timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30))
# Hours the link that confirms a new email address works (marketplace.account_services).
EMAIL_CHANGE_LINK_HOURS = env.int("EMAIL_CHANGE_LINK_HOURS", default=24)
if EMAIL_CHANGE_LINK_HOURS < 1:
    raise ImproperlyConfigured("EMAIL_CHANGE_LINK_HOURS must be at least 1.")

# --- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.authentication.BearerTokenAuthentication",
        "marketplace.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only (uploads add multipart): form encodings would read differently from
    # the schema (empty strings as missing, "on" as true).
    "DEFAULT_PARSER_CLASSES": ["traino.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "traino.schema.AutoSchema",
    "EXCEPTION_HANDLER": "traino.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Traino API",
    "DESCRIPTION": "Find trainers, book sessions, pay. Errors are "
    '{"error": {"code", "message", "fields"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get components of their own (FooRequest): required non-blank strings
    # say minLength 1 and read-only fields are left out, as the serializers read them.
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI from the installed sidecar package, not a CDN: /api/docs/ works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One schema component per status vocabulary, whichever serializer field uses it.
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "RoleEnum": "marketplace.models.Role",
    },
}

# --- rate limits -----------------------------------------------------------------------------
# Counted in the default cache: Redis with REDIS_URL, so every worker counts against the same
# number; process memory in the embedded default, which is one process. 0 turns a limit off.
# Past a limit the API answers 429 TOO_MANY_REQUESTS with Retry-After (traino/throttling.py).
UPLOADS_PER_HOUR = env.int("UPLOADS_PER_HOUR", default=60)
API_WRITES_PER_MINUTE = env.int("API_WRITES_PER_MINUTE", default=100)
# Place look-ups (GET /api/places, /api/search) per client IP address: each may ask the
# geocoder, whose service limits us in turn.
GEOCODER_REQUESTS_PER_MINUTE = env.int("GEOCODER_REQUESTS_PER_MINUTE", default=60)
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["traino.throttling.ApiWriteThrottle"]

# --- payments (Stripe) ---------------------------------------------------------------------
# Without STRIPE_SECRET_KEY the demo gateway stands in for Stripe: no network, no money, the
# same webhook code fed with events it signs itself. STRIPE_API_BASE points the real SDK
# elsewhere (tests, a mock server). Every Stripe write carries our own idempotency key; the
# SDK retries network failures itself with that same key.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
_DEV_STRIPE_WEBHOOK_SECRET = "whsec_dev_only_traino_webhook_secret_not_for_production"
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="") or _DEV_STRIPE_WEBHOOK_SECRET
if PRODUCTION and STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET == _DEV_STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "STRIPE_WEBHOOK_SECRET must be set when STRIPE_SECRET_KEY is and DJANGO_ENV=production."
    )
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com").rstrip("/")
STRIPE_CONNECT_COUNTRY = env.str("STRIPE_CONNECT_COUNTRY", default="SE").upper()
PLATFORM_FEE_PERCENT = env.int("PLATFORM_FEE_PERCENT", default=15)
if not 0 <= PLATFORM_FEE_PERCENT <= 100:
    raise ImproperlyConfigured(
        f"PLATFORM_FEE_PERCENT must be between 0 and 100, not {PLATFORM_FEE_PERCENT}."
    )
STRIPE_MAX_NETWORK_RETRIES = 2
STRIPE_TIMEOUT_SECONDS = 30
STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300
# Webhook events still "received" this long after their last attempt are queued again (the
# broker was down, or a worker died); the daily reconcile asks Stripe for this many days.
WEBHOOK_REQUEUE_AFTER = timedelta(minutes=5)
WEBHOOK_RECONCILE_DAYS = 3
# A task with a countdown (a retry's backoff) waits unacknowledged in the worker; Redis hands it
# to another worker once this runs out, so it must be longer than the longest countdown.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULE.update(
    {
        "requeue-stale-webhook-events": {
            "task": "payments.tasks.requeue_stale_webhook_events",
            "schedule": timedelta(minutes=5),
        },
        "reconcile-webhook-events": {
            "task": "payments.tasks.reconcile_webhook_events",
            "schedule": timedelta(days=1),
        },
    }
)

# --- monthly payouts (payments/services/payouts.py) ------------------------------------------
# The scheduled run starts on PAYOUT_DAY at 03:00 in PAYOUT_TIME_ZONE and pays the calendar
# month PAYOUT_PERIOD_LAG_MONTHS back (1: the previous month; 2 leaves a month more for
# disputes). A period ends at midnight starting the next month in PAYOUT_TIME_ZONE.
PAYOUT_DAY = env.int("PAYOUT_DAY", default=28)
if not 1 <= PAYOUT_DAY <= 28:
    raise ImproperlyConfigured(f"PAYOUT_DAY must be between 1 and 28, not {PAYOUT_DAY}.")
PAYOUT_TIME_ZONE = env.str("PAYOUT_TIME_ZONE", default="Europe/Stockholm")
PAYOUT_PERIOD_LAG_MONTHS = env.int("PAYOUT_PERIOD_LAG_MONTHS", default=1)
if PAYOUT_PERIOD_LAG_MONTHS < 1:
    raise ImproperlyConfigured("PAYOUT_PERIOD_LAG_MONTHS must be at least 1 (a finished month).")
# Stripe lets a platform hold a connected account's funds only so long (about 90 days here):
# staff and the trainer hear of pending money older than PAYOUT_HOLD_WARN_DAYS.
PAYOUT_HOLD_LIMIT_DAYS = env.int("PAYOUT_HOLD_LIMIT_DAYS", default=90)
PAYOUT_HOLD_WARN_DAYS = env.int("PAYOUT_HOLD_WARN_DAYS", default=60)
# Stripe keeps an idempotency key about 24 hours: an older key is treated as forgotten, so a
# resumed payout first looks its transfer up by transfer_group.
PAYOUT_IDEMPOTENCY_KEY_TTL = timedelta(
    hours=env.int("PAYOUT_IDEMPOTENCY_KEY_TTL_HOURS", default=23)
)
# A run commits this many payouts (rows, keys, transactions) at a time before asking Stripe
# for their transfers, this many requests at once (Stripe allows 25/s in test mode, 100/s live).
PAYOUT_BATCH_SIZE = env.int("PAYOUT_BATCH_SIZE", default=200)
PAYOUT_TRANSFER_CONCURRENCY = env.int("PAYOUT_TRANSFER_CONCURRENCY", default=8)
# Without PostgreSQL's advisory lock (SQLite), a "running" run silent this long is a dead one.
PAYOUT_RUN_STALE_AFTER = timedelta(minutes=env.int("PAYOUT_RUN_STALE_MINUTES", default=15))
CELERY_BEAT_SCHEDULE.update(
    {
        "run-monthly-payouts": {
            "task": "payments.payouts_tasks.run_scheduled_payouts",
            "schedule": payouts_schedule(PAYOUT_DAY, PAYOUT_TIME_ZONE),
        },
        "retry-waiting-payouts": {
            "task": "payments.payouts_tasks.retry_waiting_payouts",
            "schedule": payouts_schedule(None, PAYOUT_TIME_ZONE, hour=6),
        },
        "warn-held-payouts": {
            "task": "payments.payouts_tasks.warn_held_transactions",
            "schedule": payouts_schedule(None, PAYOUT_TIME_ZONE, hour=7),
        },
    }
)

# --- i18n and time ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Schedules are defined in the trainer's zone; this is the default for new trainers.
TRAINO_DEFAULT_TIME_ZONE = env.str("TRAINO_DEFAULT_TIME_ZONE", default="Europe/Stockholm")
# Schedules: an endless rule is expanded this many days ahead and no further; a slot can be
# booked until this many minutes before it starts; availability answers are cached this long
# (they are invalidated at once by any schedule or booking change, the TTL only bounds memory).
SCHEDULE_HORIZON_DAYS = env.int("SCHEDULE_HORIZON_DAYS", default=365)
MIN_BOOKING_NOTICE_MINUTES = env.int("MIN_BOOKING_NOTICE_MINUTES", default=120)
AVAILABILITY_CACHE_SECONDS = env.int("AVAILABILITY_CACHE_SECONDS", default=300)

# --- bookings ----------------------------------------------------------------------------------
# A booking holds its seat this long while the trainee pays; then it expires. Cancelling gives
# the trainee back a share of the price by notice: CANCELLATION_POLICY is a ladder of
# hours:percent steps (bookings/policy.py), checked here so a bad ladder stops start-up.
BOOKING_HOLD_MINUTES = env.int("BOOKING_HOLD_MINUTES", default=15)
if BOOKING_HOLD_MINUTES < 1:
    raise ImproperlyConfigured("BOOKING_HOLD_MINUTES must be at least 1.")
CANCELLATION_POLICY = parse_cancellation_policy(
    env.str("CANCELLATION_POLICY", default="24:100,0:0")
)
# --- trust ----------------------------------------------------------------------------------
# The key of the public (approximate) trainer locations (marketplace/location.py); empty: the
# SECRET_KEY. Keep it stable: stored public points were computed with it. Publishing can be
# made to need a verified trainer (staff check the certificates in the admin).
PUBLIC_LOCATION_KEY = env.str("PUBLIC_LOCATION_KEY", default="")
REQUIRE_VERIFICATION_TO_PUBLISH = env.bool("REQUIRE_VERIFICATION_TO_PUBLISH", default=False)
# A completed session can be reviewed this many days after it ended.
REVIEW_WINDOW_DAYS = env.int("REVIEW_WINDOW_DAYS", default=30)
# Map tiles for the discovery map and trainer pages; any {z}/{x}/{y} raster tile server.
TRAINO_MAP_TILE_URL = env.str(
    "TRAINO_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
TRAINO_MAP_TILE_ATTRIBUTION = env.str(
    "TRAINO_MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
    "contributors",
)
# Place names in the search box (marketplace/geocoding.py): empty, the offline gazetteer of
# Sweden's cities; else a Nominatim (.../search) or Photon (.../api) compatible service.
GEOCODER_URL = env.str("GEOCODER_URL", default="").strip()
# Sessions run out as time passes: once a day each trainer's headline price is taken again
# from the offerings that still have sessions to come (bookings.tasks).
CELERY_BEAT_SCHEDULE.update(
    {
        "refresh-upcoming-offerings": {
            "task": "bookings.tasks.refresh_upcoming_offerings",
            "schedule": timedelta(days=1),
        },
    }
)

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "static/"
# Relative paths are taken from the project directory, not from wherever the command runs.
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default="staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / env.str("MEDIA_ROOT", default="media")
# Uploads (storage app): S3 when a bucket is named, MEDIA_ROOT otherwise. The bucket stays
# private (no ACLs); a bucket policy makes */profile/* and */gallery/* readable
# (`manage.py storage_init_bucket`), everything else is served through signed URLs.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="eu-north-1")
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="") or None
# MinIO and other self-hosted endpoints answer on path-style URLs only.
AWS_S3_ADDRESSING_STYLE = env.str(
    "AWS_S3_ADDRESSING_STYLE", default="path" if AWS_S3_ENDPOINT_URL else "auto"
)
# A CDN or bucket website host for public images; empty means the S3 endpoint itself.
AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default="") or None
AWS_S3_FILE_OVERWRITE = False
# Without S3: certificates, documents and pending uploads, outside MEDIA_ROOT so that serving
# MEDIA_ROOT never serves them (they are reached through signed links only).
PRIVATE_MEDIA_ROOT = BASE_DIR / env.str("PRIVATE_MEDIA_ROOT", default="private-media")
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_SIGNED_URL_EXPIRY = env.int("UPLOAD_SIGNED_URL_EXPIRY_SECONDS", default=300)
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage"
        if AWS_STORAGE_BUCKET_NAME
        else "django.core.files.storage.FileSystemStorage"
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- email -----------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
# django-environ returns None for the parts a URL leaves out; Django wants its own defaults.
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = 10  # seconds: a stuck SMTP server must not hang a request or a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Traino <no-reply@traino.localhost>")
# Where the site is served, for absolute links in emails and calendar invitations (which have
# no request to take the host from); also the host part of the invitations' UIDs.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- security --------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# Health checks come from the orchestrator over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health(/|$)"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
if env.bool("USE_X_FORWARDED_PROTO", default=PRODUCTION):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "traino.errors.csrf_failure"

# Content-Security-Policy (django-csp; Django 5.2 has none of its own). Scripts come from our
# own origin and every <script> tag carries the request's nonce ({{ CSP_NONCE }}); there is no
# inline script code or on*= handler anywhere: code lives in static/js, configuration goes
# through json_script (Django admin's templates carry no nonce; their scripts are files on our
# origin, which 'self' allows). Styles: our templates have no style="" attributes or <style>
# blocks, and the libraries set styles through the DOM (allowed); FullCalendar alone injects a
# <style> element, which it gives the nonce of the page's first script[nonce], hence the nonce in
# style-src rather than 'unsafe-inline'. Images: our origin, the upload storage host, the map
# tile host, and data: (Leaflet cancels a tile by pointing it at a data: GIF; Swagger UI's CSS
# draws its icons as data: images). Fonts: ours, and FullCalendar's icon font, which its
# injected stylesheet embeds as a data: URL.
# A page that needs more sources adds them to its own response, never here: a payment page
# that loads Stripe.js decorates its view with csp.decorators.csp_update({
#     "script-src": ["https://js.stripe.com"],
#     "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
#     "connect-src": ["https://api.stripe.com"]})
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [
            SELF,
            "data:",
            *storage_image_sources(
                bucket=AWS_STORAGE_BUCKET_NAME,
                endpoint_url=AWS_S3_ENDPOINT_URL,
                custom_domain=AWS_S3_CUSTOM_DOMAIN,
                region=AWS_S3_REGION_NAME,
                addressing_style=AWS_S3_ADDRESSING_STYLE,
            ),
            *tile_image_sources(TRAINO_MAP_TILE_URL),
        ],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- logging ---------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "axes": {"level": "WARNING"},
        # The SDK logs every request at INFO; our gateway logs what matters.
        "stripe": {"level": "WARNING"},
    },
}

# --- production fails closed -----------------------------------------------------------------
# Last, once every variable has been read: a placeholder left from .env.example in any of them,
# or a key too short to be secret, stops start-up with one message naming each (production.py).
if PRODUCTION:
    refuse_insecure_values({name: env.ENVIRON.get(name, "").strip() for name in env.names_read})
