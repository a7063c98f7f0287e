from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bookings import api as bookings_api
from bookings import api_bookings, review_api
from bookings import feeds as bookings_feeds
from marketplace import account_views, api_places, api_trainers
from marketplace import api as marketplace_api
from marketplace import views as marketplace_views
from marketplace.forms import EmailAuthenticationForm, EmailPasswordResetForm, SetPasswordForm
from storage.urls import page_urlpatterns as storage_page_patterns

from . import errors, health

api_patterns = [
    path("auth/token", marketplace_api.TokenView.as_view(), name="api-token"),
    path("me", marketplace_api.MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a script of its own (?script), so
    # the page needs no inline script under the Content-Security-Policy.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="traino/api_docs.html"
        ),
        name="api-docs",
    ),
    path("trainers", api_trainers.TrainerListView.as_view(), name="api-trainers"),
    path("trainers/<int:pk>", api_trainers.TrainerDetailView.as_view(), name="api-trainer"),
    path("places", api_places.PlaceListView.as_view(), name="api-places"),
    path("search", api_places.SearchView.as_view(), name="api-search"),
    path(
        "trainers/<int:pk>/availability",
        bookings_api.AvailabilityView.as_view(),
        name="api-trainer-availability",
    ),
    path(
        "availability/trainers",
        bookings_api.AvailableTrainersView.as_view(),
        name="api-available-trainers",
    ),
    path(
        "trainer/calendar", bookings_api.TrainerCalendarView.as_view(), name="api-trainer-calendar"
    ),
    path("schedules", bookings_api.ScheduleListView.as_view(), name="api-schedules"),
    path("schedules/<int:pk>", bookings_api.ScheduleDetailView.as_view(), name="api-schedule"),
    path(
        "schedules/<int:pk>/cancel-occurrence",
        bookings_api.ScheduleCancelOccurrenceView.as_view(),
        name="api-schedule-cancel-occurrence",
    ),
    path("bookings", api_bookings.BookingListView.as_view(), name="api-bookings"),
    path("bookings/<int:pk>", api_bookings.BookingDetailView.as_view(), name="api-booking"),
    path(
        "bookings/<int:pk>/refund-quote",
        api_bookings.RefundQuoteView.as_view(),
        name="api-booking-refund-quote",
    ),
    path(
        "bookings/<int:pk>/cancel",
        api_bookings.BookingCancelView.as_view(),
        name="api-booking-cancel",
    ),
    path(
        "bookings/<int:pk>/no-show-trainee",
        api_bookings.NoShowTraineeView.as_view(),
        name="api-booking-no-show-trainee",
    ),
    path(
        "bookings/<int:pk>/no-show-trainer",
        api_bookings.NoShowTrainerView.as_view(),
        name="api-booking-no-show-trainer",
    ),
    path(
        "bookings/<int:pk>/no-show-review",
        api_bookings.NoShowReviewView.as_view(),
        name="api-booking-no-show-review",
    ),
    path(
        "bookings/<int:pk>/review",
        review_api.BookingReviewView.as_view(),
        name="api-booking-review",
    ),
    path(
        "trainers/<int:pk>/reviews",
        review_api.TrainerReviewsView.as_view(),
        name="api-trainer-reviews",
    ),
    path("reviews/<int:pk>/reply", review_api.ReviewReplyView.as_view(), name="api-review-reply"),
    path(
        "reviews/<int:pk>/report", review_api.ReviewReportView.as_view(), name="api-review-report"
    ),
    path("", include("storage.urls")),
    path("", include("payments.api_urls")),
    re_path(r"^.*$", errors.api_route_not_found),
]

account_patterns = [
    path("signup/", marketplace_views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", marketplace_views.account, name="account"),
    path("email/", account_views.email_change, name="account-email"),
    path(
        "email/confirm/<str:token>/",
        account_views.email_change_confirm,
        name="account-email-confirm",
    ),
    path("data/", account_views.data_download, name="account-data"),
    path("delete/", account_views.account_delete, name="account-delete"),
    path("password/", marketplace_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=EmailPasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]


class FaviconView(RedirectView):
    """Browsers and crawlers ask /favicon.ico whatever the page says: send them to the SVG
    (resolved per request, so a hashed static name is always the current one)."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=86400"
        return response


urlpatterns = [
    path("", marketplace_views.home, name="home"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("", include("marketplace.urls")),
    path("", include("bookings.urls")),
    path("", include("bookings.review_urls")),
    path("", include(storage_page_patterns)),
    path("", include("payments.urls")),
    path("accounts/", include(account_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("health", health.health, name="health"),
    path("health/db", health.health_db, name="health-db"),
    path("health/redis", health.health_redis, name="health-redis"),
    path("api/", include(api_patterns)),
    path("calendar/<str:token>.ics", bookings_feeds.calendar_feed, name="calendar-feed"),
]

handler400 = errors.handler400
handler403 = errors.handler403
handler404 = errors.handler404
handler500 = errors.handler500
