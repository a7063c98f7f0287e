"""Who may change what: the one place each object type is looked up for its owner. Services
trust their caller; pages and the API ask here.

Only the owner edits a profile or an offering from the site (staff use the admin). A refusal
is Http404 or PermissionDenied: Django turns them into the 404 and 403 pages, the API's
handler into NOT_FOUND and PERMISSION_DENIED.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Offering, TrainerProfile, User


def trainer_profile_of(user: User) -> TrainerProfile | None:
    """The user's own trainer profile, or None when they have not become a trainer."""
    if not user.is_authenticated:
        return None
    return TrainerProfile.objects.filter(user=user).first()


def trainer_profile_required(user: User) -> TrainerProfile:
    """The user's own trainer profile; PermissionDenied for anyone who has none."""
    profile = trainer_profile_of(user)
    if profile is None:
        raise PermissionDenied
    return profile


def can_edit_offering(user: User, offering: Offering) -> bool:
    return user.is_authenticated and offering.trainer.user_id == user.pk


def offering_for_edit(user: User, offering_id: int) -> Offering:
    """The offering if ``user`` owns it: 404 when it does not exist, 403 when it is not theirs."""
    offering = Offering.objects.select_related("trainer").filter(pk=offering_id).first()
    if offering is None:
        raise Http404
    if not can_edit_offering(user, offering):
        raise PermissionDenied
    return offering


def can_view_trainer_page(user: User, profile: TrainerProfile) -> bool:
    """Everyone sees a published page; its owner also sees it while it is a draft."""
    return profile.is_published or (user.is_authenticated and profile.user_id == user.pk)
