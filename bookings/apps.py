from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from . import (
            receivers,  # noqa: F401  (connects the marketplace receivers)
            search_by_when,
        )

        search_by_when.register()  # ?days=&from_time=&to_time= on GET /api/trainers
