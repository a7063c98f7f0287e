"""A certificate's own admin page: a preview through a signed link, and verify / unverify."""

import re

import pytest

from marketplace.models import Role
from storage.models import UserFile
from tests.factories import UserFactory

from .samples import pdf, photo
from .test_local_and_services import upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trainer_api(api_client):
    api_client.force_authenticate(UserFactory(role=Role.TRAINER))
    return api_client


@pytest.fixture
def staff(client):
    user = UserFactory(role=Role.STAFF, is_superuser=True, name="Sara Staff")
    client.force_login(user)
    return user


def page(client, file_id):
    response = client.get(f"/admin/storage/userfile/{file_id}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_image_certificate_s_page_previews_it_through_a_signed_link(client, trainer_api, staff):
    file_id = upload(trainer_api, "certificate", "diploma.jpg", photo(800, 600))["id"]

    html = page(client, file_id)

    preview = re.search(r'<img src="([^"]+)" alt="Preview of diploma.jpg"', html)
    assert preview, html
    url = preview.group(1).replace("&amp;", "&")
    assert url.startswith("/api/uploads/download?token=")
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/webp"
    assert "Mark verified" in html


def test_a_pdf_certificate_s_page_offers_the_download_not_an_inline_view(
    client, trainer_api, staff
):
    file_id = upload(trainer_api, "certificate", "cert.pdf", pdf())["id"]

    html = page(client, file_id)

    link = re.search(r'<a href="([^"]+)" data-testid="file-preview">Download the PDF', html)
    assert link, html
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_staff_verify_and_unverify_a_certificate_on_its_page(client, trainer_api, staff):
    file_id = upload(trainer_api, "certificate", "cert.pdf", pdf())["id"]
    url = f"/admin/storage/userfile/{file_id}/verification/"

    verified = client.post(url, {"verified": "1"}, follow=True)

    row = UserFile.objects.get(pk=file_id)
    assert (row.verified_by, row.verified_at is not None) == (staff, True)
    body = verified.content.decode()
    assert "The certificate is marked verified." in body
    assert "Verified " in body and "by Sara Staff" in body
    assert "Mark not verified" in body

    unverified = client.post(url, {"verified": "0"}, follow=True)

    row.refresh_from_db()
    assert (row.verified_by, row.verified_at) == (None, None)
    assert "The certificate is marked not verified." in unverified.content.decode()
    assert unverified.redirect_chain == [(f"/admin/storage/userfile/{file_id}/change/", 302)]


def test_the_verification_url_takes_only_a_post_and_only_a_certificate(client, trainer_api, staff):
    photo_id = upload(trainer_api, "profile", "me.jpg", photo(60, 60))["id"]
    certificate_id = upload(trainer_api, "certificate", "cert.pdf", pdf())["id"]

    assert client.get(f"/admin/storage/userfile/{certificate_id}/verification/").status_code == 405
    response = client.post(f"/admin/storage/userfile/{photo_id}/verification/", {"verified": "1"})
    assert response.status_code == 404
    assert "Mark verified" not in page(client, photo_id)  # a photo is not verified


def test_a_trainer_cannot_verify_their_own_certificate(client, trainer_api):
    file_id = upload(trainer_api, "certificate", "cert.pdf", pdf())["id"]
    client.force_login(UserFactory(role=Role.TRAINER))

    response = client.post(f"/admin/storage/userfile/{file_id}/verification/", {"verified": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert UserFile.objects.get(pk=file_id).verified_at is None


def test_the_list_unverifies_a_selection(client, trainer_api, staff):
    first = upload(trainer_api, "certificate", "a.pdf", pdf())["id"]
    second = upload(trainer_api, "certificate", "b.pdf", pdf())["id"]
    client.post(
        "/admin/storage/userfile/", {"action": "mark_verified", "_selected_action": [first, second]}
    )
    assert UserFile.objects.filter(verified_at__isnull=False).count() == 2

    client.post(
        "/admin/storage/userfile/", {"action": "mark_unverified", "_selected_action": [first]}
    )

    assert list(
        UserFile.objects.filter(verified_at__isnull=False).values_list("pk", flat=True)
    ) == [second]
