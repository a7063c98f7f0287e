"""Settings for bench/booking.py's server only: the site's settings plus a bench URL conf
with a bare one-INSERT view. Never used by the product."""

from traino.settings import *  # noqa: F403

ROOT_URLCONF = "_booking_urls"

# 409s are the point of the contended run: do not log each one.
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}  # noqa: F405
