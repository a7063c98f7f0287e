"""The one module that talks to object storage: S3 (django-storages' S3Storage and its boto3
client) or the local filesystem. Everything else in the app calls ``get_store()``.

Both stores keep the bucket/folder itself private and ACL-free. Public images are served
from keys a bucket policy opens (``public_read_policy``) or, on disk, from MEDIA_ROOT;
private files live apart and are reached through short-lived signed URLs only.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse

from .models import PUBLIC_FOLDERS

PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PRIVATE_CACHE_CONTROL = "private, no-store"
_SIGNING_SALT = "storage.local-download"
_TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
        "Throttling",
        "ThrottlingException",
        "RequestTimeTooSkewed",
    }
)


class StorageError(Exception):
    """The store refused: retrying the same call will not help."""


class TransientStorageError(StorageError):
    """The store was unreachable, slow or overloaded: the same call may succeed later."""


class FileStore(Protocol):
    def put(self, key: str, data: bytes, *, content_type: str, public: bool) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def public_url(self, key: str) -> str: ...
    def signed_url(self, key: str, *, expires: int, disposition: str = "") -> str: ...


def is_transient(exc: Exception) -> bool:
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = exc.response.get("Error", {}).get("Code", "")
        return status >= 500 or code in _TRANSIENT_CODES
    return isinstance(
        exc,
        EndpointConnectionError | ConnectionClosedError | ConnectTimeoutError | ReadTimeoutError,
    )


@contextmanager
def _s3_errors() -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        error = TransientStorageError if is_transient(exc) else StorageError
        raise error(str(exc)) from exc


class S3FileStore:
    """Objects written with put_object so each carries its own Content-Type and Cache-Control."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.bucket = storage.bucket_name

    @property
    def client(self):
        return self.storage.connection.meta.client

    def put(self, key: str, data: bytes, *, content_type: str, public: bool) -> None:
        with _s3_errors():
            self.client.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                CacheControl=PUBLIC_CACHE_CONTROL if public else PRIVATE_CACHE_CONTROL,
            )

    def get(self, key: str) -> bytes:
        with _s3_errors():
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        with _s3_errors():
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def public_url(self, key: str) -> str:
        if self.storage.custom_domain:
            return f"{self.storage.url_protocol}//{self.storage.custom_domain}/{key}"
        unsigned = self.storage.unsigned_connection.meta.client
        return unsigned.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}
        )

    def signed_url(self, key: str, *, expires: int, disposition: str = "") -> str:
        params = {"Bucket": self.bucket, "Key": key}
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)


class LocalFileStore:
    """MEDIA_ROOT for public images, PRIVATE_MEDIA_ROOT (never served) for everything else."""

    def __init__(self, storage: Storage) -> None:
        self.public = storage
        self.private = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)

    def _storage_for(self, key: str) -> Storage:
        return self.public if is_public_key(key) else self.private

    def put(self, key: str, data: bytes, *, content_type: str, public: bool) -> None:
        storage = self.public if public else self.private
        try:
            storage.delete(key)
            saved = storage.save(key, ContentFile(data))
        except OSError as exc:
            raise StorageError(str(exc)) from exc
        if saved != key:
            raise StorageError(f"The file system stored {key!r} as {saved!r}.")

    def get(self, key: str) -> bytes:
        for storage in (self.private, self.public):
            if storage.exists(key):
                with storage.open(key, "rb") as file:
                    return file.read()
        raise StorageError(f"No object at {key!r}.")

    def delete(self, key: str) -> None:
        try:
            self.public.delete(key)
            self.private.delete(key)
        except OSError as exc:
            raise StorageError(str(exc)) from exc

    def public_url(self, key: str) -> str:
        return self.public.url(key)

    def signed_url(self, key: str, *, expires: int, disposition: str = "") -> str:
        """``disposition`` is decided by the download view from the key; accepted for the
        interface only."""
        token = signing.dumps({"k": key, "x": int(time.time()) + expires}, salt=_SIGNING_SALT)
        return f"{reverse('api-upload-download')}?token={token}"

    def open_signed(self, token: str) -> tuple[str, bytes]:
        """The key and bytes a signed URL names, or StorageError when forged or expired."""
        try:
            payload = signing.loads(token, salt=_SIGNING_SALT)
        except signing.BadSignature as exc:
            raise StorageError("bad signature") from exc
        if payload["x"] < time.time():
            raise StorageError("expired")
        return payload["k"], self.get(payload["k"])


def is_public_key(key: str) -> bool:
    parts = key.split("/")
    return len(parts) == 3 and parts[1] in PUBLIC_FOLDERS


def get_store() -> S3FileStore | LocalFileStore:
    storage = storages["default"]
    if hasattr(storage, "bucket_name"):
        return S3FileStore(storage)
    return LocalFileStore(storage)


def public_read_policy(bucket: str) -> str:
    """The bucket policy that opens public folders to anonymous GETs, and nothing else."""
    resources = [f"arn:aws:s3:::{bucket}/*/{folder}/*" for folder in sorted(PUBLIC_FOLDERS)]
    statement = {
        "Sid": "PublicImages",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": resources,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
