"""Pages that change one session or a whole schedule or offering from the trainer's
calendar and lists: cancel or restore a session, start a stopped schedule again, archive an
offering. A change with booked sessions in the way shows them first (bookings.confirm_step).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from marketplace.permissions import offering_for_edit
from traino.exceptions import DomainError

from . import services
from .confirm_step import render_confirm
from .errors import BookingsAffected
from .permissions import schedule_for_owner
from .recurrence import in_date_range
from .views import announce_horizon_cut, calendar_url


@login_required
@require_POST
def schedule_restart(request, schedule_id: int):
    """Start a stopped schedule again; an overlap with another schedule is refused."""
    schedule = schedule_for_owner(request.user, schedule_id)
    try:
        result = services.schedule_restart(schedule=schedule)
    except DomainError as exc:
        messages.error(request, _problem_text(exc))
        return redirect(reverse("trainer-calendar") + "#schedules")
    messages.success(
        request,
        gettext("%(title)s is back in your calendar: trainees can book it again.")
        % {"title": schedule.offering.title},
    )
    announce_horizon_cut(request, result, result.schedule.zone)
    return redirect("trainer-calendar")


def _problem_text(exc: DomainError) -> str:
    """The refusal's message, with a field message that says more (e.g. which offering)."""
    details = [m for messages_ in exc.field_messages().values() for m in messages_]
    extra = [m for m in details if m != str(exc.message)]
    return " ".join([str(exc.message), *extra[:1]])


def _start_local_param(request) -> datetime | None:
    try:
        start_local = datetime.fromisoformat(request.POST.get("start_local", ""))
    except ValueError:
        return None
    return start_local.replace(tzinfo=None)


@login_required
@require_POST
def schedule_cancel_occurrence(request, schedule_id: int):
    """Cancels one occurrence (an EXDATE); the calendar's dialog posts here. A booked one is
    shown first, with its bookings, and cancelled only when the trainer confirms."""
    schedule = schedule_for_owner(request.user, schedule_id)
    start_local = _start_local_param(request)
    if start_local is None:
        messages.error(request, gettext("Pick a session in the calendar to cancel it."))
        return redirect("trainer-calendar")
    day = start_local.date()
    back = calendar_url(day if in_date_range(day) else None)
    try:
        services.schedule_cancel_occurrence(
            schedule=schedule,
            start_local=start_local,
            cancel_bookings=request.POST.get("cancel_bookings") == "1",
            actor=request.user,
        )
    except BookingsAffected as exc:
        return render_confirm(
            request,
            exc,
            zone=schedule.zone,
            heading=gettext("Cancel %(title)s on %(when)s?")
            % {"title": schedule.offering.title, "when": services.local_label(start_local)},
            action=reverse("schedule-cancel-occurrence", args=[schedule.pk]),
            hidden={"start_local": start_local.isoformat(timespec="seconds")},
            confirm_label=gettext("Cancel the session and its bookings"),
            back_url=back,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            gettext("%(title)s on %(when)s is cancelled.")
            % {"title": schedule.offering.title, "when": services.local_label(start_local)},
        )
    return redirect(back)


@login_required
@require_POST
def schedule_restore_occurrence(request, schedule_id: int):
    """Takes a cancelled session back (the calendar's dialog posts here)."""
    schedule = schedule_for_owner(request.user, schedule_id)
    start_local = _start_local_param(request)
    if start_local is None:
        messages.error(request, gettext("Pick a cancelled session in the calendar to restore it."))
        return redirect("trainer-calendar")
    try:
        services.schedule_restore_occurrence(schedule=schedule, start_local=start_local)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            gettext("%(title)s on %(when)s is back: trainees can book it again.")
            % {"title": schedule.offering.title, "when": services.local_label(start_local)},
        )
    day = start_local.date()
    return redirect(calendar_url(day if in_date_range(day) else None))


@login_required
@require_POST
def offering_archive(request, offering_id: int):
    """Archive an offering (no longer bookable, kept for its history); its booked sessions
    are shown first and cancelled only when the trainer confirms."""
    offering = offering_for_edit(request.user, offering_id)
    was_published = offering.trainer.is_published
    try:
        services.offering_deactivate(
            offering=offering,
            cancel_bookings=request.POST.get("cancel_bookings") == "1",
            actor=request.user,
        )
    except BookingsAffected as exc:
        return render_confirm(
            request,
            exc,
            zone=ZoneInfo(offering.trainer.time_zone),
            heading=gettext("Archive %(title)s?") % {"title": offering.title},
            action=reverse("trainer-offering-archive", args=[offering.pk]),
            confirm_label=gettext("Cancel the bookings and archive it"),
            back_url=reverse("trainer-offerings"),
            tab="offerings",
        )
    except DomainError as exc:
        messages.error(request, _problem_text(exc))
        return redirect("trainer-offerings")
    messages.success(
        request,
        gettext("%(title)s is archived: trainees can no longer book it.")
        % {"title": offering.title},
    )
    if was_published and not offering.trainer.is_published:
        messages.warning(
            request,
            gettext(
                "You have no bookable offering left, so your page is hidden. "
                "Make an offering bookable and publish again."
            ),
        )
    return redirect("trainer-offerings")
