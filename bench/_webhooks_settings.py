"""Settings for bench/webhooks.py's server and worker only: the site's settings, the bench
URL conf with a bare one-INSERT view, and a task queue of the bench's own. Never used by the
product."""

from traino.settings import *  # noqa: F403

ROOT_URLCONF = "_booking_urls"
CELERY_TASK_DEFAULT_QUEUE = "bench-webhooks"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
