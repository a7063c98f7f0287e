"""Payments' pages (the API's routes are in api_urls.py)."""

from django.urls import path

from . import views, views_checkout

urlpatterns = [
    path("bookings/<int:booking_id>/pay/", views_checkout.pay, name="booking-pay"),
    path("bookings/<int:booking_id>/pay/demo/", views_checkout.pay_demo, name="booking-pay-demo"),
    path(
        "bookings/<int:booking_id>/pay/return/",
        views_checkout.pay_return,
        name="booking-pay-return",
    ),
    path("trainer/get-paid/", views.get_paid, name="payments-get-paid"),
    path("trainer/get-paid/start/", views.onboarding_start, name="payments-onboarding-start"),
    path("trainer/get-paid/refresh/", views.onboarding_refresh, name="payments-onboarding-refresh"),
    path("trainer/get-paid/return/", views.onboarding_return, name="payments-onboarding-return"),
    path(
        "trainer/get-paid/demo/<str:account_id>/",
        views.demo_onboarding,
        name="payments-demo-onboarding",
    ),
]

# The trainer's Earnings pages (monthly payouts).
from .payouts_urls import urlpatterns as payouts_urlpatterns  # noqa: E402

urlpatterns += payouts_urlpatterns
