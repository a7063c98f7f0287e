"""Every refused upload: its status and code, and nothing left in the bucket or the table."""

import base64
import io
import warnings
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from PIL import Image

from storage import validation
from storage.models import UserFile
from tests.factories import UserFactory

from .samples import pdf, photo, png_header_only

pytestmark = pytest.mark.django_db(transaction=True)


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    return out.getvalue()


def _bad_crc_png() -> bytes:
    data = bytearray(photo(40, 30, "PNG"))
    data[29] ^= 0xFF  # inside the IHDR checksum
    return bytes(data)


def _truncated_pdf() -> bytes:
    return pdf()[:-12]


REFUSALS = [
    pytest.param(
        "profile", "notes.txt", b"just some text\n", 422, "UNSUPPORTED_FILE_TYPE", id="text"
    ),
    pytest.param("profile", "anim.gif", _gif(), 422, "UNSUPPORTED_FILE_TYPE", id="gif"),
    pytest.param(
        "profile",
        "fake.jpg",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        422,
        "UNSUPPORTED_FILE_TYPE",
        id="svg-named-jpg",
    ),
    pytest.param("profile", "cv.pdf", pdf(), 422, "UNSUPPORTED_FILE_TYPE", id="pdf-as-profile"),
    pytest.param(
        "profile",
        "big.png",
        png_header_only(8000, 5001),
        422,
        "IMAGE_TOO_LARGE",
        id="over-40-megapixels",
    ),
    pytest.param(
        "profile",
        "bomb.png",
        png_header_only(30000, 30000),
        422,
        "IMAGE_TOO_LARGE",
        id="decompression-bomb",
    ),
    pytest.param(
        "profile", "cut.jpg", photo(400, 300)[:1500], 422, "CORRUPT_FILE", id="truncated-jpeg"
    ),
    pytest.param(
        "profile",
        "junk.jpg",
        b"\xff\xd8\xff" + b"\x00" * 200,
        422,
        "CORRUPT_FILE",
        id="jpeg-garbage",
    ),
    pytest.param("profile", "crc.png", _bad_crc_png(), 422, "CORRUPT_FILE", id="png-bad-checksum"),
    pytest.param("document", "cut.pdf", _truncated_pdf(), 422, "CORRUPT_FILE", id="truncated-pdf"),
    pytest.param("secret", "a.jpg", photo(40, 30), 400, "INVALID_FOLDER", id="unknown-folder"),
    pytest.param(
        "../profile", "a.jpg", photo(40, 30), 400, "INVALID_FOLDER", id="traversal-folder"
    ),
    pytest.param("profile", "empty.jpg", b"", 422, "EMPTY_FILE", id="empty"),
]


