"""Verified trainers: staff verify certificates and trainers in the admin, reject a
certificate with a reason the trainer sees, the badge and the ?verified=true filter, and the
REQUIRE_VERIFICATION_TO_PUBLISH gate."""

import uuid

import pytest
from django.urls import reverse

from marketplace import services, verification
from marketplace.errors import NotPublishable, NoVerifiedCertificate, VerificationRequired
from marketplace.models import CertificateRejection, TrainerProfile
from storage.models import UserFile
from tests.factories import (
    OfferingFactory,
    TrainerProfileFactory,
    UserFactory,
    coming_schedule,
)
from traino.exceptions import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db

BOX = "17.9,59.2,18.2,59.4"


def certificate(user, *, status="ready", verified_by=None) -> UserFile:
    key = f"{user.uid}/certificate/{uuid.uuid4().hex}.pdf"
    file = UserFile.objects.create(
        user=user,
        folder="certificate",
        kind="pdf",
        status=status,
        original_name="PT-diploma.pdf",
        source_content_type="application/pdf",
        content_type="application/pdf",
        key=key,
    )
    if verified_by is not None:
        verification.certificate_verify(file=file, by=verified_by)
        file.refresh_from_db()
    return file


@pytest.fixture
def staff(db):
    return UserFactory(role="staff", name="Sam Staff")


@pytest.fixture
def trainer(db):
    return TrainerProfileFactory(display_name="Anna Lindqvist")


def test_staff_verify_a_trainer_with_a_verified_certificate(trainer, staff):
    certificate(trainer.user, verified_by=staff)

    verification.trainer_verify(profile=trainer, by=staff)

    trainer.refresh_from_db()
    assert trainer.verified_by == staff
    assert trainer.verified_at is not None
    first = trainer.verified_at
    verification.trainer_verify(profile=trainer, by=UserFactory(role="staff"))
    trainer.refresh_from_db()
    assert (trainer.verified_at, trainer.verified_by) == (first, staff)


def test_a_trainer_without_a_verified_certificate_cannot_be_verified(trainer, staff):
    certificate(trainer.user)  # uploaded, not checked

    with pytest.raises(NoVerifiedCertificate) as refused:
        verification.trainer_verify(profile=trainer, by=staff)

    assert refused.value.code == "NO_VERIFIED_CERTIFICATE"
    trainer.refresh_from_db()
    assert trainer.verified_at is None


def test_only_staff_verify(trainer, staff):
    certificate(trainer.user, verified_by=staff)

    with pytest.raises(NotAllowed):
        verification.trainer_verify(profile=trainer, by=trainer.user)

    trainer.refresh_from_db()
    assert trainer.verified_at is None


def test_a_rejected_certificate_shows_its_reason_to_the_trainer(client, trainer, staff):
    file = certificate(trainer.user, verified_by=staff)

    verification.certificate_reject(file=file, by=staff, reason="The name does not match.")

    file.refresh_from_db()
    assert file.verified_at is None  # a rejection takes a verification away
    client.force_login(trainer.user)
    page = client.get("/trainer/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The name does not match." in page
    assert 'data-testid="certificate-rejected"' in page

    verification.certificate_verify(file=file, by=staff)  # verifying withdraws it
    assert not CertificateRejection.objects.exists()


def test_a_rejection_needs_a_reason(trainer, staff):
    file = certificate(trainer.user)

    with pytest.raises(InvalidInput) as refused:
        verification.certificate_reject(file=file, by=staff, reason="   ")

    assert list(refused.value.fields) == ["reason"]


def test_the_admin_action_verifies_the_selected_trainers(client, trainer, staff):
    staff.is_superuser = True
    staff.save()
    certificate(trainer.user, verified_by=staff)
    client.force_login(staff)

    response = client.post(
        reverse("admin:marketplace_trainerprofile_changelist"),
        {"action": "mark_verified", "_selected_action": [trainer.pk]},
        follow=True,
    )

    assert response.status_code == 200
    trainer.refresh_from_db()
    assert trainer.verified_by == staff


def test_the_admin_action_shows_a_refusal_without_a_certificate(client, trainer, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    response = client.post(
        reverse("admin:marketplace_trainerprofile_changelist"),
        {"action": "mark_verified", "_selected_action": [trainer.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Verify at least one of the trainer" in response.content.decode()
    trainer.refresh_from_db()
    assert trainer.verified_at is None


def test_the_admin_rejects_a_certificate_with_a_reason(client, trainer, staff):
    staff.is_superuser = True
    staff.save()
    file = certificate(trainer.user)
    client.force_login(staff)

    response = client.post(
        reverse("admin:marketplace_certificaterejection_add"),
        {"file": file.pk, "reason": "Expired in 2019."},
    )

    assert response.status_code == 302
    rejection = CertificateRejection.objects.get()
    assert (rejection.file, rejection.reason, rejection.rejected_by) == (
        file,
        "Expired in 2019.",
        staff,
    )


def test_the_badge_and_the_filter(api_client, client, trainer, staff):
    other = TrainerProfileFactory()
    certificate(trainer.user, verified_by=staff)
    verification.trainer_verify(profile=trainer, by=staff)

    everyone = api_client.get("/api/trainers", {"bbox": BOX}).json()["results"]
    verified = api_client.get("/api/trainers", {"bbox": BOX, "verified": "true"}).json()
    bad = api_client.get("/api/trainers", {"bbox": BOX, "verified": "yes"})

    assert {row["id"]: row["verified"] for row in everyone} == {trainer.pk: True, other.pk: False}
    assert [row["id"] for row in verified["results"]] == [trainer.pk]
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["verified"]
    assert b'data-testid="verified-badge"' in client.get(f"/trainers/{trainer.slug}/").content
    assert b'data-testid="verified-badge"' not in client.get(f"/trainers/{other.slug}/").content


def _ready_to_publish(profile):
    coming_schedule(OfferingFactory(trainer=profile))
    TrainerProfile.objects.filter(pk=profile.pk).update(is_published=False)
    profile.refresh_from_db()
    return profile


def test_publishing_needs_verification_when_the_setting_is_on(settings, trainer, staff):
    settings.REQUIRE_VERIFICATION_TO_PUBLISH = True
    _ready_to_publish(trainer)

    with pytest.raises(VerificationRequired) as refused:
        services.trainer_publish(profile=trainer, published=True)

    assert isinstance(refused.value, NotPublishable)
    assert refused.value.code == "VERIFICATION_REQUIRED"
    assert list(refused.value.fields) == ["verified"]
    trainer.refresh_from_db()
    assert not trainer.is_published

    certificate(trainer.user, verified_by=staff)
    verification.trainer_verify(profile=trainer, by=staff)
    services.trainer_publish(profile=trainer, published=True)
    trainer.refresh_from_db()
    assert trainer.is_published


def test_publishing_needs_no_verification_by_default(trainer):
    _ready_to_publish(trainer)

    services.trainer_publish(profile=trainer, published=True)

    trainer.refresh_from_db()
    assert trainer.is_published


def test_the_setup_checklist_lists_verification_when_required(settings, client, trainer):
    settings.REQUIRE_VERIFICATION_TO_PUBLISH = True
    _ready_to_publish(trainer)
    client.force_login(trainer.user)

    page = client.get("/trainer/setup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    refused = client.post(
        "/trainer/publish/", {"published": "1", "page": "setup"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Traino has verified your certificates" in page
    assert "Traino must verify you before your page is published" in refused.content.decode()
