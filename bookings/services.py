"""Writes of the bookings app: schedules and calendar feeds (bookings: booking_services).

Every schedule write validates the rule, refuses an overlap with the trainer's other active
schedules within the horizon, and bumps the trainer's availability cache version after
commit. Writes of one trainer are serialized by a row lock on the trainer profile, so two
overlapping schedules saved at the same moment cannot both pass the check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from marketplace import services as marketplace_services
from marketplace.models import Offering, TrainerProfile
from marketplace.validators import validate_time_zone

from . import booking_services, locks, queries, recurrence
from .cache import availability_invalidate_on_commit
from .errors import (
    BookingsAffected,
    InvalidRRule,
    InvalidSchedule,
    NotAnOccurrence,
    OccurrenceInPast,
    ScheduleHasBookings,
    ScheduleOverlap,
)
from .models import (
    Booking,
    BookingEvent,
    CalendarFeed,
    CancelledBy,
    Schedule,
    new_feed_token,
)

# What schedule_update may change, in the order the admin shows it.
EDITABLE_FIELDS = (
    "offering",
    "starts_on",
    "start_time",
    "duration_minutes",
    "time_zone",
    "rrule",
    "exdates",
    "is_active",
)


@dataclass(frozen=True)
class ScheduleResult:
    """``horizon_cut``: occurrences after ``horizon_end`` exist but are not offered yet."""

    schedule: Schedule
    horizon_cut: bool
    horizon_end: datetime


@dataclass(frozen=True)
class Clash:
    schedule_id: int
    offering_title: str
    start: datetime
    end: datetime


def _field_error(field: str, message) -> InvalidSchedule:
    return InvalidSchedule(message, fields={field: [str(message)]})


def _check_dates(schedule: Schedule, rule: recurrence.Rule, *, now: datetime, starts_on: bool):
    """The first date from a year ago to the horizon; UNTIL at most a year past the horizon.

    Far dates are refused rather than clamped: a rule from year 1 or until 9999 is a typo,
    and storing it would make every expansion walk (or overflow) for nothing. An UNTIL a
    little past the horizon is kept, and cut at the horizon like an endless rule.
    """
    today = now.date()
    last = recurrence.horizon_end(now).date()
    if starts_on and not today - timedelta(days=366) <= schedule.starts_on <= last:
        raise _field_error(
            "starts_on",
            _("The first date must be between %(first)s and %(last)s.")
            % {"first": (today - timedelta(days=366)).isoformat(), "last": last.isoformat()},
        )
    latest_until = last + timedelta(days=366)
    if rule.until_date is not None and rule.until_date > latest_until:
        message = _("UNTIL may be at most %(date)s.") % {"date": latest_until.strftime("%Y%m%d")}
        raise InvalidRRule(message, fields={"rrule": [str(message)]})


def _clean_exdates(values) -> list[str]:
    """Cancelled starts as sorted, distinct local ISO strings, "2026-12-07T07:00:00": anything
    else would fail (500) or silently cancel nothing at expansion."""
    message = _('Give cancelled sessions as a list of local starts, e.g. ["2026-12-07T07:00:00"].')
    if values is None:
        return []
    if not isinstance(values, list):
        raise _field_error("exdates", message)
    found = set()
    for value in values:
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is not None:
            raise _field_error("exdates", message)
        found.add(moment.replace(microsecond=0).isoformat(timespec="seconds"))
    return sorted(found)


def _clean(schedule: Schedule, *, now: datetime, starts_on: bool = True) -> None:
    """Row-level checks with API errors: offering, zone, duration, dates, rule, first occurrence.

    ``starts_on``: check the first date's range (not for an old schedule whose first date
    stays as it is: a year on it would be refused).
    """
    offering = schedule.offering
    if offering.trainer_id != schedule.trainer_id:
        raise _field_error("offering", _("Choose one of your own offerings."))
    if not offering.is_active:
        raise _field_error("offering", _("This offering is not active."))
    try:
        validate_time_zone(schedule.time_zone)
    except ValidationError:
        raise _field_error(
            "time_zone", _("Use an IANA time zone name, e.g. Europe/Stockholm.")
        ) from None
    if schedule.duration_minutes is not None and not 15 <= schedule.duration_minutes <= 480:
        raise _field_error("duration_minutes", _("A session lasts 15 to 480 minutes."))
    if not isinstance(schedule.starts_on, date) or isinstance(schedule.starts_on, datetime):
        raise _field_error("starts_on", _("Give the first date as YYYY-MM-DD."))
    if not isinstance(schedule.start_time, time):
        raise _field_error("start_time", _("Give the start time as HH:MM."))
    schedule.start_time = schedule.start_time.replace(second=0, microsecond=0, tzinfo=None)
    rule = recurrence.parse_rrule(schedule.rrule)
    _check_dates(schedule, rule, now=now, starts_on=starts_on)
    schedule.rrule = rule.text
    schedule.exdates = _clean_exdates(schedule.exdates)
    if recurrence.first_start(schedule) is None:
        raise InvalidRRule(
            _("This rule gives no sessions on or after the first date."),
            fields={"rrule": [str(_("This rule gives no sessions on or after the first date."))]},
        )


def local_date_label(day) -> str:
    """ "7 Dec 2026" in English, "7 dec 2026" in Swedish (Django's "M" capitalises it)."""
    month = dateformat.format(day, "b")
    if not (get_language() or "en").startswith("sv"):
        month = month.capitalize()
    return f"{day.day} {month} {day.year}"


def local_label(moment: datetime) -> str:
    """ "Mon 7 Dec 2026 07:00" in English, "mån 7 dec 2026 07:00" in Swedish."""
    month = dateformat.format(moment, "b")
    if not (get_language() or "en").startswith("sv"):
        month = month.capitalize()
    return "{} {} {} {}".format(
        dateformat.format(moment, "D"), moment.day, month, dateformat.format(moment, "Y H:i")
    )


def _when(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """ "Mon 7 Dec 2026 07:00–08:00" in local time."""
    local_end = end.astimezone(zone)
    return "{}–{}".format(local_label(start.astimezone(zone)), dateformat.format(local_end, "H:i"))


def find_first_clash(
    candidate: Schedule, others: list[Schedule], start_utc: datetime, end_utc: datetime
) -> Clash | None:
    """The earliest occurrence of ``others`` that overlaps one of ``candidate``'s, if any.

    One sweep over every interval sorted by start, keeping the latest end seen on each side:
    O(n log n) in the number of occurrences, not one comparison per pair. Intervals are
    half-open, so a session ending at 08:00 and one starting at 08:00 do not overlap.
    """
    events: list[tuple[datetime, datetime, bool, Schedule]] = [
        (s, e, True, candidate) for s, e in recurrence.intervals(candidate, start_utc, end_utc)
    ]
    if not events:
        return None
    for other in others:
        events.extend(
            (s, e, False, other) for s, e in recurrence.intervals(other, start_utc, end_utc)
        )
    events.sort(key=lambda event: (event[0], event[1]))
    latest: dict[bool, tuple[datetime, datetime, Schedule] | None] = {True: None, False: None}
    for start, end, is_candidate, schedule in events:
        opposite = latest[not is_candidate]
        if opposite is not None and start < opposite[1]:
            other_start, other_end, other = (start, end, schedule) if not is_candidate else opposite
            return Clash(
                schedule_id=other.pk,
                offering_title=other.offering.title,
                start=other_start,
                end=other_end,
            )
        mine = latest[is_candidate]
        if mine is None or end > mine[1]:
            latest[is_candidate] = (start, end, schedule)
    return None


def _check_overlap(schedule: Schedule, *, now: datetime) -> None:
    if not schedule.is_active:
        return
    others = list(
        Schedule.objects.active()
        .filter(trainer_id=schedule.trainer_id)
        .exclude(pk=schedule.pk)
        .select_related("offering")
    )
    _raise_on_clash(schedule, others, now=now)


def schedules_check_offering_duration(*, offering: Offering, now: datetime | None = None) -> None:
    """Refuse (ScheduleOverlap) a new duration of ``offering`` that would make the trainer's
    active schedules overlap. Call inside the offering's writing transaction, before the save:
    ``offering`` carries the new duration; schedules with their own duration are unaffected.
    """
    now = now or timezone.now()
    _lock_trainer(offering.trainer_id)
    schedules = list(
        Schedule.objects.active().filter(trainer_id=offering.trainer_id).select_related("offering")
    )
    for schedule in schedules:
        if schedule.offering_id == offering.pk:
            schedule.offering = offering  # the new duration, not the stored one
    for schedule in schedules:
        if schedule.offering_id == offering.pk and schedule.duration_minutes is None:
            others = [other for other in schedules if other.pk != schedule.pk]
            clash = _first_clash(schedule, others, now=now)
            if clash is not None:
                message = _(
                    "At %(minutes)s minutes a schedule of this offering would overlap %(title)s "
                    "on %(when)s. Keep the length, or move one of the schedules first."
                ) % {
                    "minutes": offering.duration_minutes,
                    "title": clash.offering_title,
                    "when": _when(clash.start, clash.end, schedule.zone),
                }
                raise ScheduleOverlap(
                    message, clash=clash, fields={"duration_minutes": [str(message)]}
                )


def _first_clash(schedule: Schedule, others: list[Schedule], *, now: datetime) -> Clash | None:
    return find_first_clash(schedule, others, now, recurrence.horizon_end(now))


def _raise_on_clash(schedule: Schedule, others: list[Schedule], *, now: datetime) -> None:
    clash = _first_clash(schedule, others, now=now)
    if clash is not None:
        message = _("This schedule overlaps %(title)s on %(when)s. Choose another time or day.") % {
            "title": clash.offering_title,
            "when": _when(clash.start, clash.end, schedule.zone),
        }
        raise ScheduleOverlap(message, clash=clash)


def _lock_trainer(trainer_id: int) -> None:
    """Serialize one trainer's schedule writes; reads only the id (the row itself is wide)."""
    list(TrainerProfile.objects.select_for_update().filter(pk=trainer_id).values_list("pk"))


def schedule_validate(
    *, schedule: Schedule, now: datetime | None = None, starts_on_changed: bool = True
) -> None:
    """Every check of a save, without saving: for forms (the admin) that show the errors on
    the form first, including BookingsAffected. The save checks again under the locks."""
    now = now or timezone.now()
    _clean(schedule, now=now, starts_on=starts_on_changed)
    _check_overlap(schedule, now=now)
    if not schedule._state.adding:
        _refuse_if_affected(
            schedule_affected_bookings(schedule=schedule, now=now), zone=schedule.zone
        )


# --- bookings in the way of a change ---------------------------------------------------------


def schedule_affected_bookings(*, schedule: Schedule, now: datetime | None = None) -> list:
    """Active bookings not started yet that ``schedule`` as it is now in memory (changed,
    not saved) would strand: the schedule is off, their offering is another, their start
    is no longer an occurrence (rule, first date or a cancelled session), or the session's
    length changed."""
    now = now or timezone.now()
    bookings = list(queries.bookings_active_upcoming(now=now, schedule_id=schedule.pk))
    if not bookings or not schedule.is_active:
        return bookings
    affected = []
    for booking in bookings:
        starts = recurrence.utc_starts(
            schedule, booking.start, booking.start + timedelta(minutes=1)
        )
        if (
            booking.offering_id != schedule.offering_id
            or booking.start not in starts
            or booking.start + schedule.duration != booking.end
        ):
            affected.append(booking)
    return affected


def bookings_affected_error(bookings: list, *, zone: ZoneInfo) -> BookingsAffected:
    """The refusal listing them ("Mon 4 Jan 2027 07:00–08:00: Maja") for pages and the API."""
    count = len(bookings)
    message = ngettext(
        "This change would cancel %(count)d booked session. Confirm to cancel it: the "
        "trainee gets a full refund.",
        "This change would cancel %(count)d booked sessions. Confirm to cancel them: the "
        "trainees get a full refund.",
        count,
    ) % {"count": count}
    lines = [
        "{}: {}".format(
            _when(booking.start, booking.end, zone),
            (booking.trainee.name or "").split(" ")[0] or f"#{booking.pk}",
        )
        for booking in bookings
    ]
    return BookingsAffected(message, bookings=bookings, fields={"bookings": lines})


def _refuse_if_affected(bookings: list, *, zone: ZoneInfo) -> None:
    if bookings:
        raise bookings_affected_error(bookings, zone=zone)


def _settle_affected(
    bookings: list, *, cancel_bookings: bool, actor, zone: ZoneInfo, reason, now: datetime
) -> None:
    """Refuse, or cancel them as trainer cancellations (100 %) in the caller's transaction."""
    if not bookings:
        return
    if not cancel_bookings:
        raise bookings_affected_error(bookings, zone=zone)
    booking_services.bookings_cancel_by_trainer(
        bookings=bookings, actor=actor, reason=str(reason), now=now
    )


def _lock_schedule(schedule_id: int) -> None:
    """Exclusive: book_slot shares it (bookings/locks.py), so no booking of this schedule
    commits between the check of the affected bookings and the change."""
    locks.lock_schedule_for_change(schedule_id)
    Schedule.objects.select_for_update().filter(pk=schedule_id).first()


def _save(
    schedule: Schedule,
    *,
    now: datetime | None,
    starts_on_changed: bool = True,
    cancel_bookings: bool = False,
    actor=None,
) -> ScheduleResult:
    now = now or timezone.now()
    _clean(schedule, now=now, starts_on=starts_on_changed)
    with transaction.atomic():
        _lock_trainer(schedule.trainer_id)
        _check_overlap(schedule, now=now)
        if not schedule._state.adding:
            _lock_schedule(schedule.pk)
            _settle_affected(
                schedule_affected_bookings(schedule=schedule, now=now),
                cancel_bookings=cancel_bookings,
                actor=actor,
                zone=schedule.zone,
                reason=_("The trainer changed this session's schedule."),
                now=now,
            )
        schedule.save()
        availability_invalidate_on_commit(schedule.trainer_id)
        trainers_sync_upcoming_offerings(trainer_ids=[schedule.trainer_id], now=now)
    limit = recurrence.horizon_end(now)
    return ScheduleResult(
        schedule=schedule,
        horizon_cut=recurrence.extends_past(schedule, limit),
        horizon_end=limit,
    )


def schedule_create(
    *,
    trainer: TrainerProfile,
    offering: Offering,
    starts_on: date,
    start_time: time,
    rrule: str,
    time_zone: str | None = None,
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> ScheduleResult:
    """A new active schedule; raises InvalidRRule, InvalidSchedule or ScheduleOverlap."""
    schedule = Schedule(
        trainer=trainer,
        offering=offering,
        starts_on=starts_on,
        start_time=start_time,
        rrule=rrule,
        time_zone=time_zone or trainer.time_zone,
        duration_minutes=duration_minutes,
    )
    return _save(schedule, now=now)


def schedule_update(
    *,
    schedule: Schedule,
    now: datetime | None = None,
    cancel_bookings: bool = False,
    actor=None,
    **fields,
) -> ScheduleResult:
    """Change any of EDITABLE_FIELDS; the result is validated as a whole, like a new one.

    A change that would move or remove booked sessions (schedule_affected_bookings) is
    refused with BookingsAffected, unless ``cancel_bookings``: then they are cancelled as
    trainer cancellations (full refund) in the same transaction. A price change is the
    offering's and never touches a booking (each keeps its price)."""
    unknown = set(fields).difference(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"schedule_update() cannot change {', '.join(sorted(unknown))}")
    before = {name: getattr(schedule, name) for name in (*fields, "rrule", "start_time")}
    for name, value in fields.items():
        setattr(schedule, name, value)
    starts_on_changed = "starts_on" in fields and fields["starts_on"] != before["starts_on"]
    try:
        return _save(
            schedule,
            now=now,
            starts_on_changed=starts_on_changed,
            cancel_bookings=cancel_bookings,
            actor=actor,
        )
    except Exception:
        for name, value in before.items():  # a refused change leaves the instance as it was
            setattr(schedule, name, value)
        raise


def schedule_cancel_occurrence(
    *,
    schedule: Schedule,
    start_local: datetime,
    cancel_bookings: bool = False,
    actor=None,
    now: datetime | None = None,
) -> Schedule:
    """Cancel one occurrence (an EXDATE). An aware ``start_local`` is read in the schedule's zone.

    Cancelling twice is harmless. Its active bookings refuse it (BookingsAffected) unless
    ``cancel_bookings``: then they are cancelled as trainer cancellations (full refund).
    """
    now = now or timezone.now()
    if not recurrence.in_date_range(start_local.date()):
        raise NotAnOccurrence(
            fields={"start_local": [str(_("Not one of this schedule's sessions."))]}
        )
    if start_local.tzinfo is not None:
        start_local = start_local.astimezone(schedule.zone)
    naive = start_local.replace(tzinfo=None, fold=0)
    if not recurrence.is_occurrence(schedule, naive):
        raise NotAnOccurrence(
            _("The schedule has no session at %(when)s.") % {"when": local_label(naive)},
            fields={"start_local": [str(_("Not one of this schedule's sessions."))]},
        )
    with transaction.atomic():
        _lock_schedule(schedule.pk)
        locked = Schedule.objects.get(pk=schedule.pk)
        start_utc = recurrence.localize(naive, locked.zone)
        _settle_affected(
            list(
                queries.bookings_active_upcoming(now=now, schedule_id=locked.pk).filter(
                    start=start_utc
                )
            ),
            cancel_bookings=cancel_bookings,
            actor=actor,
            zone=locked.zone,
            reason=_("The trainer cancelled this session."),
            now=now,
        )
        value = naive.isoformat(timespec="seconds")
        if value not in locked.exdates:
            locked.exdates = sorted([*locked.exdates, value])
            locked.save(update_fields=["exdates", "updated_at"])
        availability_invalidate_on_commit(locked.trainer_id)
        trainers_sync_upcoming_offerings(trainer_ids=[locked.trainer_id])
    schedule.exdates = locked.exdates
    return schedule


def _raise_if_session_clashes(schedule: Schedule, start: datetime, end: datetime) -> None:
    """Refuse (ScheduleOverlap) one session of ``schedule`` from ``start`` to ``end`` that
    overlaps a session of the trainer's other active schedules."""
    others = (
        Schedule.objects.active()
        .filter(trainer_id=schedule.trainer_id)
        .exclude(pk=schedule.pk)
        .select_related("offering")
    )
    longest = timedelta(minutes=480)  # no session is longer: one starting earlier may run in
    for other in others:
        for other_start, other_end in recurrence.intervals(other, start - longest, end):
            if other_start < end and other_end > start:
                clash = Clash(
                    schedule_id=other.pk,
                    offering_title=other.offering.title,
                    start=other_start,
                    end=other_end,
                )
                message = _(
                    "This session would overlap %(title)s on %(when)s. Move or cancel that "
                    "one first."
                ) % {
                    "title": clash.offering_title,
                    "when": _when(other_start, other_end, schedule.zone),
                }
                raise ScheduleOverlap(message, clash=clash)


def schedule_restore_occurrence(
    *, schedule: Schedule, start_local: datetime, now: datetime | None = None
) -> Schedule:
    """Take a cancelled session back into the schedule (remove its EXDATE): bookable again.

    Restoring one that is not cancelled is harmless. Refused when it is not one of the
    schedule's sessions (NotAnOccurrence), has started (OccurrenceInPast), or would overlap
    another of the trainer's sessions (ScheduleOverlap), checked under the trainer's lock.
    """
    now = now or timezone.now()
    if start_local.tzinfo is not None:
        start_local = start_local.astimezone(schedule.zone)
    naive = start_local.replace(tzinfo=None, fold=0, microsecond=0)
    if not recurrence.in_date_range(naive.date()) or not recurrence.is_occurrence(schedule, naive):
        raise NotAnOccurrence(
            _("The schedule has no session at %(when)s.") % {"when": local_label(naive)},
            fields={"start_local": [str(_("Not one of this schedule's sessions."))]},
        )
    value = naive.isoformat(timespec="seconds")
    with transaction.atomic():
        _lock_trainer(schedule.trainer_id)
        _lock_schedule(schedule.pk)
        locked = Schedule.objects.select_related("offering").get(pk=schedule.pk)
        if value in locked.exdates:
            start_utc = recurrence.localize(naive, locked.zone)
            if start_utc <= now:
                raise OccurrenceInPast()
            if locked.is_active:
                _raise_if_session_clashes(locked, start_utc, start_utc + locked.duration)
            locked.exdates = [item for item in locked.exdates if item != value]
            locked.save(update_fields=["exdates", "updated_at"])
            availability_invalidate_on_commit(locked.trainer_id)
            trainers_sync_upcoming_offerings(trainer_ids=[locked.trainer_id], now=now)
    schedule.exdates = locked.exdates
    return schedule


def schedule_restart(*, schedule: Schedule, now: datetime | None = None) -> ScheduleResult:
    """Start a stopped schedule again, with every check of a new one: its offering must be
    bookable and its sessions may not overlap the trainer's other active schedules
    (ScheduleOverlap)."""
    return schedule_update(schedule=schedule, is_active=True, now=now)


def offering_refuse_if_booked(
    *, offering: Offering, inheriting_only: bool = False, now: datetime | None = None
) -> None:
    """Refuse (BookingsAffected) deactivating an offering, or changing its duration
    (``inheriting_only``: bookings of schedules without a duration of their own), while
    sessions of it are booked. offering_deactivate cancels them first when told to."""
    locks.lock_offering_for_change(offering.pk)
    rows = queries.bookings_active_upcoming(now=now, offering_id=offering.pk)
    if inheriting_only:
        rows = rows.filter(schedule__duration_minutes__isnull=True)
    _refuse_if_affected(list(rows), zone=ZoneInfo(offering.trainer.time_zone))


def offering_deactivate(
    *, offering: Offering, cancel_bookings: bool = False, actor=None, now: datetime | None = None
) -> Offering:
    """Archive an offering: its upcoming bookings refuse it (BookingsAffected) unless
    ``cancel_bookings`` (trainer cancellations, full refund), in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        # Before reading the bookings: no booking of this offering commits in between.
        Offering.objects.select_for_update().filter(pk=offering.pk).first()
        locks.lock_offering_for_change(offering.pk)
        _settle_affected(
            list(queries.bookings_active_upcoming(now=now, offering_id=offering.pk)),
            cancel_bookings=cancel_bookings,
            actor=actor,
            zone=ZoneInfo(offering.trainer.time_zone),
            reason=_("The trainer stopped offering this session."),
            now=now,
        )
        return marketplace_services.offering_update(offering=offering, is_active=False)


def account_settle_bookings(*, user, cancel_bookings: bool = False, actor=None) -> bool:
    """For marketplace.services.user_delete: the user's upcoming bookings, as trainee or as
    trainer, refuse the deletion (BookingsAffected) unless ``cancel_bookings`` (a trainer's
    as trainer cancellations, a trainee's own by the policy). The trainer's schedules stop.
    Returns True when bookings or their trail refer to the user (anonymise, never delete)."""
    now = timezone.now()
    profile = TrainerProfile.objects.filter(user=user).first()
    as_trainer = list(queries.bookings_active_upcoming(now=now, trainer=profile)) if profile else []
    as_trainee = list(queries.bookings_active_upcoming(now=now, trainee=user))
    zone = ZoneInfo(profile.time_zone if profile else settings.TRAINO_DEFAULT_TIME_ZONE)
    if (as_trainer or as_trainee) and not cancel_bookings:
        raise bookings_affected_error(
            sorted([*as_trainer, *as_trainee], key=lambda b: b.start), zone=zone
        )
    reason = str(_("The account was closed."))
    booking_services.bookings_cancel_by_trainer(bookings=as_trainer, actor=actor, reason=reason)
    for booking in sorted(as_trainee, key=lambda b: b.pk):
        booking_services.booking_cancel(
            booking_id=booking.pk, by=CancelledBy.TRAINEE, actor=actor, reason=reason
        )
    if profile is not None:
        for schedule in Schedule.objects.active().filter(trainer=profile):
            schedule_deactivate(schedule=schedule, actor=actor)
    return (
        Booking.objects.filter(trainee=user).exists()
        or (profile is not None and Booking.objects.filter(trainer=profile).exists())
        or BookingEvent.objects.filter(actor=user).exists()
    )


def schedule_deactivate(
    *,
    schedule: Schedule,
    cancel_bookings: bool = False,
    actor=None,
    now: datetime | None = None,
) -> Schedule:
    """Stop offering a schedule; it stays for history (bookings point at it). Its upcoming
    bookings refuse it (BookingsAffected) unless ``cancel_bookings`` (trainer
    cancellations, full refund)."""
    now = now or timezone.now()
    with transaction.atomic():
        _lock_schedule(schedule.pk)
        _settle_affected(
            list(queries.bookings_active_upcoming(now=now, schedule_id=schedule.pk)),
            cancel_bookings=cancel_bookings,
            actor=actor,
            zone=schedule.zone,
            reason=_("The trainer stopped offering this session."),
            now=now,
        )
        if schedule.is_active:
            schedule.is_active = False
            schedule.save(update_fields=["is_active", "updated_at"])
            availability_invalidate_on_commit(schedule.trainer_id)
            trainers_sync_upcoming_offerings(trainer_ids=[schedule.trainer_id])
    return schedule


def schedule_delete(*, schedule: Schedule) -> None:
    """Remove a schedule for good (staff, in the admin); trainers deactivate one instead,
    which keeps it. The trainer's lock orders it with the trainer's other schedule writes.
    A schedule that bookings refer to stays (their history needs it): stop it instead."""
    with transaction.atomic():
        _lock_trainer(schedule.trainer_id)
        if Booking.objects.filter(schedule_id=schedule.pk).exists():
            raise ScheduleHasBookings.on_field("schedule")
        schedule.delete()
        availability_invalidate_on_commit(schedule.trainer_id)
        trainers_sync_upcoming_offerings(trainer_ids=[schedule.trainer_id])


def trainers_sync_upcoming_offerings(
    *, trainer_ids: Iterable[int], now: datetime | None = None
) -> None:
    """Tell marketplace which offerings of these trainers have sessions to come: the
    headline price on the map and the trainer's page is the lowest of those
    (marketplace.services.offering_copies). Called by every schedule write, inside its
    transaction, by the demo data and by the daily ``refresh_upcoming_offerings`` task."""
    now = now or timezone.now()
    ids = sorted(set(trainer_ids))
    for start in range(0, len(ids), SYNC_CHUNK):
        chunk = ids[start : start + SYNC_CHUNK]
        marketplace_services.trainers_set_upcoming_offerings(
            upcoming=queries.upcoming_offering_ids(chunk, now=now)
        )


SYNC_CHUNK = 2000


def upcoming_offerings_refresh_all(*, now: datetime | None = None) -> int:
    """Every trainer with an active schedule or an offering still marked as having sessions
    to come: sessions run out as time passes (a rule's UNTIL or COUNT, the last one gone),
    with no write to notice it. Returns how many trainers were checked."""
    with_schedules = Schedule.objects.active().values_list("trainer_id", flat=True)
    marked = Offering.objects.filter(has_upcoming_sessions=True).values_list(
        "trainer_id", flat=True
    )
    ids = set(with_schedules.distinct()) | set(marked.distinct())
    trainers_sync_upcoming_offerings(trainer_ids=ids, now=now)
    return len(ids)


def calendar_feed_get_or_create(*, trainer: TrainerProfile) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(trainer=trainer)
    return feed


def calendar_feed_regenerate(*, trainer: TrainerProfile) -> CalendarFeed:
    """A new secret address: the old one stops working at once."""
    feed, created = CalendarFeed.objects.get_or_create(trainer=trainer)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
