"""The booking lists: "My bookings" for trainees and the trainer's bookings by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from marketplace.models import TrainerProfile
from marketplace.permissions import trainer_profile_of

from . import queries
from .booking_views import decorate, policy_steps
from .models import Booking, BookingStatus

# --- lists ---------------------------------------------------------------------------------------

LIST_LIMIT = 100
TRAINER_PAST_DAYS = 30


@login_required
def my_bookings(request):
    """The trainee's bookings: coming ones first (soonest first), then past ones."""
    now = timezone.now()
    rows = queries.bookings_of_trainee(request.user).exclude(status=BookingStatus.EXPIRED)
    upcoming = [
        decorate(b, request.user, now)
        for b in rows.filter(end__gt=now).order_by("start")[:LIST_LIMIT]
    ]
    past = [
        decorate(b, request.user, now)
        for b in rows.filter(end__lte=now).order_by("-start", "-pk")[:LIST_LIMIT]
    ]
    context = {"upcoming": upcoming, "past": past, "policy_steps": policy_steps()}
    return render(request, "bookings/booking/my_bookings.html", context)


@dataclass
class Day:
    day: date
    bookings: list


def _by_day(bookings: list[Booking]) -> list[Day]:
    days: list[Day] = []
    for booking in bookings:
        local_day = booking.start_local.date()
        if not days or days[-1].day != local_day:
            days.append(Day(local_day, []))
        days[-1].bookings.append(booking)
    return days


@login_required
def trainer_bookings(request):
    """The trainer's booked sessions by day (in the trainer's zone): coming ones, or with
    ?past=1 the last TRAINER_PAST_DAYS days, where no-shows are marked. Attendees by first
    name only."""
    profile: TrainerProfile | None = trainer_profile_of(request.user)
    if profile is None:
        return render(request, "bookings/not_a_trainer.html")
    now = timezone.now()
    past = request.GET.get("past") == "1"
    rows = queries.bookings_of_trainer(profile).exclude(status=BookingStatus.EXPIRED)
    if past:
        rows = rows.filter(
            end__lte=now, start__gte=now - timedelta(days=TRAINER_PAST_DAYS)
        ).order_by("-start", "pk")
    else:
        rows = rows.filter(end__gt=now).order_by("start", "pk")
    bookings = [decorate(b, request.user, now) for b in rows[: LIST_LIMIT * 2]]
    context = {
        "profile": profile,
        "days": _by_day(bookings),
        "past": past,
        "tab": "bookings",
    }
    return render(request, "bookings/booking/trainer_bookings.html", context)
