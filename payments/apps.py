from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        # Registers the deploy check, fills the webhook handler table, connects the bookings
        # signals' receivers in every process; account_data answers the user's data download.
        from . import (  # noqa: F401
            account_data,
            checks,
            handlers,
            payouts_handlers,
            payouts_receivers,
            receivers,
        )
