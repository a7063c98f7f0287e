"""Uploads against moto's S3 server over HTTP: keys, headers, conversion, privacy, retries."""

import base64
import io
import random
import re
import urllib.error
import urllib.request
from unittest import mock

import pytest
from botocore.exceptions import ClientError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import ExifTags, Image

from marketplace.models import Role
from storage import backends, services
from storage.models import Status, UserFile
from tests.factories import UserFactory
from traino.celery import app as celery_app

from .samples import pdf, photo

pytestmark = pytest.mark.django_db(transaction=True)


def upload(client, folder: str, name: str, data: bytes):
    return client.post(
        "/api/uploads",
        {"folder": folder, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def anonymous_get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, b"", {}


def client_error(status: int, code: str, operation: str = "PutObject") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        operation,
    )


@pytest.fixture
def celery_retries():
    """Let Celery's retry machinery run in-process, as a worker would.

    The project propagates eager errors (so the embedded default shows them); with
    propagation on, an eager task raises Retry instead of running again.
    """
    before = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = before


@pytest.fixture
def owner(api_client):
    user = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(user)
    return user


def test_a_jpeg_profile_photo_is_stored_as_webp_with_its_headers_and_thumbnail(
    s3, api_client, owner
):
    # given a 3000 x 2000 JPEG
    # when the trainer uploads it as a profile photo
    response = upload(api_client, "profile", "Min Bild (1).JPG", photo(3000, 2000))

    # then the row is ready and points at {uid}/profile/{slug}-{suffix}.webp
    assert response.status_code == 201, response.json()
    row = UserFile.objects.get()
    assert row.status == Status.READY
    assert re.fullmatch(rf"{owner.uid}/profile/min-bild-1-[0-9a-f]{{8}}\.webp", row.key)
    assert row.thumbnail_key == row.key.removesuffix(".webp") + "-thumb.webp"
    assert row.staging_key == ""
    assert s3.object_keys() == sorted([row.key, row.thumbnail_key])
    stored = s3.get(row.key)
    assert stored["ContentType"] == "image/webp"
    assert stored["CacheControl"] == "public, max-age=31536000, immutable"
    body = stored["Body"].read()
    image = Image.open(io.BytesIO(body))
    assert (image.format, image.size) == ("WEBP", (2048, 1365))
    assert (row.width, row.height, row.size) == (2048, 1365, len(body))
    thumb = s3.get(row.thumbnail_key)
    assert thumb["ContentType"] == "image/webp"
    assert thumb["CacheControl"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(thumb["Body"].read())).size == (400, 267)
    assert response.json()["status"] == "ready"
    assert response.json()["width"] == 2048
    assert response.json()["url_expires_in"] is None


def test_a_public_image_is_readable_without_credentials(s3, api_client, owner):
    response = upload(api_client, "gallery", "pass.png", photo(300, 200, "PNG"))

    url = response.json()["url"]
    assert url == s3.anonymous_url(UserFile.objects.get().key)
    status, body, headers = anonymous_get(url)
    assert status == 200
    assert headers["content-type"] == "image/webp"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(body)).size == (300, 200)


def test_exif_orientation_is_applied_and_all_metadata_dropped(s3, api_client, owner):
    # given a JPEG stored 600 x 400 (red left half) that says "rotate 90° clockwise",
    # with GPS and a camera model in its EXIF
    image = Image.new("RGB", (600, 400), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 300, 400))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = "Secret Camera"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (59.0, 20.0, 0.0),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)

    # when it is uploaded
    upload(api_client, "profile", "portrait.jpg", out.getvalue())

    # then it stands upright (red on top), and nothing of the EXIF survives
    body = s3.get(UserFile.objects.get().key)["Body"].read()
    stored = Image.open(io.BytesIO(body))
    assert stored.size == (400, 600)
    top = stored.convert("RGB").getpixel((200, 100))
    bottom = stored.convert("RGB").getpixel((200, 500))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert len(stored.getexif()) == 0
    assert not {"exif", "icc_profile", "xmp"} & set(stored.info)
    assert b"EXIF" not in body and b"Secret Camera" not in body and b"ICCP" not in body


