"""Who may change which schedule; pages and the API look schedules up here (services trust
their caller). See marketplace.permissions for the profile and the offering."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Schedule


def schedule_for_owner(user, schedule_id: int) -> Schedule:
    """The schedule if ``user`` owns it: Http404 when it does not exist, PermissionDenied
    when it is someone else's."""
    schedule = Schedule.objects.select_related("trainer", "offering").filter(pk=schedule_id).first()
    if schedule is None:
        raise Http404
    if schedule.trainer.user_id != user.pk:
        raise PermissionDenied
    return schedule
