"""Pages of a booking: the booking itself (also the confirmation page after payment), the
review before booking, cancelling and no-shows (the lists: booking_list_views.py).

Every page looks the booking up through queries.booking_for_user (its trainee, its trainer,
staff; 404 for anyone else, so ids reveal nothing), then calls one service; a service's
refusal (TOO_LATE_TO_CANCEL, NO_SHOW_NOT_ALLOWED...) is shown as a message in the
language of the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.permissions import can_view_trainer_page, trainer_profile_of
from marketplace.redirects import safe_next
from traino.exceptions import DomainError

from . import booking_services, policy, queries
from .api import SLOT_FORMAT
from .booking_services import NO_SHOW_WINDOW, TRANSITIONS
from .locations import booking_exact_location
from .models import ACTIVE_STATUSES, Booking, BookingStatus, CancelledBy, Schedule

# Statuses of a booking that was paid for: its trainee sees the exact place.
PAID_STATUSES = frozenset(
    {
        BookingStatus.CONFIRMED,
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW_TRAINEE,
        BookingStatus.NO_SHOW_TRAINER,
    }
)


@dataclass(frozen=True)
class Actions:
    """What the viewer may do with a booking now (the pages show a button for each)."""

    pay: bool = False
    cancel: bool = False
    report_no_show: bool = False
    mark_no_show: bool = False


def party_of(user, booking: Booking) -> str:
    """Who ``user`` is for the booking: trainee, trainer or (neither) staff."""
    if booking.trainee_id == user.pk:
        return CancelledBy.TRAINEE
    if booking.trainer.user_id == user.pk:
        return CancelledBy.TRAINER
    return CancelledBy.STAFF


def _in_no_show_window(booking: Booking, now: datetime) -> bool:
    return booking.start <= now <= booking.end + NO_SHOW_WINDOW


def actions_for(user, booking: Booking, *, now: datetime) -> Actions:
    party = party_of(user, booking)
    status = booking.status
    holding = (
        status == BookingStatus.PENDING_PAYMENT
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
    )
    return Actions(
        pay=party == CancelledBy.TRAINEE and holding,
        cancel=party == CancelledBy.TRAINEE
        and (status == BookingStatus.CONFIRMED or holding)
        and booking.start > now,
        report_no_show=party == CancelledBy.TRAINEE
        and BookingStatus.NO_SHOW_TRAINER in TRANSITIONS[status]
        and _in_no_show_window(booking, now),
        mark_no_show=party == CancelledBy.TRAINER
        and BookingStatus.NO_SHOW_TRAINEE in TRANSITIONS[status]
        and _in_no_show_window(booking, now),
    )


def pay_url(booking: Booking) -> str | None:
    """The payments app's pay page for a held booking, when it is installed."""
    try:
        return reverse("booking-pay", args=[booking.pk])
    except NoReverseMatch:
        return None


def _visible_booking(user, booking_id: int) -> Booking:
    booking = queries.booking_for_user(user, booking_id)
    if booking is None:
        raise Http404
    return booking


def viewer_zone(user, booking: Booking) -> ZoneInfo | None:
    """The viewer's own zone when the site knows it and it is not the trainer's: a trainer
    looking at someone else's booking (staff who train) sees both."""
    profile = trainer_profile_of(user)
    if profile is None or profile.time_zone == booking.trainer.time_zone:
        return None
    return ZoneInfo(profile.time_zone)


def policy_steps() -> list[tuple[int, int]]:
    return policy.describe(settings.CANCELLATION_POLICY)


def decorate(booking: Booking, user, now: datetime) -> Booking:
    """Adds what the lists and the page show: local times, actions, the trainee's first name."""
    zone = ZoneInfo(booking.trainer.time_zone)
    booking.zone_name = booking.trainer.time_zone
    # Naive wall times: templates show them as they are, whatever zone is active.
    booking.start_local = booking.start.astimezone(zone).replace(tzinfo=None)
    booking.end_local = booking.end.astimezone(zone).replace(tzinfo=None)
    booking.actions = actions_for(user, booking, now=now)
    booking.trainee_first_name = (booking.trainee.name or "").split(" ")[0]
    booking.status_label = BookingStatus(booking.status).label
    if booking.status == BookingStatus.PENDING_PAYMENT and booking.hold_expires_at <= now:
        # Expired on reading: the beat task has not run yet (the seat is free already).
        booking.status_label = BookingStatus.EXPIRED.label
    return booking