@pytest.mark.parametrize(("folder", "name", "data", "status", "code"), REFUSALS)
def test_a_refused_multipart_upload_leaves_nothing_behind(
    s3, api_client, folder, name, data, status, code
):
    api_client.force_authenticate(UserFactory())

    response = api_client.post(
        "/api/uploads",
        {"folder": folder, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )

    assert response.status_code == status, response.json()
    assert response.json()["error"]["code"] == code
    assert s3.object_keys() == []
    assert UserFile.objects.count() == 0


@pytest.mark.parametrize(("folder", "name", "data", "status", "code"), REFUSALS)
def test_a_refused_base64_upload_leaves_nothing_behind(
    s3, api_client, folder, name, data, status, code
):
    api_client.force_authenticate(UserFactory())

    response = api_client.post(
        "/api/uploads",
        {"folder": folder, "filename": name, "file": base64.b64encode(data).decode()},
        format="json",
    )

    # No bytes is "file": "", which the schema refuses (minLength 1): 400, not 422.
    assert response.status_code == (400 if data == b"" else status), response.json()
    assert response.json()["error"]["code"] == code
    assert s3.object_keys() == []
    assert UserFile.objects.count() == 0


def test_a_file_over_the_limit_is_refused_with_413(s3, api_client, settings):
    # given a 2 kB limit and a 3 kB photo (the body is small enough to be read)
    settings.UPLOAD_MAX_BYTES = 2_000
    api_client.force_authenticate(UserFactory())
    data = photo(200, 150, quality=95)
    assert len(data) > 2_000

    multipart = api_client.post(
        "/api/uploads",
        {"folder": "gallery", "file": SimpleUploadedFile("a.jpg", data)},
        format="multipart",
    )
    json = api_client.post(
        "/api/uploads",
        {"folder": "gallery", "filename": "a.jpg", "file": base64.b64encode(data).decode()},
        format="json",
    )

    for response in (multipart, json):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert s3.object_keys() == []
    assert UserFile.objects.count() == 0


def test_a_body_over_the_limit_is_refused_before_it_is_read(s3, api_client, settings):
    # given a body far larger than the limit allows, multipart and JSON
    settings.UPLOAD_MAX_BYTES = 1_000
    api_client.force_authenticate(UserFactory())
    big = b"\xff\xd8\xff" + b"\x00" * 200_000

    with mock.patch("rest_framework.request.Request._parse") as parse:
        multipart = api_client.post(
            "/api/uploads",
            {"folder": "gallery", "file": SimpleUploadedFile("a.jpg", big)},
            format="multipart",
        )
        json = api_client.post(
            "/api/uploads",
            {"folder": "gallery", "file": base64.b64encode(big).decode()},
            format="json",
        )

    # then the Content-Length alone refuses it: the body was never parsed
    assert parse.call_count == 0
    for response in (multipart, json):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert s3.object_keys() == []


def test_the_default_limit_is_10_mb(settings):
    assert settings.UPLOAD_MAX_BYTES == 10 * 1024 * 1024


def test_invalid_base64_is_refused(s3, api_client):
    api_client.force_authenticate(UserFactory())

    response = api_client.post(
        "/api/uploads", {"folder": "gallery", "file": "not*base64!"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_BASE64"
    assert s3.object_keys() == []


def test_anonymous_uploads_are_refused(s3, api_client):
    response = api_client.post(
        "/api/uploads",
        {"folder": "gallery", "file": SimpleUploadedFile("a.jpg", photo(40, 30))},
        format="multipart",
    )

    assert response.status_code == 401
    assert s3.object_keys() == []


def test_a_database_failure_after_staging_removes_the_staging_object(s3, api_client):
    api_client.force_authenticate(UserFactory())
    api_client.raise_request_exception = False

    with mock.patch.object(UserFile.objects, "create", side_effect=IntegrityError("boom")):
        response = api_client.post(
            "/api/uploads",
            {"folder": "gallery", "file": SimpleUploadedFile("a.jpg", photo(40, 30))},
            format="multipart",
        )

    assert response.status_code == 500
    assert s3.object_keys() == []
    assert UserFile.objects.count() == 0


def test_the_bomb_warning_is_an_error_only_inside_the_check(monkeypatch):
    # given Pillow's bomb threshold below the size of a small image
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    data = photo(40, 30, "PNG")  # 1 200 pixels: over the threshold, under twice it
    filters_before = list(warnings.filters)

    with pytest.raises(validation.ImageTooLarge):
        validation.inspect(data)

    # and outside the check the process-wide warning filters are untouched
    assert warnings.filters == filters_before
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Image.open(io.BytesIO(data))
    assert [w.category for w in caught] == [Image.DecompressionBombWarning]


def test_accepted_types_are_decided_by_content():
    assert validation.inspect(photo(40, 30)).content_type == "image/jpeg"
    assert validation.inspect(photo(40, 30, "PNG")).content_type == "image/png"
    assert validation.inspect(photo(40, 30, "WEBP")).content_type == "image/webp"
    assert validation.inspect(pdf()).content_type == "application/pdf"
    assert (validation.inspect(photo(40, 30)).width, validation.inspect(photo(40, 30)).height) == (
        40,
        30,
    )