def test_base64_json_upload_like_the_seed_frontend(s3, api_client, owner):
    data_url = "data:image/png;base64," + base64.b64encode(photo(80, 60, "PNG")).decode()

    response = api_client.post(
        "/api/uploads",
        {"folder": "gallery", "filename": "bild.png", "file": data_url},
        format="json",
    )

    assert response.status_code == 201, response.json()
    row = UserFile.objects.get()
    assert (row.status, row.width, row.height) == (Status.READY, 80, 60)
    assert re.fullmatch(rf"{owner.uid}/gallery/bild-[0-9a-f]{{8}}\.webp", row.key)


def test_a_pdf_is_private_and_served_to_its_owner_and_staff_through_signed_urls(
    s3, api_client, owner
):
    # given a PDF certificate
    data = pdf()
    response = upload(api_client, "certificate", "cert.pdf", data)

    # then it is stored as it is, privately
    assert response.status_code == 201, response.json()
    row = UserFile.objects.get()
    assert (row.status, row.kind, row.size) == (Status.READY, "pdf", len(data))
    assert re.fullmatch(rf"{owner.uid}/certificate/cert-[0-9a-f]{{8}}\.pdf", row.key)
    assert s3.object_keys() == [row.key]
    stored = s3.get(row.key)
    assert stored["ContentType"] == "application/pdf"
    assert stored["Body"].read() == data
    assert anonymous_get(s3.anonymous_url(row.key))[0] == 403

    # the owner gets a signed URL that works
    detail = api_client.get(f"/api/uploads/{row.pk}")
    assert detail.status_code == 200
    assert detail.json()["url_expires_in"] == 300
    assert "X-Amz-Signature=" in detail.json()["url"]
    assert "response-content-disposition=attachment" in detail.json()["url"]
    status, body, headers = anonymous_get(detail.json()["url"])
    assert (status, body) == (200, data)
    assert headers["Content-Disposition"] == f'attachment; filename="{row.key.split("/")[-1]}"'

    # staff too; another user sees nothing
    api_client.force_authenticate(UserFactory(role=Role.STAFF))
    assert anonymous_get(api_client.get(f"/api/uploads/{row.pk}").json()["url"])[0] == 200
    api_client.force_authenticate(UserFactory())
    other = api_client.get(f"/api/uploads/{row.pk}")
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "NOT_FOUND"


def test_a_certificate_image_is_private_too(s3, api_client, owner):
    upload(api_client, "certificate", "diploma.jpg", photo(120, 90))

    row = UserFile.objects.get()
    assert anonymous_get(s3.anonymous_url(row.key))[0] == 403
    assert s3.get(row.key)["CacheControl"] == "private, no-store"
    status, body, _headers = anonymous_get(api_client.get(f"/api/uploads/{row.pk}").json()["url"])
    assert status == 200
    assert Image.open(io.BytesIO(body)).size == (120, 90)


def test_a_transient_s3_error_is_retried_and_the_upload_succeeds(
    s3, api_client, owner, celery_retries
):
    # given S3 answers the first write of the converted image with 503 Slow Down
    client = backends.get_store().client
    real_put = client.put_object
    calls = []

    def flaky_put(**kwargs):
        calls.append(kwargs["Key"])
        if kwargs["Key"].endswith(".webp") and len(calls) == 2:  # staging, then this
            raise client_error(503, "SlowDown")
        return real_put(**kwargs)

    # when the photo is uploaded
    with mock.patch.object(client, "put_object", side_effect=flaky_put):
        response = upload(api_client, "profile", "me.jpg", photo(200, 100))

    # then the task ran again and the row is ready, with no staging object left
    assert response.status_code == 201
    row = UserFile.objects.get()
    assert row.status == Status.READY
    assert calls.count(row.key) == 2
    assert s3.object_keys() == sorted([row.key, row.thumbnail_key])


