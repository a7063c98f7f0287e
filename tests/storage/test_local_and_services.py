"""The filesystem backend (the embedded default), keys, reads for other apps, the admin."""

import re
import time
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.models import Role
from storage import backends, keys, services
from storage.models import Status, UserFile
from tests.factories import UserFactory

from .samples import pdf, photo

pytestmark = pytest.mark.django_db(transaction=True)


def upload(client, folder: str, name: str, data: bytes):
    response = client.post(
        "/api/uploads",
        {"folder": folder, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_on_disk_a_public_image_lands_in_media_root(api_client, local_media):
    user = UserFactory()
    api_client.force_authenticate(user)

    body = upload(api_client, "profile", "me.png", photo(2500, 500, "PNG"))

    row = UserFile.objects.get()
    stored = local_media / "media" / row.key
    assert row.status == Status.READY
    assert Image.open(stored).size == (2048, 410)
    assert Image.open(local_media / "media" / row.thumbnail_key).size == (400, 80)
    assert body["url"] == f"/media/{row.key}"
    assert list((local_media / "private").rglob("*.*")) == []  # the staging file is gone


def test_on_disk_a_pdf_is_kept_outside_media_root_behind_a_signed_link(api_client, local_media):
    owner = UserFactory()
    api_client.force_authenticate(owner)
    data = pdf()

    body = upload(api_client, "document", "Kvitto.pdf", data)

    row = UserFile.objects.get()
    assert (local_media / "private" / row.key).read_bytes() == data
    assert not (local_media / "media" / row.key).exists()
    api_client.force_authenticate(None)
    download = api_client.get(body["url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{row.key.split("/")[-1]}"'
    assert download["Content-Security-Policy"] == "sandbox"
    assert download.content == data


def test_a_tampered_or_expired_local_link_is_refused(api_client, local_media):
    api_client.force_authenticate(UserFactory())
    body = upload(api_client, "document", "a.pdf", pdf())
    api_client.force_authenticate(None)

    tampered = api_client.get(body["url"][:-2] + "xx")
    with mock.patch("storage.backends.time.time", return_value=time.time() + 301):
        expired = api_client.get(body["url"])

    assert tampered.status_code == 404
    assert expired.status_code == 404
    assert expired.json()["error"]["code"] == "NOT_FOUND"


def test_file_names_cannot_steer_the_key():
    user_uid = UserFactory.build().uid

    names = ["../../etc/passwd.jpg", "..\\..\\boot.ini", "Årets bästa bild!.JPEG", "....", ""]
    built = [
        keys.file_keys(user_uid=user_uid, folder="gallery", filename=n, extension="webp")
        for n in names
    ]

    slugs = [
        re.fullmatch(rf"{user_uid}/gallery/([a-z0-9-]+)-[0-9a-f]{{8}}\.webp", k.key).group(1)
        for k in built
    ]
    assert slugs == ["passwd", "boot", "arets-basta-bild", "file", "file"]
    assert all(".." not in k.key and ".." not in k.thumbnail_key for k in built)
    first = keys.file_keys(user_uid=user_uid, folder="gallery", filename="a.jpg", extension="webp")
    second = keys.file_keys(user_uid=user_uid, folder="gallery", filename="a.jpg", extension="webp")
    assert first.key != second.key


def test_the_list_shows_only_my_files(api_client):
    me, other = UserFactory(), UserFactory()
    api_client.force_authenticate(other)
    upload(api_client, "gallery", "theirs.jpg", photo(50, 50))
    api_client.force_authenticate(me)
    upload(api_client, "gallery", "mine.jpg", photo(50, 50))

    response = api_client.get("/api/uploads")

    assert response.status_code == 200
    assert [f["original_name"] for f in response.json()] == ["mine.jpg"]


def test_profile_photo_and_gallery_for_the_public_page(api_client):
    trainer = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(trainer)
    upload(api_client, "profile", "old.jpg", photo(60, 60))
    newest = upload(api_client, "profile", "new.jpg", photo(60, 60))
    first = upload(api_client, "gallery", "one.jpg", photo(90, 60))
    second = upload(api_client, "gallery", "two.jpg", photo(60, 90))
    upload(api_client, "certificate", "cert.jpg", photo(60, 60))
    nobody = UserFactory()

    new_row = UserFile.objects.get(pk=newest["id"])
    assert services.profile_photo_url(trainer) == f"/media/{new_row.key}"
    assert services.profile_photo_url(trainer, thumbnail=True) == f"/media/{new_row.thumbnail_key}"
    assert services.profile_photo_url(nobody) is None
    assert services.profile_photo_urls([trainer.pk, nobody.pk]) == {
        trainer.pk: f"/media/{new_row.thumbnail_key}"
    }
    gallery = services.gallery_images(trainer)
    assert [(g.id, g.width, g.height) for g in gallery] == [
        (first["id"], 90, 60),
        (second["id"], 60, 90),
    ]
    assert gallery[0].url == first["url"]


def test_pending_and_failed_images_are_not_shown(api_client):
    trainer = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(trainer)
    body = upload(api_client, "profile", "me.jpg", photo(60, 60))
    UserFile.objects.filter(pk=body["id"]).update(status=Status.FAILED)

    assert services.profile_photo_url(trainer) is None


def test_staff_mark_certificates_verified_in_the_admin(client, api_client):
    trainer = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(trainer)
    certificate = upload(api_client, "certificate", "cert.pdf", pdf())
    photo_row = upload(api_client, "profile", "me.jpg", photo(60, 60))
    staff = UserFactory(role=Role.STAFF, is_superuser=True)
    client.force_login(staff)

    listing = client.get("/admin/storage/userfile/?folder__exact=certificate")
    response = client.post(
        "/admin/storage/userfile/",
        {"action": "mark_verified", "_selected_action": [certificate["id"], photo_row["id"]]},
    )

    assert listing.status_code == 200
    assert [row.pk for row in listing.context["cl"].result_list] == [certificate["id"]]
    assert response.status_code == 302
    verified = UserFile.objects.get(pk=certificate["id"])
    assert verified.verified_by == staff
    assert verified.verified_at is not None
    assert UserFile.objects.get(pk=photo_row["id"]).verified_at is None


@pytest.mark.parametrize("bulk", [False, True])
def test_the_admin_keeps_a_file_whose_objects_storage_cannot_delete(client, api_client, bulk):
    owner = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(owner)
    file_id = upload(api_client, "profile", "me.jpg", photo(60, 60))["id"]
    client.force_login(UserFactory(role=Role.STAFF, is_superuser=True))

    with mock.patch.object(
        backends.LocalFileStore, "delete", side_effect=backends.StorageError("unreachable")
    ):
        if bulk:
            response = client.post(
                "/admin/storage/userfile/",
                {"action": "delete_selected", "_selected_action": [file_id], "post": "yes"},
                follow=True,
            )
        else:
            response = client.post(
                f"/admin/storage/userfile/{file_id}/delete/", {"post": "yes"}, follow=True
            )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "File storage is not reachable right now. Try again in a minute."
    ]
    assert UserFile.objects.filter(pk=file_id).exists()


def test_the_upload_page_deletes_only_the_users_own_files_and_the_api_lets_staff_too(
    client, api_client
):
    owner = UserFactory(role=Role.TRAINER)
    api_client.force_authenticate(owner)
    first = upload(api_client, "gallery", "a.jpg", photo(60, 60))["id"]
    second = upload(api_client, "gallery", "b.jpg", photo(60, 60))["id"]
    staff = UserFactory(role=Role.STAFF, is_staff=True)

    client.force_login(UserFactory())
    by_someone = client.post(f"/uploads/{first}/delete/")
    client.force_login(staff)
    by_staff_page = client.post(f"/uploads/{first}/delete/")
    api_client.force_authenticate(staff)
    by_staff_api = api_client.delete(f"/api/uploads/{second}")

    assert (by_someone.status_code, by_staff_page.status_code) == (404, 404)
    assert by_staff_api.status_code == 204
    assert list(UserFile.objects.values_list("pk", flat=True)) == [first]
