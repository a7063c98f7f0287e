"""Bearer tokens for the API: ``Authorization: Bearer <token>``."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from traino.rows import related_instance, select_columns

from .models import ApiToken, User, hash_token

# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60

# Every API request starts here, so the token and its owner come in one statement without
# the ORM's query compiler (a select_related join costs several times the round trip): the
# owner as a whole User row, the token's own columns beside it. (S608: the names come from
# the models, the hash is a bound parameter.)
_TOKEN_FIELDS = ("id", "user", "prefix", "expires_at", "last_used_at", "revoked_at")
_TOKEN_AND_OWNER_SQL = (
    f"SELECT u.*, {select_columns(ApiToken, 't', 'token_', _TOKEN_FIELDS)}"  # noqa: S608
    f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
    " WHERE t.key_hash = %s"
)


def token_with_owner(key_hash: str) -> ApiToken | None:
    """The token with this hash, its ``user`` loaded, or None. The token's other columns
    (key_hash, name, created_at) are deferred: read on access."""
    owner = next(iter(User.objects.raw(_TOKEN_AND_OWNER_SQL, [key_hash])), None)
    if owner is None:
        return None
    token = related_instance(ApiToken, owner, "token_", _TOKEN_FIELDS)
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
