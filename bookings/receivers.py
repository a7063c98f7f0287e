"""What bookings does when an offering changes (marketplace.signals; connected in apps.ready).

Availability rows carry the offering's title, price, capacity and duration, and only active
offerings are bookable: any change bumps the trainer's availability version after commit. A
new duration is refused when it would make the trainer's schedules that inherit it overlap.
``seed_demo`` gets the demo trainers' schedules from bookings.demo. A page is published only
with an active schedule that has a coming session (``publish_requirements``): marketplace asks
through its signal, as it must not import bookings.
"""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketplace.models import Offering, TrainerProfile
from marketplace.queries import PublishRequirement
from marketplace.signals import (
    demo_trainers_seeded,
    offering_changed,
    offering_will_change,
    trainer_publish_requirements,
    user_data_requested,
    user_will_be_deleted,
)

from . import account_data, demo, queries, services
from .cache import availability_invalidate_on_commit
from .errors import OfferingInUse
from .models import Schedule


@receiver(offering_will_change, sender=Offering, dispatch_uid="bookings.offering_will_change")
def check_offering_change(
    sender, *, offering: Offering, changes: set[str], created=False, deleted=False, **kwargs
) -> None:
    if deleted:
        if Schedule.objects.filter(offering_id=offering.pk).exists():
            message = _(
                "Schedules use this offering: deactivate it instead, or delete those first."
            )
            raise OfferingInUse(message, fields={"offering": [str(message)]})
        return
    if created:
        return
    if "is_active" in changes and not offering.is_active:
        services.offering_refuse_if_booked(offering=offering)
    if "duration_minutes" in changes:
        services.offering_refuse_if_booked(offering=offering, inheriting_only=True)
        services.schedules_check_offering_duration(offering=offering)


@receiver(offering_changed, sender=Offering, dispatch_uid="bookings.offering_changed")
def refresh_availability(sender, *, offering: Offering, **kwargs) -> None:
    availability_invalidate_on_commit(offering.trainer_id)


@receiver(user_will_be_deleted, dispatch_uid="bookings.user_will_be_deleted")
def settle_bookings_of_leaving_user(
    sender, *, user, cancel_bookings=False, actor=None, **kwargs
) -> bool:
    """Upcoming bookings refuse the deletion (BookingsAffected) unless ``cancel_bookings``;
    the trainer's schedules stop. True (keep the row, anonymised) when bookings or their
    trail refer to the user: they are never deleted."""
    return services.account_settle_bookings(user=user, cancel_bookings=cancel_bookings, actor=actor)


@receiver(user_data_requested, dispatch_uid="bookings.user_data_requested")
def bookings_of_user_for_export(sender, *, user, **kwargs) -> dict:
    """The user's bookings (as trainee and as trainer), schedules and calendar feed for
    their data download (marketplace.account_services)."""
    return account_data.user_bookings_data(user=user)


demo_trainers_seeded.connect(demo.on_demo_trainers_seeded, dispatch_uid="bookings.demo_schedules")


@receiver(
    trainer_publish_requirements,
    sender=TrainerProfile,
    dispatch_uid="bookings.trainer_publish_requirements",
)
def publish_requirements(sender, *, profile: TrainerProfile, **kwargs) -> list[PublishRequirement]:
    return [
        PublishRequirement(
            field="schedules",
            label=_("A schedule with a coming session"),
            done=queries.trainer_has_coming_session(profile.pk),
            missing=_("Add a schedule with at least one coming session before publishing."),
            url=reverse("schedule-new"),
            action=_("Create a schedule"),
        )
    ]
