"""Bearer tokens for the API: ``Authorization: Bearer <token>``."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from traino import rows

from .models import ApiToken, User, hash_token

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60

# Every API request starts here, so the token and its owner come in one statement that the
# ORM does not compile each time (traino.rows).
_TOKEN_AND_OWNER = rows.Select(
    rows.Part(ApiToken, "t", ("id", "user", "prefix", "expires_at", "last_used_at", "revoked_at")),
    rows.Part(User, "u", rows.all_fields(User)),
    rest=f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    " WHERE t.key_hash = %s",
)


def token_with_owner(key_hash: str) -> ApiToken | None:
    """The token with this hash, its ``user`` loaded, or None. The token's other columns
    (key_hash, name, created_at) are deferred: read on access."""
    found = _TOKEN_AND_OWNER.first([key_hash])
    if found is None:
        return None
    token, owner = found
    token.user = owner
    return token


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
        token = token_with_owner(hash_token(raw))
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
