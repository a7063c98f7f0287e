"""Uploads: accept (validate, stage, record), process (convert, store), serve, delete, verify.

The request path only validates and stages; conversion runs in the ``process_upload`` task,
enqueued on commit. Storage is reached through ``backends.get_store()`` only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from traino.exceptions import DomainError

from . import backends, keys, validation
from .images import THUMBNAIL_SIDE, convert_to_webp
from .models import PUBLIC_FOLDERS, Folder, Kind, Status, UserFile

logger = logging.getLogger(__name__)

PDF_FOLDERS = frozenset({Folder.CERTIFICATE, Folder.DOCUMENT})


# Shown as UserFile.failure_reason when storage, not the file, was the problem.
FAILED_MESSAGE = _("The file could not be stored. Upload it again in a minute.")


class StorageUnavailable(DomainError):
    status = 503
    code = "STORAGE_UNAVAILABLE"
    message = _("File storage is not reachable right now. Try again in a minute.")


class PdfNotAllowedHere(validation.UnsupportedMediaType):
    message = _("Profile and gallery take images only: JPEG, PNG or WebP.")


@dataclass(frozen=True)
class GalleryImage:
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int


def upload_create(*, user, folder: str, filename: str, data: bytes) -> UserFile:
    """Validate, write the staging object, record the row, enqueue processing on commit.

    A refusal raises before anything is written; a failure after the staging write removes
    the object again, so no rejected or failed request leaves an object or a row behind.
    """
    folder = validation.check_folder(folder)
    inspected = validation.inspect(data)
    if inspected.kind == Kind.PDF and folder not in PDF_FOLDERS:
        raise PdfNotAllowedHere()
    extension = "webp" if inspected.kind == Kind.IMAGE else "pdf"
    file_keys = keys.file_keys(
        user_uid=user.uid, folder=folder, filename=filename, extension=extension
    )
    staging_key = keys.staging_key()
    store = backends.get_store()
    try:
        store.put(staging_key, data, content_type=inspected.content_type, public=False)
    except backends.StorageError as exc:
        logger.warning("Staging upload failed: %s", exc)
        raise StorageUnavailable() from exc
    try:
        with transaction.atomic():
            row = UserFile.objects.create(
                user=user,
                folder=folder,
                kind=inspected.kind,
                original_name=filename[:255],
                source_content_type=inspected.content_type,
                staging_key=staging_key,
                key=file_keys.key,
                thumbnail_key=file_keys.thumbnail_key,
            )
    except BaseException:
        delete_quietly(store, staging_key)
        raise
    transaction.on_commit(lambda: _enqueue(row.pk), robust=True)
    row.refresh_from_db()  # eager Celery (embedded default) has processed it already
    return row


def _enqueue(file_id: int) -> None:
    """Queue the conversion; if that (or, run eagerly, the conversion itself) fails, say so."""
    from .tasks import process_upload

    try:
        process_upload.delay(file_id)
    except Exception as exc:
        logger.exception("Upload %s could not be processed", file_id)
        upload_mark_failed(file_id=file_id, reason=f"{type(exc).__name__}: {exc}")


def upload_process(*, file_id: int) -> UserFile | None:
    """Convert or copy the staged upload to its final key(s) and mark the row ready.

    Idempotent: a row that is no longer pending is left alone. TransientStorageError
    propagates (the task retries); a permanent StorageError marks the row failed.
    """
    row = UserFile.objects.filter(pk=file_id).first()
    if row is None or row.status != Status.PENDING:
        return row
    store = backends.get_store()
    try:
        source = store.get(row.staging_key)
        if row.kind == Kind.IMAGE:
            pillow_format, _type, _kind = validation.sniff(source)
            converted = convert_to_webp(source, pillow_format)
            public = row.folder in PUBLIC_FOLDERS
            store.put(row.key, converted.image.data, content_type="image/webp", public=public)
            store.put(
                row.thumbnail_key,
                converted.thumbnail.data,
                content_type="image/webp",
                public=public,
            )
            done = {
                "content_type": "image/webp",
                "size": len(converted.image.data),
                "width": converted.image.width,
                "height": converted.image.height,
            }
        else:
            store.put(row.key, source, content_type="application/pdf", public=False)
            done = {"content_type": "application/pdf", "size": len(source)}
    except backends.TransientStorageError:
        raise
    except DomainError as exc:  # the file itself is refused: its message is meant for the user
        return _mark_failed(row, store, message=str(exc.message), detail=f"{exc.code}: {exc}")
    except backends.StorageError as exc:
        return _mark_failed(row, store, message=str(FAILED_MESSAGE), detail=str(exc))
    updated = UserFile.objects.filter(pk=row.pk, status=Status.PENDING).update(
        status=Status.READY, staging_key="", updated_at=timezone.now(), **done
    )
    if not updated:
        if not UserFile.objects.filter(pk=row.pk).exists():
            # Deleted while we worked: what we just wrote belongs to nobody.
            delete_quietly(store, row.key, row.thumbnail_key)
        # Otherwise a second delivery of this task finished first; its objects are ours too.
        return UserFile.objects.filter(pk=row.pk).first()
    delete_quietly(store, row.staging_key)
    row.refresh_from_db()
    return row


def upload_mark_failed(*, file_id: int, reason: str) -> None:
    """The last resort of the task after its retries: the row fails, the objects go.

    ``reason`` is the internal cause (exception text with endpoints, bucket, keys): it is
    logged, never stored; the row gets a message meant for the user.
    """
    row = UserFile.objects.filter(pk=file_id, status=Status.PENDING).first()
    if row is not None:
        _mark_failed(row, backends.get_store(), message=str(FAILED_MESSAGE), detail=reason)


def _mark_failed(row: UserFile, store, *, message: str, detail: str) -> UserFile:
    """``message`` is shown to the owner (API, profile page); ``detail`` only goes to the log."""
    logger.warning("Upload %s failed: %s", row.pk, detail)
    delete_quietly(store, row.key, row.thumbnail_key, row.staging_key)
    UserFile.objects.filter(pk=row.pk, status=Status.PENDING).update(
        status=Status.FAILED,
        failure_reason=message[:2000],
        staging_key="",
        updated_at=timezone.now(),
    )
    row.refresh_from_db()
    return row


def delete_quietly(store, *keys_to_delete: str) -> None:
    for key in keys_to_delete:
        if not key:
            continue
        try:
            store.delete(key)
        except backends.StorageError:
            logger.warning("Could not delete object %s", key, exc_info=True)


def upload_delete(*, file: UserFile) -> None:
    """Objects first, then the row: if storage refuses, the row stays and the user can retry."""
    store = backends.get_store()
    try:
        for key in (file.key, file.thumbnail_key, file.staging_key):
            if key:
                store.delete(key)
    except backends.StorageError as exc:
        raise StorageUnavailable() from exc
    file._objects_deleted = True
    file.delete()


def file_url(*, file: UserFile) -> str | None:
    """A permanent URL for a public image; a signed one (UPLOAD_SIGNED_URL_EXPIRY) otherwise."""
    if file.status != Status.READY:
        return None
    store = backends.get_store()
    if file.is_public:
        return store.public_url(file.key)
    return store.signed_url(
        file.key,
        expires=settings.UPLOAD_SIGNED_URL_EXPIRY,
        disposition=download_disposition(file.key),
    )


def download_disposition(key: str) -> str:
    """A PDF is downloaded, never rendered inline from our (or the bucket's) origin, where a
    crafted document could run script; images stay inline for <img>."""
    if not key.endswith(".pdf"):
        return ""
    return content_disposition_header(as_attachment=True, filename=key.rsplit("/", 1)[-1])


def thumbnail_url(*, file: UserFile) -> str | None:
    if file.status != Status.READY or not file.thumbnail_key:
        return None
    store = backends.get_store()
    if file.is_public:
        return store.public_url(file.thumbnail_key)
    return store.signed_url(file.thumbnail_key, expires=settings.UPLOAD_SIGNED_URL_EXPIRY)


def certificates_mark_verified(*, files: Iterable[UserFile], by) -> int:
    """Ready certificates not yet verified get verified_at/by; returns how many changed."""
    ids = [f.pk for f in files]
    return UserFile.objects.filter(
        pk__in=ids, folder=Folder.CERTIFICATE, status=Status.READY, verified_at__isnull=True
    ).update(verified_at=timezone.now(), verified_by=by, updated_at=timezone.now())


def certificates_mark_unverified(*, files: Iterable[UserFile]) -> int:
    """Verified certificates lose their mark (staff verified the wrong file, or it was
    withdrawn); returns how many changed."""
    ids = [f.pk for f in files]
    return UserFile.objects.filter(
        pk__in=ids, folder=Folder.CERTIFICATE, verified_at__isnull=False
    ).update(verified_at=None, verified_by=None, updated_at=timezone.now())


# --- reads for other apps (the trainer's public page, map cards) -----------------------------


def _ready_images(folder: str):
    return UserFile.objects.filter(folder=folder, kind=Kind.IMAGE, status=Status.READY)


def profile_photo_url(user, *, thumbnail: bool = False) -> str | None:
    """The user's latest ready profile photo (or its 400 px thumbnail), or None."""
    photo = _ready_images(Folder.PROFILE).filter(user=user).order_by("-created_at", "-id").first()
    if photo is None:
        return None
    store = backends.get_store()
    return store.public_url(photo.thumbnail_key if thumbnail else photo.key)


@dataclass(frozen=True)
class ProfilePhoto:
    """A profile photo's two sizes, for ``<img src=thumbnail srcset=...>``: the browser takes
    the 400 px thumbnail for an avatar and the full image only where it is shown large."""

    url: str
    width: int
    thumbnail_url: str
    thumbnail_width: int


def profile_photo(user) -> ProfilePhoto | None:
    """The user's latest ready profile photo with both sizes' URLs and widths, or None."""
    photo = _ready_images(Folder.PROFILE).filter(user=user).order_by("-created_at", "-id").first()
    if photo is None:
        return None
    store = backends.get_store()
    width, height = photo.width or THUMBNAIL_SIDE, photo.height or THUMBNAIL_SIDE
    # The thumbnail keeps the proportions with its long side at most THUMBNAIL_SIDE.
    scale = min(1.0, THUMBNAIL_SIDE / max(width, height, 1))
    return ProfilePhoto(
        url=store.public_url(photo.key),
        width=width,
        thumbnail_url=store.public_url(photo.thumbnail_key),
        thumbnail_width=max(1, round(width * scale)),
    )


def profile_photo_urls(user_ids: Iterable[int], *, thumbnail: bool = True) -> dict[int, str]:
    """user id -> latest profile photo URL for many users in one query (map cards, lists)."""
    latest: dict[int, UserFile] = {}
    rows = _ready_images(Folder.PROFILE).filter(user_id__in=list(user_ids))
    for row in rows.order_by("user_id", "-created_at", "-id").only(
        "user_id", "key", "thumbnail_key"
    ):
        latest.setdefault(row.user_id, row)
    store = backends.get_store()
    return {
        user_id: store.public_url(row.thumbnail_key if thumbnail else row.key)
        for user_id, row in latest.items()
    }


def gallery_images(user) -> list[GalleryImage]:
    """The user's ready gallery images, oldest first (the order they were added)."""
    store = backends.get_store()
    rows = _ready_images(Folder.GALLERY).filter(user=user).order_by("created_at", "id")
    return [
        GalleryImage(
            id=row.pk,
            url=store.public_url(row.key),
            thumbnail_url=store.public_url(row.thumbnail_key),
            width=row.width or 0,
            height=row.height or 0,
        )
        for row in rows
    ]
