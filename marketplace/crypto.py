"""Personal data at rest: AES-256-GCM with a key ring, plus a keyed hash for lookups.

A stored value reads ``<key id>$<base64url(nonce || ciphertext || tag)>``. The key id says
which key wrote it, so old keys stay readable while ``rotate_encryption_key`` moves every row
to the current one. The caller binds the value to its row and field as associated data: a
ciphertext copied into another row or column fails to decrypt instead of leaking.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

NONCE_BYTES = 12
SEPARATOR = "$"
# Letters, digits, "_", "." and "-": the id prefixes every stored value and is matched exactly.
KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}", re.ASCII)


class DecryptionError(Exception):
    """A stored value could not be read: unknown key id, wrong row or field, or tampering."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current_id]


def parse_key(spec: str, *, setting: str) -> tuple[str, bytes]:
    """Read "<key id>:<base64 of 32 bytes>" or fail naming the setting."""
    if not isinstance(spec, str):
        raise ImproperlyConfigured(f"{setting} must be a string '<key id>:<base64 of 32 bytes>'.")
    key_id, sep, encoded = spec.strip().partition(":")
    if not sep or not key_id:
        raise ImproperlyConfigured(f"{setting} must look like '<key id>:<base64 of 32 bytes>'.")
    if not KEY_ID.fullmatch(key_id):
        raise ImproperlyConfigured(
            f"{setting}: the key id {key_id!r} must be 1-32 letters, digits, '_', '.' or '-'."
        )
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ImproperlyConfigured(f"{setting}: the key is not valid base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(
            f"{setting}: the key must be 32 bytes (AES-256), not {len(key)}."
        )
    return key_id, key


@cache
def get_key_ring() -> KeyRing:
    """The configured keys, parsed once; a malformed setting fails here, naming itself."""
    current_id, current_key = parse_key(settings.ENCRYPTION_KEY, setting="ENCRYPTION_KEY")
    keys = {current_id: current_key}
    old_specs = settings.ENCRYPTION_OLD_KEYS
    if isinstance(old_specs, str):
        old_specs = old_specs.split(",")
    for spec in old_specs:
        if isinstance(spec, str) and not spec.strip():
            continue
        key_id, key = parse_key(spec, setting="ENCRYPTION_OLD_KEYS")
        if key_id in keys and keys[key_id] != key:
            raise ImproperlyConfigured(
                f"ENCRYPTION_OLD_KEYS: key id {key_id!r} is used for two different keys."
            )
        keys.setdefault(key_id, key)
    return KeyRing(current_id=current_id, keys=keys)


@checks.register("encryption")
def check_encryption_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A malformed key fails ``manage.py check``/``migrate``/``runserver``, not a first sign-up."""
    try:
        get_key_ring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="marketplace.E001")]
    return []


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting in {"ENCRYPTION_KEY", "ENCRYPTION_OLD_KEYS"}:
        get_key_ring.cache_clear()


def generate_key(key_id: str) -> str:
    """A fresh key in the form ENCRYPTION_KEY takes (the id is checked like the setting's)."""
    spec = f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"
    parse_key(spec, setting="key id")
    return spec


def encrypt(plaintext: str, *, aad: bytes) -> str:
    """Seal under the current key with a fresh random nonce; ``aad`` names the row and field."""
    ring = get_key_ring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.current_key).encrypt(nonce, plaintext.encode(), aad)
    return f"{ring.current_id}{SEPARATOR}{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(token: str) -> str:
    return token.partition(SEPARATOR)[0]


def decrypt(token: str, *, aad: bytes) -> str:
    """The plaintext, or DecryptionError: never bytes from the wrong row, field or key."""
    key_id, sep, encoded = token.partition(SEPARATOR)
    if not sep:
        raise DecryptionError("The value is not an encrypted token.")
    key = get_key_ring().keys.get(key_id)
    if key is None:
        raise DecryptionError(f"No key with id {key_id!r} is configured.")
    try:
        raw = base64.urlsafe_b64decode(encoded.encode("ascii"))
        if len(raw) < NONCE_BYTES + 16:
            raise ValueError("too short to hold a nonce and a tag")
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad).decode()
    except (binascii.Error, ValueError, InvalidTag) as exc:
        raise DecryptionError("The value does not decrypt for this row and field.") from exc


def blind_index(value: str) -> str:
    """Keyed hash of the normalized value: "A@x.se" and "a@x.se" match; useless without the key."""
    normalized = value.strip().casefold().encode()
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), normalized, hashlib.sha256).hexdigest()
