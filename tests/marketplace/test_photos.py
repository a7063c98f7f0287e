"""Uploads on the trainer's pages: the photo and gallery on the public page and in discovery,
the upload and delete forms on /trainer/profile/, certificates with their status.

Files go to the local file-system backend under tmp_path (MEDIA_ROOT for public images,
PRIVATE_MEDIA_ROOT for the rest); Celery is eager, so an upload is converted at once.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from storage.models import Folder, Kind, Status, UserFile
from tests.factories import TrainerProfileFactory, UserFactory
from tests.storage.samples import pdf, photo, png_header_only

BOX = "17.9,59.2,18.2,59.5"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def stored_file(user, folder=Folder.PROFILE, status=Status.READY, name="me") -> UserFile:
    """A row as the pipeline leaves it (no objects behind it: for the reads only)."""
    kind = Kind.PDF if folder == Folder.CERTIFICATE else Kind.IMAGE
    extension = "pdf" if kind == Kind.PDF else "webp"
    suffix = UserFile.objects.count()
    return UserFile.objects.create(
        user=user,
        folder=folder,
        kind=kind,
        status=status,
        original_name=f"{name}.{extension}",
        source_content_type="image/jpeg",
        key=f"{user.uid}/{folder}/{name}-{suffix}.{extension}",
        thumbnail_key=f"{user.uid}/{folder}/{name}-{suffix}-thumb.webp" if kind == "image" else "",
    )


def upload_on_page(client, django_capture_on_commit_callbacks, folder, name, data):
    """POST the profile page's upload form, run the on-commit conversion, follow the redirect."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/uploads/",
            {"folder": folder, "next": "/trainer/profile/", "file": SimpleUploadedFile(name, data)},
        )
    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/"
    return client.get(response["Location"])


def messages_on(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- reads: the photo URL and the discovery API ----------------------------------------------


@pytest.mark.django_db
def test_photo_url_is_the_newest_ready_profile_image():
    # given: an older and a newer ready photo, a newer one still processing, a gallery image
    profile = TrainerProfileFactory()
    stored_file(profile.user, name="old")
    newest_ready = stored_file(profile.user, name="new")
    stored_file(profile.user, status=Status.PENDING, name="processing")
    stored_file(profile.user, folder=Folder.GALLERY, name="gym")
    photoless = TrainerProfileFactory()

    # then
    assert profile.photo_url == f"/media/{newest_ready.key}"
    assert photoless.photo_url is None


@pytest.mark.django_db
def test_the_discovery_api_carries_thumbnails_in_one_query_for_the_page(api_client):
    # given: 30 trainers with a photo each, and one without
    profiles = TrainerProfileFactory.create_batch(30)
    photos = {p.pk: stored_file(p.user) for p in profiles}
    bare = TrainerProfileFactory()

    # when
    with CaptureQueriesContext(connection) as listing:
        response = api_client.get("/api/trainers", {"bbox": BOX})
    list_queries = len(listing)  # read now: the next request clears the connection's log
    with CaptureQueriesContext(connection) as geo:
        geojson = api_client.get("/api/trainers", {"bbox": BOX, "format": "geojson"})
    geo_queries = len(geo)
    detail = api_client.get(f"/api/trainers/{profiles[0].pk}")

    # then: the list's cards get thumbnails (rows + categories + photos), the detail the photo
    assert response.status_code == 200
    by_id = {t["id"]: t["photo_url"] for t in response.json()["results"]}
    assert by_id == {
        **{pk: f"/media/{row.thumbnail_key}" for pk, row in photos.items()},
        bare.pk: None,
    }
    assert list_queries == 3
    features = {f["id"]: f["properties"]["photo_url"] for f in geojson.json()["features"]}
    assert features == by_id
    assert geo_queries == 3
    assert detail.json()["photo_url"] == f"/media/{photos[profiles[0].pk].key}"


# --- the profile page: upload, show, delete ---------------------------------------------------


@pytest.mark.django_db
def test_a_photo_uploaded_on_the_profile_page_is_a_ready_webp_shown_on_both_pages(
    client, django_capture_on_commit_callbacks, media
):
    # given
    profile = TrainerProfileFactory(slug="anna")
    client.force_login(profile.user)

    # when
    page = upload_on_page(
        client, django_capture_on_commit_callbacks, "profile", "me.jpg", photo(900, 600)
    )

    # then: converted, stored under MEDIA_ROOT, shown on the settings page and the public page
    row = UserFile.objects.get()
    assert (row.user, row.folder, row.status, row.content_type) == (
        profile.user,
        "profile",
        Status.READY,
        "image/webp",
    )
    assert (row.width, row.height) == (900, 600)
    with Image.open(media / "media" / row.key) as stored:
        assert (stored.format, stored.size) == ("WEBP", (900, 600))
    assert (media / "media" / row.thumbnail_key).exists()
    assert messages_on(page) == ["Your photo is uploaded."]
    assert f'src="/media/{row.thumbnail_key}"' in page.content.decode()
    public = client.get("/trainers/anna/").content.decode()
    # the avatar loads the 400 px thumbnail; the srcset offers the full photo where needed
    thumbnail, full = f"/media/{row.thumbnail_key}", f"/media/{row.key}"
    assert re.search(
        rf'<img class="avatar avatar-xl" src="{re.escape(thumbnail)}"\s+'
        rf'srcset="{re.escape(thumbnail)} 400w, {re.escape(full)} 900w"\s+'
        r'sizes="\(max-width: 820px\) 80px, 112px"',
        public,
    )
    served = client.get(f"/media/{row.key}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/webp"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.jpg", b"just text", "Upload a JPEG, PNG or WebP image or a PDF document."),
        ("cut.jpg", photo(400, 300)[:600], "The file is damaged or incomplete."),
        (
            "bomb.png",
            png_header_only(9000, 9000),
            "The image has too many pixels: at most 40 megapixels are accepted.",
        ),
        ("huge.jpg", b"\xff\xd8\xff" + bytes(1_100_000), "The file is too large: at most 1.0 MB."),
    ],
)
@pytest.mark.django_db
def test_a_refused_upload_is_explained_on_the_page_and_stores_nothing(
    client, django_capture_on_commit_callbacks, media, settings, name, data, message
):
    settings.UPLOAD_MAX_BYTES = 1_048_576
    client.force_login(TrainerProfileFactory().user)

    page = upload_on_page(client, django_capture_on_commit_callbacks, "gallery", name, data)

    assert messages_on(page) == [message]
    assert UserFile.objects.count() == 0
    assert list(media.rglob("*.*")) == []


