"""What an upload is, decided from its bytes: never from its name or the client's header.

Images are opened by Pillow restricted to the format their signature claims, with the
decompression-bomb warning turned into an error for the duration of the call only.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from traino.exceptions import DomainError

from .models import Folder, Kind

MAX_PIXELS = 40_000_000

# signature -> (Pillow format or None for PDF, content type, kind)
_JPEG = ("JPEG", "image/jpeg", Kind.IMAGE)
_PNG = ("PNG", "image/png", Kind.IMAGE)
_WEBP = ("WEBP", "image/webp", Kind.IMAGE)
_PDF = (None, "application/pdf", Kind.PDF)


# What the file's bytes are refused for is 422: the request matches the API's schema (a file
# in a named folder), its content does not. A request body in a type the endpoint does not
# read at all is DRF's 415 UNSUPPORTED_MEDIA_TYPE.


class UnsupportedMediaType(DomainError):
    status = 422
    code = "UNSUPPORTED_FILE_TYPE"
    message = _("Upload a JPEG, PNG or WebP image or a PDF document.")


class FileTooLarge(DomainError):
    status = 413
    code = "FILE_TOO_LARGE"
    message = _("The file is too large.")


class ImageTooLarge(DomainError):
    status = 422
    code = "IMAGE_TOO_LARGE"
    message = _("The image has too many pixels: at most 40 megapixels are accepted.")


class CorruptFile(DomainError):
    status = 422
    code = "CORRUPT_FILE"
    message = _("The file is damaged or incomplete.")


class InvalidFolder(DomainError):
    code = "INVALID_FOLDER"
    message = _("Choose one of the folders: profile, gallery, certificate, document.")


class EmptyFile(DomainError):
    """No file sent (400), or one of zero bytes (``check_size``: 422)."""

    code = "EMPTY_FILE"
    message = _('Send a file in the field "file".')


@dataclass(frozen=True)
class Inspected:
    kind: str
    content_type: str
    pillow_format: str | None
    width: int | None = None
    height: int | None = None


def check_folder(folder: str) -> str:
    if folder not in Folder.values:
        raise InvalidFolder(fields={"folder": [str(InvalidFolder.message)]})
    return folder


def too_large_message() -> str:
    """What a file over UPLOAD_MAX_BYTES is told: by the server, and by the form's script."""
    limit = settings.UPLOAD_MAX_BYTES
    return _("The file is too large: at most %(mb)s MB.") % {"mb": round(limit / 1_048_576, 1)}


def check_size(size: int) -> None:
    if size > settings.UPLOAD_MAX_BYTES:
        raise FileTooLarge(too_large_message())
    if size == 0:
        raise EmptyFile(status=422)


# Room for multipart boundaries and the other fields, or for a data: URL prefix.
_BODY_SLACK = 64 * 1024


def check_content_length(meta: dict) -> None:
    """Refuse by the declared length alone, before a byte of the body is read or parsed."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.UPLOAD_MAX_BYTES
    if meta.get("CONTENT_TYPE", "").startswith("multipart/"):
        allowed = limit + _BODY_SLACK
    else:
        allowed = -(-limit // 3) * 4 + _BODY_SLACK  # base64 in JSON
    if length > allowed:
        check_size(limit + 1)


def sniff(data: bytes) -> tuple[str | None, str, str]:
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _WEBP
    if head.startswith(b"%PDF-"):
        return _PDF
    raise UnsupportedMediaType()


@contextmanager
def open_image(data: bytes, pillow_format: str) -> Iterator[Image.Image]:
    """Pillow limited to one format, the bomb warning an error, errors mapped to our codes."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ImageTooLarge()
                yield image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLarge() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise CorruptFile() from exc


def inspect(data: bytes) -> Inspected:
    """Type, dimensions and integrity of an upload, or the DomainError that refuses it."""
    check_size(len(data))
    pillow_format, content_type, kind = sniff(data)
    if pillow_format is None:
        # A PDF written to the end carries %%EOF in its last kilobyte; a truncated one does not.
        if b"%%EOF" not in data[-1024:]:
            raise CorruptFile()
        return Inspected(kind=kind, content_type=content_type, pillow_format=None)
    with open_image(data, pillow_format) as image:
        image.verify()  # checksums and structure, without decoding the pixels
    with open_image(data, pillow_format) as image:
        image.load()  # a truncated pixel stream only shows when it is decoded
        return Inspected(
            kind=kind,
            content_type=content_type,
            pillow_format=pillow_format,
            width=image.width,
            height=image.height,
        )
