from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from bookings import api as bookings_api
from bookings import feeds as bookings_feeds
from marketplace import api as marketplace_api
from marketplace import api_places, api_trainers
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
    path("places", api_places.PlaceSearchView.as_view(), name="api-places"),
    path("trainers", api_trainers.TrainerListView.as_view(), name="api-trainers"),
    path("trainers/<int:pk>", api_trainers.TrainerDetailView.as_view(), name="api-trainer"),
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

urlpatterns = [
    path("", marketplace_views.home, name="home"),
    path("", include("marketplace.urls")),
    path("", include("bookings.urls")),
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