def _clock(left: timedelta) -> str:
    """ "14:05": minutes and seconds left (the page's script keeps it ticking)."""
    seconds = max(0, int(left.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- one booking ---------------------------------------------------------------------------------


@login_required
def booking_detail(request, booking_id: int):
    """The booking, to its trainee, its trainer and staff; after payment, the confirmation."""
    now = timezone.now()
    booking = decorate(_visible_booking(request.user, booking_id), request.user, now)
    other_zone = viewer_zone(request.user, booking)
    party = party_of(request.user, booking)
    context = {
        "booking": booking,
        "party": party,
        # The exact place and pin (bookings.locations) go to the trainer, staff and a trainee
        # whose booking is paid; public pages and unpaid holds show the city.
        "exact_location": (
            booking_exact_location(booking=booking, user=request.user, now=now)
            if party != CancelledBy.TRAINEE or booking.status in PAID_STATUSES
            else None
        ),
        "actions": booking.actions,
        "pay_url": pay_url(booking) if booking.actions.pay else None,
        "viewer_zone": other_zone.key if other_zone else None,
        "viewer_start": booking.start.astimezone(other_zone) if other_zone else None,
        "viewer_end": booking.end.astimezone(other_zone) if other_zone else None,
        "hold_seconds": (
            max(0, int((booking.hold_expires_at - now).total_seconds()))
            if booking.actions.pay
            else None
        ),
        "hold_clock": _clock(booking.hold_expires_at - now) if booking.actions.pay else "",
        "policy_steps": policy_steps(),
        "events": list(booking.events.select_related("actor").order_by("created_at", "pk"))
        if request.user.is_staff
        else [],
    }
    return render(request, "bookings/booking/detail.html", context)


# --- before booking: the review ------------------------------------------------------------------


def _slot(request, schedule_id: int, start: str):
    """The schedule (visible to the user) and the occurrence's start, or Http404."""
    schedule = Schedule.objects.select_related("trainer", "offering").filter(pk=schedule_id).first()
    if schedule is None or not can_view_trainer_page(request.user, schedule.trainer):
        raise Http404
    try:
        start_utc = datetime.strptime(start, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:
        raise Http404 from exc
    return schedule, start_utc


def _own_active_booking(user, schedule: Schedule, start: datetime) -> Booking | None:
    """The user's live booking of this session: confirmed, or held with time left (a dead
    hold is no booking: booking again replaces it)."""
    return (
        Booking.objects.filter(
            trainee=user, schedule=schedule, start=start, status__in=ACTIVE_STATUSES
        )
        .filter(Q(status=BookingStatus.CONFIRMED) | Q(hold_expires_at__gt=timezone.now()))
        .order_by("-pk")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_review(request, schedule_id: int, start: str):
    """What the trainee is about to book: the session, its price, the cancellation policy and
    what happens next. Posting it holds the seat (book_slot) and opens the booking's page,
    where the trainee pays."""
    schedule, start_utc = _slot(request, schedule_id, start)
    now = timezone.now()
    problem = None
    status = 200
    if request.method == "GET":
        existing = _own_active_booking(request.user, schedule, start_utc)
        if existing is not None:
            return redirect("booking-detail", booking_id=existing.pk)
    if request.method == "POST":
        try:
            booking = booking_services.book_slot(
                trainee=request.user, schedule_id=schedule.pk, start=start_utc
            )
        except DomainError as exc:
            existing = _own_active_booking(request.user, schedule, start_utc)
            if existing is not None:
                # A second click, or the back button: the booking made the first time.
                messages.info(request, gettext("You have already booked this session."))
                return redirect("booking-detail", booking_id=existing.pk)
            problem, status = str(exc.message), exc.status
        else:
            return redirect("booking-detail", booking_id=booking.pk)
    slot = queries.slot_status(schedule, start_utc, now=now)
    if slot.occurrence is None:
        raise Http404
    if problem is None and slot.problem is not None:
        problem = slot.message
    if problem is None and schedule.trainer.user_id == request.user.pk:
        problem = gettext("You cannot book your own session.")
    occurrence = slot.occurrence
    context = {
        "schedule": schedule,
        "trainer": schedule.trainer,
        "offering": schedule.offering,
        "start_local": occurrence.start_local,
        "end_local": occurrence.end_local,
        "slot_url": reverse("book-slot", args=[schedule.pk, start]),
        "problem": problem,
        "policy_steps": policy_steps(),
        "hold_minutes": settings.BOOKING_HOLD_MINUTES,
    }
    return render(request, "bookings/booking/review.html", context, status=status)


# --- cancelling ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, booking_id: int):
    """The trainee's cancellation: the refund is shown before they confirm. When the amount
    changed between showing and confirming (a step of the policy passed meanwhile), the page
    shows the new amount again instead of cancelling."""
    now = timezone.now()
    booking = decorate(_visible_booking(request.user, booking_id), request.user, now)
    if party_of(request.user, booking) != CancelledBy.TRAINEE:
        raise Http404
    if not booking.actions.cancel:
        messages.error(request, gettext("This booking can no longer be cancelled."))
        return redirect("booking-detail", booking_id=booking.pk)
    quote = booking_services.refund_quote(booking=booking, by=CancelledBy.TRAINEE, now=now)
    problem = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:500]
        if request.POST.get("quoted_amount") != str(quote.amount):
            problem = gettext(
                "The refund has changed since you opened this page: check the new amount."
            )
        else:
            try:
                booking_services.booking_cancel(
                    booking_id=booking.pk,
                    by=CancelledBy.TRAINEE,
                    actor=request.user,
                    reason=reason,
                    now=now,
                )
            except DomainError as exc:
                problem = str(exc.message)
            else:
                messages.success(request, gettext("Your booking is cancelled."))
                return redirect("booking-detail", booking_id=booking.pk)
    context = {
        "booking": booking,
        "quote": quote,
        "paid": booking.status == BookingStatus.CONFIRMED,
        "policy_steps": policy_steps(),
        "problem": problem,
        "reason": reason,
    }
    return render(request, "bookings/booking/cancel.html", context, status=409 if problem else 200)


# --- no-shows ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_report_no_show(request, booking_id: int):
    """The trainee reports that the trainer did not come (staff then decide the refund)."""
    now = timezone.now()
    booking = decorate(_visible_booking(request.user, booking_id), request.user, now)
    if party_of(request.user, booking) != CancelledBy.TRAINEE:
        raise Http404
    problem = None
    note = ""
    if request.method == "POST":
        note = request.POST.get("note", "").strip()[:500]
        try:
            booking_services.booking_report_no_show_trainer(
                booking_id=booking.pk, actor=request.user, note=note, now=now
            )
        except DomainError as exc:
            problem = str(exc.message)
        else:
            messages.success(
                request,
                gettext("Thank you: your report is sent. Traino's staff will look into it."),
            )
            return redirect("booking-detail", booking_id=booking.pk)
    elif not booking.actions.report_no_show:
        messages.error(request, gettext("A no-show can no longer be reported for this booking."))
        return redirect("booking-detail", booking_id=booking.pk)
    context = {"booking": booking, "problem": problem, "note": note}
    return render(
        request, "bookings/booking/report_no_show.html", context, status=409 if problem else 200
    )


@login_required
@require_POST
def booking_mark_no_show(request, booking_id: int):
    """The trainer marks that the trainee did not come (no refund)."""
    booking = _visible_booking(request.user, booking_id)
    if party_of(request.user, booking) != CancelledBy.TRAINER:
        raise Http404
    try:
        booking_services.booking_mark_no_show_trainee(booking_id=booking.pk, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            gettext("%(name)s is marked as not having come.")
            % {"name": (booking.trainee.name or "").split(" ")[0] or gettext("The trainee")},
        )
    back = safe_next(request, request.POST.get("next"))
    return redirect(back or reverse("booking-detail", args=[booking.pk]))
