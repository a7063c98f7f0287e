"""The rate limit of the place look-ups, counted per client IP in the shared cache."""

from django.conf import settings

from traino.throttling import RateLimitThrottle, client_ip, per_period


class GeocoderThrottle(RateLimitThrottle):
    """GEOCODER_REQUESTS_PER_MINUTE look-ups per IP address: anyone may ask (no log-in), and
    each question may reach the geocoding service, which limits us in turn."""

    group = "geocoder"

    def rate(self) -> str | None:
        return per_period(settings.GEOCODER_REQUESTS_PER_MINUTE, "m")

    def key(self, request) -> str:
        return f"ip:{client_ip(request)}"
