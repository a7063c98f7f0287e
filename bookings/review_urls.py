"""Pages of reviews (bookings/review_views.py)."""

from django.urls import path

from . import review_views

urlpatterns = [
    path("bookings/<int:booking_id>/review/", review_views.review_new, name="review-new"),
    path("reviews/<int:review_id>/reply/", review_views.review_reply, name="review-reply"),
    path("reviews/<int:review_id>/report/", review_views.review_report, name="review-report"),
]
