from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from marketplace.signals import demo_trainers_seeded

        from . import (
            emails,  # noqa: F401  (connects the email receivers)
            receivers,  # noqa: F401  (connects the marketplace receivers)
            review_demo,
            search_by_when,
        )

        search_by_when.register()  # ?days=&from_time=&to_time= on GET /api/trainers
        # After receivers' demo schedules: receivers run in the order they were connected.
        demo_trainers_seeded.connect(
            review_demo.on_demo_trainers_seeded, dispatch_uid="bookings.demo_reviews"
        )