@pytest.mark.django_db
def test_a_pending_upload_says_processing_and_a_failed_one_says_so(client):
    profile = TrainerProfileFactory()
    stored_file(profile.user, folder=Folder.GALLERY, status=Status.PENDING, name="new")
    stored_file(profile.user, folder=Folder.CERTIFICATE, status=Status.FAILED, name="cert")
    client.force_login(profile.user)

    html = client.get("/trainer/profile/").content.decode()

    statuses = re.findall(r'data-testid="upload-status"[^>]*>([^<]+)<', html)
    assert statuses == ["Processing…", "Could not be processed"]


@pytest.mark.django_db
def test_certificates_are_listed_with_their_status_and_verified_mark(
    client, django_capture_on_commit_callbacks
):
    # given: an uploaded certificate that staff then verify, and one not yet checked
    profile = TrainerProfileFactory()
    client.force_login(profile.user)
    upload_on_page(
        client, django_capture_on_commit_callbacks, "certificate", "PT-diploma.pdf", pdf()
    )
    verified = UserFile.objects.get()
    verified.verified_at = timezone.now()
    verified.save()
    upload_on_page(client, django_capture_on_commit_callbacks, "certificate", "CPR.pdf", pdf())

    # when
    html = client.get("/trainer/profile/").content.decode()

    # then: newest first, each ready, the first one verified, linked through a signed URL
    certificates = re.findall(r'data-testid="certificate">(.*?)</li>', html, re.S)
    assert len(certificates) == 2
    assert "CPR.pdf" in certificates[0] and "Verified" not in certificates[0]
    assert "PT-diploma.pdf" in certificates[1] and "Verified" in certificates[1]
    assert all(">Ready<" in c and "/api/uploads/download?token=" in c for c in certificates)


@pytest.mark.django_db
def test_the_owner_deletes_a_file_which_removes_the_row_and_its_objects(
    client, django_capture_on_commit_callbacks, media
):
    # given
    profile = TrainerProfileFactory()
    client.force_login(profile.user)
    upload_on_page(client, django_capture_on_commit_callbacks, "gallery", "gym.png", photo(80, 60))
    row = UserFile.objects.get()
    assert (media / "media" / row.key).exists()

    # when
    response = client.post(f"/uploads/{row.pk}/delete/", {"next": "/trainer/profile/#photos"})

    # then
    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/#photos"
    assert UserFile.objects.count() == 0
    assert list(media.rglob("*.*")) == []
    assert messages_on(client.get("/trainer/profile/")) == ["The file is deleted."]


@pytest.mark.django_db
def test_nobody_deletes_another_users_file_and_get_is_not_allowed(
    client, django_capture_on_commit_callbacks, media
):
    # given: the owner's photo, another trainer logged in
    owner = TrainerProfileFactory()
    client.force_login(owner.user)
    upload_on_page(client, django_capture_on_commit_callbacks, "profile", "me.jpg", photo(60, 60))
    row = UserFile.objects.get()
    client.force_login(UserFactory(is_staff=True))

    # when
    refused = client.post(f"/uploads/{row.pk}/delete/")
    by_get = client.get(f"/uploads/{row.pk}/delete/")

    # then
    assert refused.status_code == 404
    assert by_get.status_code == 405
    assert UserFile.objects.filter(pk=row.pk).exists()
    assert (media / "media" / row.key).exists()


@pytest.mark.django_db
def test_the_public_page_shows_ready_gallery_images_and_initials_without_a_photo(client):
    profile = TrainerProfileFactory(slug="erik", display_name="Erik Berg")
    first = stored_file(profile.user, folder=Folder.GALLERY, name="one")
    second = stored_file(profile.user, folder=Folder.GALLERY, name="two")
    stored_file(profile.user, folder=Folder.GALLERY, status=Status.PENDING, name="three")

    html = client.get("/trainers/erik/").content.decode()

    thumbnails = re.findall(r'<li><a href="([^"]+)"><img src="([^"]+)"', html)
    assert thumbnails == [
        (f"/media/{first.key}", f"/media/{first.thumbnail_key}"),
        (f"/media/{second.key}", f"/media/{second.thumbnail_key}"),
    ]
    assert '<span class="avatar avatar-xl" aria-hidden="true">EB</span>' in html


@pytest.mark.django_db
def test_a_portrait_photo_s_thumbnail_width_is_in_proportion():
    from storage.services import profile_photo

    profile = TrainerProfileFactory()
    row = stored_file(profile.user)
    UserFile.objects.filter(pk=row.pk).update(width=1200, height=1800)

    photo_sizes = profile_photo(profile.user)

    assert (photo_sizes.width, photo_sizes.thumbnail_width) == (1200, 267)
    assert photo_sizes.url == f"/media/{row.key}"
    assert photo_sizes.thumbnail_url == f"/media/{row.thumbnail_key}"
    assert profile_photo(UserFactory()) is None
