"""Request rate limits counted in the shared cache (Redis in the full stack), so every worker
process counts against the same number.

These are DRF throttles (a refusal is DRF's Throttled: 429 ``TOO_MANY_REQUESTS`` with
``Retry-After``, see traino.errors) whose counting is django-ratelimit's ``get_usage``: one
cache key per client and time window, created with ``add`` and raised with ``incr``, which
Redis does atomically. DRF's own SimpleRateThrottle reads a list of timestamps, appends and
writes it back, so two workers answering at the same instant could both take the last slot.
Windows are fixed (django-ratelimit staggers their ends per key), not sliding.

django_ratelimit is deliberately not in INSTALLED_APPS: its system check calls the embedded
default's process-memory cache an error, though one process is all that default runs.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.conf import settings
from django_ratelimit import ALL, UNSAFE
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle


class RateLimitThrottle(BaseThrottle):
    """Count one request per call in the window of ``rate()``; refuse past the limit.

    ``allow_request`` also works on a plain Django HttpRequest (``view`` may be None), so an
    HTML view can share a limit with the API.
    """

    group: str = ""
    methods: list[str] | None = ALL  # the methods counted; ALL (None) counts every one

    def rate(self) -> str | None:
        """A rate such as "100/m" (a count per s, m, h or d), or None for no limit."""
        raise NotImplementedError

    def key(self, request) -> str:
        """Whose requests are counted together."""
        raise NotImplementedError

    def allow_request(self, request, view=None) -> bool:
        self.wait_seconds = None
        rate = self.rate()
        if rate is None:
            return True
        usage = get_usage(
            request,
            group=self.group,
            key=lambda _group, counted: self.key(counted),
            rate=rate,
            method=self.methods,
            increment=True,
        )
        if usage is None or not usage["should_limit"]:
            return True
        # time_left is -1 when the cache could not count: try again in a second.
        self.wait_seconds = max(1, usage["time_left"])
        return False

    def wait(self) -> int | None:
        return self.wait_seconds


def per_period(count: int, period: str) -> str | None:
    """A django-ratelimit rate from a setting: 0 means no limit."""
    return f"{count}/{period}" if count > 0 else None


def client_ip(request) -> str:
    """axes' reading of the client's address, which honours AXES_IPWARE_PROXY_COUNT."""
    return get_client_ip_address(getattr(request, "_request", request))


class ApiWriteThrottle(RateLimitThrottle):
    """API_WRITES_PER_MINUTE unsafe requests (POST, PUT, PATCH, DELETE) per API token, per
    browser session, or, for a client with neither, per IP address (axes' reading of it,
    which honours AXES_IPWARE_PROXY_COUNT). Reads are not limited."""

    group = "api-writes"
    methods = UNSAFE

    def rate(self) -> str | None:
        return per_period(settings.API_WRITES_PER_MINUTE, "m")

    def key(self, request) -> str:
        if request.auth is not None:  # BearerTokenAuthentication's ApiToken
            return f"token:{request.auth.pk}"
        session_key = request.user.is_authenticated and request.session.session_key
        if session_key:
            return f"session:{session_key}"
        return f"ip:{client_ip(request)}"