def test_transient_errors_that_never_stop_leave_a_failed_row_and_no_objects(
    s3, api_client, owner, celery_retries
):
    client = backends.get_store().client
    real_put = client.put_object

    def always_down(**kwargs):
        if kwargs["Key"].endswith(".webp"):
            raise client_error(500, "InternalError")
        return real_put(**kwargs)

    with mock.patch.object(client, "put_object", side_effect=always_down) as put:
        response = upload(api_client, "profile", "me.jpg", photo(200, 100))

    assert response.status_code == 201
    row = UserFile.objects.get()
    assert row.status == Status.FAILED
    assert row.failure_reason == "The file could not be stored. Upload it again in a minute."
    assert put.call_count == 1 + 4  # the staging write, then the first try and 3 retries
    assert s3.object_keys() == []


def test_a_permanent_s3_error_marks_the_row_failed_with_a_message_and_logs_the_cause(
    s3, api_client, owner, celery_retries, caplog
):
    client = backends.get_store().client
    real_put = client.put_object

    def denied(**kwargs):
        if kwargs["Key"].endswith(".webp"):
            raise client_error(403, "AccessDenied")
        return real_put(**kwargs)

    with mock.patch.object(client, "put_object", side_effect=denied) as put:
        response = upload(api_client, "profile", "me.jpg", photo(200, 100))

    row = UserFile.objects.get()
    message = "The file could not be stored. Upload it again in a minute."
    assert row.status == Status.FAILED
    assert row.failure_reason == message
    assert response.json()["failure_reason"] == message
    assert f"Upload {row.pk} failed" in caplog.text
    assert "AccessDenied" in caplog.text
    assert put.call_count == 2  # staging, then one refused write: no retry
    assert s3.object_keys() == []


def test_staging_upload_failure_answers_503_and_leaves_nothing(s3, api_client, owner):
    client = backends.get_store().client
    with mock.patch.object(client, "put_object", side_effect=client_error(503, "SlowDown")):
        response = upload(api_client, "profile", "me.jpg", photo(200, 100))

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "STORAGE_UNAVAILABLE"
    assert UserFile.objects.count() == 0
    assert s3.object_keys() == []


def test_the_owner_deletes_a_file_and_its_objects(s3, api_client, owner):
    upload(api_client, "gallery", "a.jpg", photo(100, 100))
    row = UserFile.objects.get()

    response = api_client.delete(f"/api/uploads/{row.pk}")

    assert response.status_code == 204
    assert UserFile.objects.count() == 0
    assert s3.object_keys() == []


def test_someone_else_cannot_delete_a_file(s3, api_client, owner):
    upload(api_client, "gallery", "a.jpg", photo(100, 100))
    row = UserFile.objects.get()
    api_client.force_authenticate(UserFactory())

    response = api_client.delete(f"/api/uploads/{row.pk}")

    assert response.status_code == 404
    assert UserFile.objects.count() == 1
    assert s3.object_keys() == sorted([row.key, row.thumbnail_key])


def test_staff_can_delete_any_file(s3, api_client, owner):
    upload(api_client, "certificate", "c.pdf", pdf())
    row = UserFile.objects.get()
    api_client.force_authenticate(UserFactory(role=Role.STAFF))

    assert api_client.delete(f"/api/uploads/{row.pk}").status_code == 204
    assert s3.object_keys() == []


def test_storage_init_bucket_creates_the_bucket_with_the_public_image_policy(
    s3, settings, api_client, owner
):
    # given the storage pointed at a bucket that does not exist yet
    fresh = s3.bucket + "-new"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": fresh},
        },
    }

    # when the command runs twice (it is idempotent)
    call_command("storage_init_bucket", stdout=io.StringIO())
    call_command("storage_init_bucket", stdout=io.StringIO())

    # then a gallery image is public there and a certificate is not
    gallery = upload(api_client, "gallery", "g.jpg", photo(50, 50)).json()
    certificate = upload(api_client, "certificate", "c.jpg", photo(50, 50)).json()
    assert anonymous_get(gallery["url"])[0] == 200
    certificate_key = UserFile.objects.get(pk=certificate["id"]).key
    assert anonymous_get(f"{s3.endpoint}/{fresh}/{certificate_key}")[0] == 403
    for row in UserFile.objects.all():
        for key in (row.key, row.thumbnail_key):
            s3.client.delete_object(Bucket=fresh, Key=key)
    s3.client.delete_bucket(Bucket=fresh)


