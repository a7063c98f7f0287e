"""Keeps each profile's ``category_names`` copy (discovery's text search) in step with the
categories, whichever way they change: the services, the admin's forms, a shell.

A trainer's categories change through the many-to-many relation (``m2m_changed``, from either
side); a category's names through its own save; a deleted category takes its links with it
without ``m2m_changed``, so its trainers are noted before the delete and refreshed after.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from . import services
from .models import Category, TrainerProfile

Link = TrainerProfile.categories.through


def _trainers_of(category_ids) -> list[int]:
    return list(
        Link.objects.filter(category_id__in=category_ids).values_list(
            "trainerprofile_id", flat=True
        )
    )


@receiver(m2m_changed, sender=Link, dispatch_uid="marketplace.category_links_changed")
def category_links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # profile.categories.add/remove/set/clear(...)
        if action in {"post_add", "post_remove", "post_clear"}:
            services.trainer_refresh_category_names(trainer_ids=[instance.pk])
        return
    # category.trainers.add/remove/clear(...): the trainers are pk_set, or for a clear the
    # ones linked just before it
    if action == "pre_clear":
        instance._trainers_before_clear = _trainers_of([instance.pk])
    elif action in {"post_add", "post_remove"}:
        services.trainer_refresh_category_names(trainer_ids=pk_set)
    elif action == "post_clear":
        services.trainer_refresh_category_names(
            trainer_ids=getattr(instance, "_trainers_before_clear", [])
        )


@receiver(post_save, sender=Category, dispatch_uid="marketplace.category_saved")
def category_saved(sender, instance, created, **kwargs):
    if not created:  # a new category has no trainers yet
        services.trainer_refresh_category_names(trainer_ids=_trainers_of([instance.pk]))


@receiver(pre_delete, sender=Category, dispatch_uid="marketplace.category_deleting")
def category_deleting(sender, instance, **kwargs):
    instance._trainers_before_delete = _trainers_of([instance.pk])


@receiver(post_delete, sender=Category, dispatch_uid="marketplace.category_deleted")
def category_deleted(sender, instance, **kwargs):
    services.trainer_refresh_category_names(
        trainer_ids=getattr(instance, "_trainers_before_delete", [])
    )
