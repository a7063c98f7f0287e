"""Verified trainers: staff check a trainer's certificates, then mark the trainer verified.

A certificate (storage's private ``certificate`` folder) is verified (storage keeps who and
when on the file) or rejected with a reason the trainer reads on their profile page
(``CertificateRejection``). A trainer is verified by staff once at least one certificate is;
who and when are kept on the profile, and the badge shows on the public page, the cards and
the map. With REQUIRE_VERIFICATION_TO_PUBLISH on, publishing needs it
(``queries.publish_requirements``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storage import services as storage_services
from storage.models import Folder, Status, UserFile
from traino.exceptions import InvalidInput, NotAllowed

from .errors import InvalidRejection, NoVerifiedCertificate
from .models import CertificateRejection, TrainerProfile, User

REJECTION_REASON_MAX = 500


def _require_staff(by: User) -> None:
    if not (by.is_active and by.is_staff):
        raise NotAllowed(_("Only staff verify trainers and certificates."))


@transaction.atomic
def trainer_verify(*, profile: TrainerProfile, by: User) -> TrainerProfile:
    """Mark the trainer verified; needs a verified certificate. Verifying twice keeps the
    first time and person."""
    _require_staff(by)
    locked = TrainerProfile.objects.select_for_update().get(pk=profile.pk)
    if locked.verified_at is None:
        has_certificate = UserFile.objects.filter(
            user_id=locked.user_id, folder=Folder.CERTIFICATE, verified_at__isnull=False
        ).exists()
        if not has_certificate:
            raise NoVerifiedCertificate()
        locked.verified_at = timezone.now()
        locked.verified_by = by
        locked.save(update_fields=["verified_at", "verified_by", "updated_at"])
    profile.verified_at, profile.verified_by_id = locked.verified_at, locked.verified_by_id
    return profile


@transaction.atomic
def trainer_unverify(*, profile: TrainerProfile, by: User) -> TrainerProfile:
    """Take the mark away (a certificate turned out void). A published page stays published:
    staff unpublish it themselves when that is needed."""
    _require_staff(by)
    TrainerProfile.objects.filter(pk=profile.pk).update(
        verified_at=None, verified_by=None, updated_at=timezone.now()
    )
    profile.verified_at, profile.verified_by_id = None, None
    return profile


@transaction.atomic
def certificate_verify(*, file: UserFile, by: User) -> bool:
    """Verify a ready certificate (storage keeps who and when); a rejection is withdrawn."""
    _require_staff(by)
    changed = storage_services.certificates_mark_verified(files=[file], by=by)
    if changed:
        CertificateRejection.objects.filter(file=file).delete()
    return bool(changed)


@transaction.atomic
def certificate_reject(*, file: UserFile, by: User, reason: str) -> CertificateRejection:
    """Refuse a certificate with a reason the trainer sees; it loses a verification it had.
    Rejecting again replaces the reason."""
    _require_staff(by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.on_field("reason", _("Say why the certificate is rejected."))
    if len(reason) > REJECTION_REASON_MAX:
        raise InvalidInput.on_field(
            "reason",
            _("The reason may be at most %(max)d characters.") % {"max": REJECTION_REASON_MAX},
        )
    if file.folder != Folder.CERTIFICATE or file.status != Status.READY:
        raise InvalidRejection()
    storage_services.certificates_mark_unverified(files=[file])
    rejection, _created = CertificateRejection.objects.update_or_create(
        file=file,
        defaults={"reason": reason, "rejected_by": by, "rejected_at": timezone.now()},
    )
    return rejection
