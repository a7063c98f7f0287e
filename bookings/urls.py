"""Pages of the bookings app: the trainer's calendar and schedules, and a picked slot."""

from django.urls import path

from . import occurrence_views, views

urlpatterns = [
    path("trainer/calendar/", views.trainer_calendar, name="trainer-calendar"),
    path(
        "trainer/calendar/link/",
        views.calendar_feed_regenerate,
        name="trainer-calendar-feed-regenerate",
    ),
    path("trainer/schedules/new/", views.schedule_new, name="schedule-new"),
    path("trainer/schedules/<int:schedule_id>/edit/", views.schedule_edit, name="schedule-edit"),
    path(
        "trainer/schedules/<int:schedule_id>/deactivate/",
        views.schedule_deactivate,
        name="schedule-deactivate",
    ),
    path(
        "trainer/schedules/<int:schedule_id>/cancel-occurrence/",
        occurrence_views.schedule_cancel_occurrence,
        name="schedule-cancel-occurrence",
    ),
    path(
        "trainer/schedules/<int:schedule_id>/restore-occurrence/",
        occurrence_views.schedule_restore_occurrence,
        name="schedule-restore-occurrence",
    ),
    path(
        "trainer/schedules/<int:schedule_id>/restart/",
        occurrence_views.schedule_restart,
        name="schedule-restart",
    ),
    path(
        "trainer/offerings/<int:offering_id>/archive/",
        occurrence_views.offering_archive,
        name="trainer-offering-archive",
    ),
    path("book/<int:schedule_id>/<str:start>/", views.book_slot, name="book-slot"),
]
