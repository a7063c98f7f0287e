"""The pieces the trainer pages use: the HTML upload view, the template tags and partials."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from marketplace.models import Role
from storage.models import Status, UserFile
from tests.factories import UserFactory

from .samples import photo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.storage.urls")]


def test_a_trainer_uploads_a_profile_photo_from_a_form(client):
    trainer = UserFactory(role=Role.TRAINER)
    client.force_login(trainer)

    response = client.post(
        "/test-upload/",
        {
            "folder": "profile",
            "next": "/trainer/profile/",
            "file": SimpleUploadedFile("me.jpg", photo(300, 300)),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/trainer/profile/"
    row = UserFile.objects.get()
    assert (row.user, row.folder, row.status) == (trainer, "profile", Status.READY)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Your photo is uploaded."]


def test_a_refused_form_upload_says_why_and_stores_nothing(client):
    client.force_login(UserFactory(role=Role.TRAINER))

    response = client.post(
        "/test-upload/",
        {
            "folder": "profile",
            "next": "https://evil.example/",
            "file": SimpleUploadedFile("a.jpg", b"text"),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert UserFile.objects.count() == 0
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Upload a JPEG, PNG or WebP image or a PDF document."
    ]


def test_the_template_tags_render_photo_gallery_and_form(client):
    trainer = UserFactory(role=Role.TRAINER)
    client.force_login(trainer)
    for folder, name in (("profile", "me.jpg"), ("gallery", "one.jpg")):
        client.post(
            "/test-upload/", {"folder": folder, "file": SimpleUploadedFile(name, photo(500, 250))}
        )
    photo_row = UserFile.objects.get(folder="profile")
    gallery_row = UserFile.objects.get(folder="gallery")

    html = Template(
        "{% load uploads %}{% profile_photo_url user as url %}[{{ url }}]"
        "{% gallery user %}{% upload_form 'certificate' '/test-upload/' '/back/' %}"
    ).render(Context({"user": trainer, "csrf_token": "tok", "request": RequestFactory().get("/")}))

    assert f"[/media/{photo_row.key}]" in html
    assert (
        f'<a href="/media/{gallery_row.key}"><img src="/media/{gallery_row.thumbnail_key}"' in html
    )
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in html
    assert 'name="folder" value="certificate"' in html
    assert 'action="/test-upload/?next=%2Fback%2F"' in html
    assert "at most 10 MB" in html


def test_public_images_are_served_from_media_root_and_nothing_else(client, local_media):
    trainer = UserFactory(role=Role.TRAINER)
    client.force_login(trainer)
    client.post(
        "/test-upload/", {"folder": "gallery", "file": SimpleUploadedFile("g.jpg", photo(64, 48))}
    )
    client.post(
        "/test-upload/",
        {"folder": "certificate", "file": SimpleUploadedFile("c.jpg", photo(64, 48))},
    )
    gallery = UserFile.objects.get(folder="gallery")
    certificate = UserFile.objects.get(folder="certificate")
    client.logout()

    image = client.get(f"/media/{gallery.key}")
    private = client.get(f"/media/{certificate.key}")
    traversal = client.get(f"/media/{trainer.uid}/gallery/..%2F..%2F..%2Fetc%2Fpasswd")

    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"
    assert image["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(image.streaming_content) == (local_media / "media" / gallery.key).read_bytes()
    assert private.status_code == 404
    assert traversal.status_code == 404
