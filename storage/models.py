from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Folder(models.TextChoices):
    PROFILE = "profile", _("Profile photo")
    GALLERY = "gallery", _("Gallery")
    CERTIFICATE = "certificate", _("Certificate")
    DOCUMENT = "document", _("Document")


# Public folders are readable by anyone (bucket policy on */profile/* and */gallery/*);
# certificates and documents may carry personal data and are served by signed URL only.
PUBLIC_FOLDERS = frozenset({Folder.PROFILE, Folder.GALLERY})


class Kind(models.TextChoices):
    IMAGE = "image", _("Image")
    PDF = "pdf", _("PDF")


class Status(models.TextChoices):
    PENDING = "pending", _("Pending")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class UserFile(models.Model):
    """One upload of one user: the staging object until processed, then the stored object(s).

    Keys are decided at upload time (``{user uid}/{folder}/{slug}-{suffix}.webp``), so the
    processing task is a pure function of the row and can be retried.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="files"
    )
    folder = models.CharField(_("folder"), max_length=16, choices=Folder)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    source_content_type = models.CharField(_("uploaded type"), max_length=64)
    staging_key = models.CharField(max_length=255, blank=True)
    key = models.CharField(max_length=255, unique=True)
    thumbnail_key = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(_("stored type"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    failure_reason = models.TextField(_("failure reason"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user file")
        verbose_name_plural = _("user files")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "folder", "status"], name="userfile_user_folder_idx"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_public(self) -> bool:
        return self.kind == Kind.IMAGE and self.folder in PUBLIC_FOLDERS