def test_deleting_the_account_deletes_its_objects(s3, api_client, owner):
    upload(api_client, "gallery", "a.jpg", photo(100, 100))
    upload(api_client, "document", "b.pdf", pdf())
    assert len(s3.object_keys()) == 3

    owner.delete()

    assert UserFile.objects.count() == 0
    assert s3.object_keys() == []


def test_a_second_delivery_of_the_task_keeps_the_first_result(s3, api_client, owner):
    # given an upload processed once, and a redelivered task that ran alongside it
    upload(api_client, "gallery", "a.jpg", photo(100, 100))
    row = UserFile.objects.get()
    UserFile.objects.filter(pk=row.pk).update(status=Status.PENDING, staging_key="staging/gone")
    s3.client.put_object(Bucket=s3.bucket, Key="staging/gone", Body=photo(100, 100))
    real_update = UserFile.objects.filter

    def finished_first(*args, **kwargs):
        queryset = real_update(*args, **kwargs)
        if kwargs.get("status") == Status.PENDING:
            UserFile.objects.all().update(status=Status.READY, staging_key="")
        return queryset

    # when its conditional update finds the row already ready
    with mock.patch.object(UserFile.objects, "filter", side_effect=finished_first):
        services.upload_process(file_id=row.pk)

    # then the objects stay
    assert UserFile.objects.get().status == Status.READY
    assert row.key in s3.object_keys()
    assert row.thumbnail_key in s3.object_keys()


def test_a_row_deleted_while_processing_leaves_no_objects(s3, api_client, owner):
    upload(api_client, "gallery", "a.jpg", photo(100, 100))
    row = UserFile.objects.get()
    UserFile.objects.filter(pk=row.pk).update(status=Status.PENDING, staging_key="staging/gone")
    s3.client.put_object(Bucket=s3.bucket, Key="staging/gone", Body=photo(100, 100))
    real_convert = services.convert_to_webp

    def delete_meanwhile(*args, **kwargs):
        UserFile.objects.filter(pk=row.pk).delete()
        return real_convert(*args, **kwargs)

    with mock.patch.object(services, "convert_to_webp", side_effect=delete_meanwhile):
        assert services.upload_process(file_id=row.pk) is None

    assert s3.object_keys() == []


def test_uploads_larger_than_djangos_in_memory_limits_are_accepted(s3, api_client, owner):
    # given a 4 MB PNG: over DATA_UPLOAD_MAX_MEMORY_SIZE and FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    noise = Image.frombytes("RGB", (1200, 1000), random.Random(5).randbytes(1200 * 1000 * 3))
    out = io.BytesIO()
    noise.save(out, "PNG")
    data = out.getvalue()
    assert len(data) > 3_500_000

    as_json = api_client.post(
        "/api/uploads",
        {"folder": "gallery", "filename": "n.png", "file": base64.b64encode(data).decode()},
        format="json",
    )
    as_multipart = upload(api_client, "gallery", "n.png", data)

    assert (as_json.status_code, as_multipart.status_code) == (201, 201), as_json.json()
    assert [r.status for r in UserFile.objects.all()] == [Status.READY, Status.READY]
    assert [(r.width, r.height) for r in UserFile.objects.all()] == [(1200, 1000)] * 2


def test_malformed_json_is_a_400(s3, api_client, owner):
    response = api_client.post("/api/uploads", data='{"folder": ', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"


@pytest.mark.parametrize("body", ["[]", "null", '"x"', "42", '[{"folder": "gallery"}]'])
def test_a_json_body_that_is_not_an_object_is_a_400(s3, api_client, owner, body):
    response = api_client.post("/api/uploads", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"
    assert UserFile.objects.count() == 0
