"""Pages of the bookings app: the trainer's calendar and schedules, and a picked slot."""

from django.urls import path

from . import booking_views, views

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
        views.schedule_cancel_occurrence,
        name="schedule-cancel-occurrence",
    ),
    path("book/<int:schedule_id>/<str:start>/", views.book_slot, name="book-slot"),
]

# A booking's pages (bookings/booking_views.py); the payments app adds /bookings/<id>/pay/.
urlpatterns += [
    path("bookings/", booking_views.my_bookings, name="my-bookings"),
    path("bookings/<int:booking_id>/", booking_views.booking_detail, name="booking-detail"),
    path("bookings/<int:booking_id>/cancel/", booking_views.booking_cancel, name="booking-cancel"),
    path(
        "bookings/<int:booking_id>/trainer-no-show/",
        booking_views.booking_report_no_show,
        name="booking-report-no-show",
    ),
    path(
        "bookings/<int:booking_id>/mark-no-show/",
        booking_views.booking_mark_no_show,
        name="booking-mark-no-show",
    ),
    path("trainer/bookings/", booking_views.trainer_bookings, name="trainer-bookings"),
    path(
        "book/<int:schedule_id>/<str:start>/review/",
        booking_views.booking_review,
        name="book-review",
    ),
]
