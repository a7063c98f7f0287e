"""Object keys: derived from our own data only, so a client's file name cannot steer them.

Layout: ``{user uid}/{folder}/{slug}-{suffix}.{ext}`` for stored files and
``staging/{random}`` for uploads waiting for the worker. The user's ``uid`` (a UUID) is used
rather than the primary key: public image URLs then reveal neither how many users there are
nor a sequence to walk through.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.text import slugify

NAME_MAX_LENGTH = 60
STAGING_PREFIX = "staging"


@dataclass(frozen=True)
class FileKeys:
    key: str
    thumbnail_key: str


def normalized_name(filename: str) -> str:
    """The client's file name reduced to a short ASCII slug, or "file" when nothing is left."""
    stem = PurePosixPath(filename.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    slug = slugify(stem)[:NAME_MAX_LENGTH].strip("-_")
    return slug or "file"


def file_keys(*, user_uid: uuid.UUID, folder: str, filename: str, extension: str) -> FileKeys:
    """Fresh keys for one upload; the random suffix makes two uploads of "me.jpg" distinct."""
    base = f"{user_uid}/{folder}/{normalized_name(filename)}-{secrets.token_hex(4)}"
    thumbnail = f"{base}-thumb.{extension}" if extension == "webp" else ""
    return FileKeys(key=f"{base}.{extension}", thumbnail_key=thumbnail)


def staging_key() -> str:
    return f"{STAGING_PREFIX}/{uuid.uuid4().hex}"
