"""A user's rights over their own account: change the email (confirmed from the new
address), download everything we hold on them, and close the account.

Email change. The link sent to the new address carries a signed token (Django's signing,
salted, with a timestamp: it expires after EMAIL_CHANGE_LINK_HOURS). The new address
inside it is encrypted (AES-GCM, bound to the user), so it never appears in a URL or a log
in clear; the token also names the email the account had when it was asked for, so it
works once: after the change, or after another change, it no longer matches.

Data export. ``user_data_export`` is a JSON-ready dict of what marketplace holds, plus what
other apps answer to ``signals.user_data_requested`` (bookings: bookings, schedules, the
calendar feed). Secrets are never in it: no password hash, no token hashes, no feed token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

from storage.models import UserFile

from . import crypto, signals
from .errors import (
    EmailChangeLinkExpired,
    EmailChangeLinkInvalid,
    EmailChangeTooOften,
    EmailTaken,
    EmailUnchanged,
)
from .models import ApiToken, TrainerProfile, User
from .queries import user_get_by_email

EMAIL_CHANGE_SALT = "traino.account.email-change"
EMAIL_CHANGES_PER_HOUR = 5


def link_hours() -> int:
    return settings.EMAIL_CHANGE_LINK_HOURS


def _link_max_age() -> int:
    return link_hours() * 3600


def _aad(user: User) -> bytes:
    return f"email-change:{user.uid}".encode()


def email_change_token(*, user: User, new_email: str) -> str:
    """The signed token of the link (tests and the request service)."""
    payload = {
        "u": str(user.uid),
        "i": user.email_index,
        "e": crypto.encrypt(new_email, aad=_aad(user)),
    }
    return signing.dumps(payload, salt=EMAIL_CHANGE_SALT, compress=True)


def _normalized(email: str) -> str:
    return User.objects.normalize_email((email or "").strip())


def user_email_change_request(*, user: User, new_email: str, confirm_url: str) -> str:
    """Send a confirmation link to ``new_email`` (after commit, by Celery); returns the token.

    ``confirm_url`` has a "{token}" placeholder (the page that confirms it). Refused when
    the address is the current one (EmailUnchanged) or another account's (EmailTaken); it
    is checked again when the link is used."""
    new_email = _normalized(new_email)
    if crypto.blind_index(new_email) == user.email_index:
        raise EmailUnchanged.on_field("email")
    if user_get_by_email(new_email) is not None:
        raise EmailTaken.on_field("email")
    _count_request(user)
    token = email_change_token(user=user, new_email=new_email)
    from .tasks import send_email_change_link

    language = get_language() or settings.LANGUAGE_CODE
    url = confirm_url.replace("{token}", token)
    transaction.on_commit(
        lambda: send_email_change_link.delay(
            user_id=user.pk, token=token, url=url, language=language
        )
    )
    return token


def _count_request(user: User) -> None:
    """At most EMAIL_CHANGES_PER_HOUR links per user and hour, counted in the shared cache
    (Redis in the full stack), so every worker agrees."""
    key = f"email-change-requests:{user.pk}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > EMAIL_CHANGES_PER_HOUR:
        raise EmailChangeTooOften()


def read_email_change_token(token: str, *, check_age: bool = True) -> tuple[User, str]:
    """(user, new email) of a link; EmailChangeLinkExpired or EmailChangeLinkInvalid."""
    user, new_email, _index = _read(token, check_age=check_age)
    return user, new_email


def _read(token: str, *, check_age: bool) -> tuple[User, str, str]:
    try:
        payload = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=_link_max_age() if check_age else None
        )
    except signing.SignatureExpired:
        raise EmailChangeLinkExpired() from None
    except signing.BadSignature:
        raise EmailChangeLinkInvalid() from None
    user = User.objects.filter(uid=payload.get("u"), is_active=True).first()
    if user is None or user.email_index != payload.get("i"):
        raise EmailChangeLinkInvalid()
    try:
        new_email = crypto.decrypt(payload.get("e", ""), aad=_aad(user))
    except crypto.DecryptionError:
        raise EmailChangeLinkInvalid() from None
    return user, new_email, payload["i"]


@transaction.atomic
def user_email_change_confirm(*, token: str) -> User:
    """Apply a link's change; the old address is told (after commit). A second use, a link
    older than the last change, or one for an address taken meanwhile is refused."""
    user, new_email, index = _read(token, check_age=True)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_index != index:  # changed meanwhile: this link is used up
        raise EmailChangeLinkInvalid()
    if user_get_by_email(new_email) is not None:
        raise EmailTaken.on_field("email")
    old_sealed = crypto.encrypt(user.email, aad=_aad(user))
    user.email = new_email
    user.save(update_fields=["email_index", "email_ciphertext"])
    from .tasks import send_email_changed_notice

    language = get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: send_email_changed_notice.delay(
            user_id=user.pk, old_email_sealed=old_sealed, language=language
        )
    )
    return user


def open_old_email(*, user: User, sealed: str) -> str:
    return crypto.decrypt(sealed, aad=_aad(user))


# --- data export -----------------------------------------------------------------------------


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _profile_data(profile: TrainerProfile) -> dict[str, Any]:
    return {
        "display_name": profile.display_name,
        "slug": profile.slug,
        "bio": profile.bio,
        "languages": profile.languages,
        "city": profile.city,
        "address": profile.address,
        "latitude": profile.latitude,
        "longitude": profile.longitude,
        "time_zone": profile.time_zone,
        "is_published": profile.is_published,
        "categories": [category.slug for category in profile.categories.all()],
        "created_at": _when(profile.created_at),
        "offerings": [
            {
                "id": offering.pk,
                "title": offering.title,
                "description": offering.description,
                "duration_minutes": offering.duration_minutes,
                "price": {"amount": offering.price_amount, "currency": offering.currency},
                "capacity": offering.capacity,
                "location_name": offering.location_name,
                "latitude": offering.latitude,
                "longitude": offering.longitude,
                "is_active": offering.is_active,
                "created_at": _when(offering.created_at),
            }
            for offering in profile.offerings.order_by("id")
        ],
    }


def user_data_export(*, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything Traino holds on ``user``, as JSON-ready data, without secrets."""
    now = now or timezone.now()
    profile = TrainerProfile.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "account": {
            "id": str(user.uid),
            "email": user.email,
            "name": user.name,
            "phone": user.phone,
            "personal_identity_number": user.personnummer,
            "role": user.role,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "trainer_profile": _profile_data(profile) if profile else None,
        "api_tokens": [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": _when(token.created_at),
                "expires_at": _when(token.expires_at),
                "last_used_at": _when(token.last_used_at),
                "revoked_at": _when(token.revoked_at),
            }
            for token in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
        "uploads": [
            {
                "folder": upload.folder,
                "kind": upload.kind,
                "status": upload.status,
                "original_name": upload.original_name,
                "content_type": upload.content_type or upload.source_content_type,
                "size_bytes": upload.size,
                "width": upload.width,
                "height": upload.height,
                "verified_at": _when(upload.verified_at),
                "created_at": _when(upload.created_at),
            }
            for upload in UserFile.objects.filter(user=user).order_by("created_at", "id")
        ],
    }
    for _receiver, section in signals.user_data_requested.send(sender=User, user=user):
        if section:
            data.update(section)
    return data
