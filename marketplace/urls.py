"""The catalogue's pages: a trainer's public page and the trainer's own pages."""

from django.urls import path

from . import trainer_views

urlpatterns = [
    path("trainers/<slug:slug>/", trainer_views.trainer_detail, name="trainer-detail"),
    path("trainer/become/", trainer_views.trainer_become, name="trainer-become"),
    path("trainer/setup/", trainer_views.trainer_setup, name="trainer-setup"),
    path("trainer/profile/", trainer_views.trainer_profile, name="trainer-profile"),
    path("trainer/publish/", trainer_views.trainer_publish, name="trainer-publish"),
    path("trainer/offerings/", trainer_views.trainer_offerings, name="trainer-offerings"),
    path("trainer/offerings/new/", trainer_views.trainer_offering_new, name="trainer-offering-new"),
    path(
        "trainer/offerings/<int:offering_id>/edit/",
        trainer_views.trainer_offering_edit,
        name="trainer-offering-edit",
    ),
    path(
        "trainer/offerings/<int:offering_id>/restore/",
        trainer_views.trainer_offering_restore,
        name="trainer-offering-restore",
    ),
    path(
        "trainer/offerings/<int:offering_id>/delete/",
        trainer_views.trainer_offering_delete,
        name="trainer-offering-delete",
    ),
]
