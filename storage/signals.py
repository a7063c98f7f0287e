"""Rows deleted without the service (a user's account deleted, the cascade, the shell) still
take their objects with them, once the deletion is committed."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import UserFile


@receiver(post_delete, sender=UserFile, dispatch_uid="storage.delete_objects")
def delete_objects_with_row(sender, instance: UserFile, **kwargs) -> None:
    if getattr(instance, "_objects_deleted", False):
        return  # services.upload_delete removed them before the row
    keys = [k for k in (instance.key, instance.thumbnail_key, instance.staging_key) if k]

    def delete() -> None:
        from . import backends, services

        services.delete_quietly(backends.get_store(), *keys)

    transaction.on_commit(delete, robust=True)
