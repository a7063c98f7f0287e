"""A trainer uploads a profile photo on their settings page and sees it on their public page,
and on the map's list of trainers (issue 5, "Uses")."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from storage.models import Status, UserFile
from tests.e2e.conftest import PHONE, screenshot
from tests.factories import OfferingFactory, TrainerProfileFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads land under tmp_path; the live server serves public ones at /media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def log_in(page, live_server, user) -> None:
    """Hand the browser a session cookie (the log-in form has its own test)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def jpeg(path, width: int, height: int):
    """A photo-like JPEG: a gradient with a coloured block, as a phone would send."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((30, 120, 200), (0, 0, width // 2, height // 3))
    image.save(path, "JPEG", quality=90)
    return path


def loaded_width(locator) -> int:
    """naturalWidth once the browser has decoded the image (0 while loading or if broken)."""
    locator.evaluate("img => img.decode()")
    return locator.evaluate("img => img.naturalWidth")


@pytest.mark.browser
def test_a_trainer_uploads_a_profile_photo_and_sees_it_on_their_public_page(
    page, live_server, tmp_path
):
    # given a published trainer without a photo, logged in
    trainer = TrainerProfileFactory(display_name="Anna Lindqvist", slug="anna-lindqvist")
    OfferingFactory(trainer=trainer, title="Morning strength")
    log_in(page, live_server, trainer.user)
    photo = jpeg(tmp_path / "anna.jpg", 1200, 900)

    # when they upload a photo on their profile page
    page.goto("/trainer/profile/")
    expect(page.get_by_test_id("photos-card")).to_contain_text("Profile photo")
    form = page.get_by_test_id("upload-profile")
    form.locator("input[type=file]").set_input_files(str(photo))
    form.get_by_role("button", name="Upload").click()

    # then the settings page confirms it and shows it in use
    expect(page.locator(".messages")).to_contain_text("Your photo is uploaded.")
    row = UserFile.objects.get(user=trainer.user)
    assert (row.folder, row.status, row.width, row.height) == ("profile", Status.READY, 1200, 900)
    current = page.get_by_test_id("current-photo")
    expect(current).to_have_attribute("src", f"/media/{row.thumbnail_key}")
    assert loaded_width(current) == 400
    screenshot(page, "uploads-profile-page")

    # and their public page loads the 400 px thumbnail for the avatar, offering the full
    # photo (1200 px wide) in its srcset for a screen that needs it
    page.goto("/trainers/anna-lindqvist/")
    photo_on_page = page.get_by_test_id("trainer-photo")
    assert photo_on_page.get_attribute("src") == f"/media/{row.thumbnail_key}"
    assert photo_on_page.get_attribute("srcset") == (
        f"/media/{row.thumbnail_key} 400w, /media/{row.key} 1200w"
    )
    # (naturalWidth is 112 here: the 400w candidate scaled to the 112 px slot of `sizes`)
    assert loaded_width(photo_on_page) == 112
    assert photo_on_page.evaluate("img => img.currentSrc").endswith(row.thumbnail_key)
    screenshot(page, "uploads-public-page", full_page=False)

    # and the map's list shows the thumbnail on their card
    page.goto("/")
    card_photo = page.get_by_test_id("trainer-card-photo")
    expect(card_photo).to_have_attribute("src", f"/media/{row.thumbnail_key}")
    assert loaded_width(card_photo) == 400
    screenshot(page, "uploads-home-list", full_page=False)


@pytest.mark.browser
def test_on_a_phone_a_refused_file_is_explained_and_a_gallery_photo_can_be_deleted(
    page, live_server, tmp_path
):
    # given a trainer on a phone
    trainer = TrainerProfileFactory(display_name="Erik Berg", slug="erik")
    log_in(page, live_server, trainer.user)
    page.set_viewport_size(PHONE)
    not_an_image = tmp_path / "notes.jpg"
    not_an_image.write_text("just text")

    # when they upload a text file named .jpg, then a real photo, to the gallery
    page.goto("/trainer/profile/")
    gallery_form = page.get_by_test_id("upload-gallery")
    gallery_form.locator("input[type=file]").set_input_files(str(not_an_image))
    gallery_form.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages")).to_contain_text(
        "Upload a JPEG, PNG or WebP image or a PDF document."
    )
    gallery_form = page.get_by_test_id("upload-gallery")
    gallery_form.locator("input[type=file]").set_input_files(
        str(jpeg(tmp_path / "gym.jpg", 800, 800))
    )
    gallery_form.get_by_role("button", name="Upload").click()

    # then the photo is in the gallery on both pages
    expect(page.get_by_test_id("gallery-photos").locator("img")).to_have_count(1)
    screenshot(page, "uploads-profile-page-phone")
    page.goto("/trainers/erik/")
    expect(page.get_by_test_id("gallery").locator("img")).to_have_count(1)
    screenshot(page, "uploads-public-page-phone")

    # when they delete it, it is gone, with its files
    page.goto("/trainer/profile/")
    page.get_by_test_id("gallery-photos").get_by_test_id("delete-file").click()
    expect(page.locator(".messages")).to_contain_text("The file is deleted.")
    expect(page.get_by_test_id("gallery-photos")).to_have_count(0)
    assert UserFile.objects.count() == 0
    assert list((tmp_path / "media").rglob("*.*")) == []

    # and a certificate they upload is listed as ready, then verified once staff mark it
    certificate = tmp_path / "PT-diploma.pdf"
    certificate.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    certificate_form = page.get_by_test_id("upload-certificate")
    certificate_form.locator("input[type=file]").set_input_files(str(certificate))
    certificate_form.get_by_role("button", name="Upload").click()
    listed = page.get_by_test_id("certificate")
    expect(listed).to_contain_text("PT-diploma.pdf")
    expect(listed.get_by_test_id("upload-status")).to_have_text("Ready")
    UserFile.objects.filter(folder="certificate").update(verified_at=timezone.now())
    page.reload()
    expect(listed.get_by_test_id("certificate-verified")).to_have_text("Verified")
    page.get_by_test_id("certificates-card").scroll_into_view_if_needed()
    screenshot(page, "uploads-certificates-phone", full_page=False)


@pytest.mark.browser
def test_the_browser_refuses_a_file_over_the_limit_before_sending_it(
    page, live_server, tmp_path, settings
):
    # given a 1 MB limit and a trainer on their profile page
    settings.UPLOAD_MAX_BYTES = 1_048_576
    trainer = TrainerProfileFactory(display_name="Stina Ek", slug="stina")
    log_in(page, live_server, trainer.user)
    big = tmp_path / "diploma.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 1_100_000)
    posts = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    page.goto("/trainer/profile/")

    # when they choose a file over the limit and press Upload
    form = page.get_by_test_id("upload-certificate")
    form.locator("input[type=file]").set_input_files(str(big))
    form.get_by_role("button", name="Upload").click()

    # then the form says why, next to the field, and nothing was sent
    expect(form.get_by_test_id("upload-too-large")).to_have_text(
        "The file is too large: at most 1.0 MB."
    )
    assert form.locator("input[type=file]").evaluate("input => input.validationMessage") == (
        "The file is too large: at most 1.0 MB."
    )
    assert posts == []
    assert UserFile.objects.count() == 0
    screenshot(page, "uploads-too-large", full_page=False)

    # and a file within the limit goes through
    small = tmp_path / "small.pdf"
    small.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    form.locator("input[type=file]").set_input_files(str(small))
    expect(form.get_by_test_id("upload-too-large")).to_be_hidden()
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("certificate")).to_contain_text("small.pdf")
    assert len(posts) == 1
