"""The trainer's Earnings pages (payments/urls.py includes these)."""

from django.urls import path

from . import payouts_views

urlpatterns = [
    path("trainer/earnings/", payouts_views.earnings, name="payments-earnings"),
    path("trainer/earnings.csv", payouts_views.earnings_csv, name="payments-earnings-csv"),
    path(
        "trainer/earnings/payouts/<int:payout_id>/",
        payouts_views.earnings_statement,
        name="payments-earnings-statement",
    ),
]
