"""The upload rate limit, shared by POST /api/uploads and the HTML upload form."""

from django.conf import settings

from traino.throttling import RateLimitThrottle, per_period


class UploadThrottle(RateLimitThrottle):
    """UPLOADS_PER_HOUR upload requests per user, accepted or refused, counted in the shared
    cache: each one costs storage and image work whatever its outcome."""

    group = "uploads"
    methods = ["POST"]

    def rate(self) -> str | None:
        return per_period(settings.UPLOADS_PER_HOUR, "h")

    def key(self, request) -> str:
        return f"user:{request.user.pk}"
