"""Bearer tokens for the API: ``Authorization: Bearer <token>``."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_token

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: session auth or anonymous
        raw = raw.strip()
        if not raw or " " in raw:
            raise exceptions.AuthenticationFailed(
                _("Send the token as: Authorization: Bearer <token>."), code="TOKEN_MALFORMED"
            )
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
        now = timezone.now()
        reason = "unknown" if token is None else token.unusable_reason(now=now)
        if reason in ("unknown", "revoked", "user_inactive"):
            raise exceptions.AuthenticationFailed(
                _("This API token is not valid."), code="TOKEN_INVALID"
            )
        if reason == "expired":
            raise exceptions.AuthenticationFailed(
                _("This API token has expired. Ask for a new one."), code="TOKEN_EXPIRED"
            )
        if (
            token.last_used_at is None
            or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session auth, but a missing CSRF token is our 403 CSRF_FAILED, not a bare detail."""

    def enforce_csrf(self, request):
        # Imported here: DRF loads this module while rest_framework.views is half-imported.
        from traino.exceptions import CsrfFailed

        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed() from exc
