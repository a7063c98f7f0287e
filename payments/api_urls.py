from django.urls import path

from . import api, api_checkout

urlpatterns = [
    path("stripe/webhook", api.StripeWebhookView.as_view(), name="api-stripe-webhook"),
    path(
        "bookings/<int:pk>/payment",
        api_checkout.BookingPaymentView.as_view(),
        name="api-booking-payment",
    ),
    path(
        "demo-payments/<str:payment_intent_id>/succeed",
        api_checkout.DemoPaymentSucceedView.as_view(),
        name="api-demo-payment-succeed",
    ),
    path(
        "demo-payments/<str:payment_intent_id>/fail",
        api_checkout.DemoPaymentFailView.as_view(),
        name="api-demo-payment-fail",
    ),
]

# GET /api/trainer/earnings (monthly payouts).
from .payouts_api import TrainerEarningsView  # noqa: E402

urlpatterns += [
    path("trainer/earnings", TrainerEarningsView.as_view(), name="api-trainer-earnings"),
]
