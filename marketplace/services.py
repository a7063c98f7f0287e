"""Writes that belong to the marketplace: accounts and API tokens."""

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Role, User, hash_token
from .queries import user_get_by_email

TOKEN_PREFIX = "trn_"


def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.TRAINEE,
    name: str = "",
    phone: str = "",
    personnummer: str = "",
) -> User:
    """Create an account; a taken email (any case) is a ValidationError on ``email``."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")}, code="invalid")
    if user_get_by_email(email) is not None:
        raise ValidationError(
            {"email": _("An account with this email already exists.")}, code="unique"
        )
    user = User(name=name, role=role)
    user.email = User.objects.normalize_email(email)
    user.phone = phone
    try:
        user.personnummer = personnummer
    except ValidationError as exc:
        raise ValidationError({"personnummer": exc.messages}, code="invalid") from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same email signed up a moment ago
        raise ValidationError(
            {"email": _("An account with this email already exists.")}, code="unique"
        ) from exc
    return user


def api_token_issue(*, user: User, name: str = "", now: datetime | None = None):
    """Return (token row, raw token). The raw token is shown once and never stored."""
    now = now or timezone.now()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        prefix=raw[:12],
        name=name,
        expires_at=now + settings.API_TOKEN_TTL,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_tokens_delete_expired(*, now: datetime | None = None) -> int:
    """Remove tokens past their expiry, and revoked ones (they can never be used again)."""
    now = now or timezone.now()
    deleted, _ = ApiToken.objects.filter(expires_at__lte=now).delete()
    revoked, _ = ApiToken.objects.filter(revoked_at__isnull=False).delete()
    return deleted + revoked


def user_update_details(*, user: User, name: str, phone: str, personnummer: str) -> User:
    user.name = name
    user.phone = phone
    user.personnummer = personnummer
    user.save(update_fields=["name", "phone_ciphertext", "personnummer_ciphertext"])
    return user
