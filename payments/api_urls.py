from django.urls import path

from . import api

urlpatterns = [
    path("stripe/webhook", api.StripeWebhookView.as_view(), name="api-stripe-webhook"),
]
