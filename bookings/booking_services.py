"""Writes of bookings: book a slot, change a status, cancel with a refund, attendance, holds.

Double booking is refused twice over. In the code: ``book_slot`` locks the occurrence's Slot
row, frees the slot's dead holds, checks its seats and both parties' time, then inserts the
booking and counts the seat in one transaction. In the database: the slot's counter has a
check constraint (0 <= seats_taken <= capacity), and on PostgreSQL two exclusion
constraints (migration 0004) refuse a trainer's time sold to two different slots and a
trainee holding two overlapping active bookings. A violation that slips past the code (a
race) is mapped by constraint name to the same 409 as the check, never a 500. On SQLite
every write transaction holds the database's write lock from its start
(``transaction_mode: IMMEDIATE``), so the checks cannot race.

Lock order, whatever the service: the schedule and the offering (advisory locks, shared by
bookings, exclusive for changes to them: bookings/locks.py), then the slot, then bookings by
id. Status changes go
through ``booking_transition`` only; it checks TRANSITIONS, keeps the slot's counter equal
to its active bookings, writes the BookingEvent, bumps the trainer's availability after
commit, and is a no-op when the booking already has the wanted status (a retried webhook,
a double-clicked button).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from marketplace.models import Offering, TrainerProfile, User
from traino import rows

from . import locks, policy, queries, signals
from .cache import availability_invalidate_on_commit
from .errors import (
    CannotBookSelf,
    InvalidTransition,
    NoShowNotAllowed,
    NotAnOccurrence,
    SlotFull,
    SlotUnavailable,
    TooLateToCancel,
    TraineeConflict,
)
from .models import (
    ACTIVE_STATUSES,
    SLOT_SEATS_CONSTRAINT,
    SLOT_UNIQUE_CONSTRAINT,
    TRAINEE_OVERLAP_CONSTRAINT,
    TRAINER_OVERLAP_CONSTRAINT,
    Booking,
    BookingEvent,
    BookingStatus,
    CancelledBy,
    NoShowReview,
    RefundReason,
    Schedule,
    Slot,
)

S = BookingStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.CONFIRMED, S.CANCELLED, S.EXPIRED}),
    S.CONFIRMED: frozenset({S.CANCELLED, S.COMPLETED, S.NO_SHOW_TRAINEE, S.NO_SHOW_TRAINER}),
    # The completion task runs right after the end; no-shows are reported later.
    S.COMPLETED: frozenset({S.NO_SHOW_TRAINEE, S.NO_SHOW_TRAINER}),
    # Staff dismiss a trainee's report: the session counts as held.
    S.NO_SHOW_TRAINER: frozenset({S.COMPLETED}),
    S.NO_SHOW_TRAINEE: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}
NO_SHOW_WINDOW = timedelta(hours=48)
BATCH_SIZE = 500


# --- the one way a status changes ------------------------------------------------------------


def booking_transition(
    *, booking: Booking, to: str, actor: User | None = None, note: str = "", **changes
) -> bool:
    """Move ``booking`` (locked by the caller, see _locked) to status ``to``, saving
    ``changes`` with it. Returns False, changing nothing, when it already has that status;
    raises InvalidTransition when TRANSITIONS does not allow the step."""
    before = booking.status
    if before == to:
        return False
    if to not in TRANSITIONS[before]:
        raise InvalidTransition(
            _("A booking that is %(before)s cannot become %(after)s.")
            % {"before": BookingStatus(before).label, "after": BookingStatus(to).label}
        )
    booking.status = to
    for name, value in changes.items():
        setattr(booking, name, value)
    booking.save(update_fields=["status", "updated_at", *changes])
    if before in ACTIVE_STATUSES and to not in ACTIVE_STATUSES:
        Slot.objects.filter(pk=booking.slot_id).update(seats_taken=F("seats_taken") - 1)
    BookingEvent.objects.create(
        booking=booking, from_status=before, to_status=to, actor=actor, note=note
    )
    availability_invalidate_on_commit(booking.trainer_id)
    return True


def _record(booking: Booking, *, actor: User | None, note: str) -> None:
    """A decision that keeps the status (a no-show report upheld) still goes in the trail."""
    BookingEvent.objects.create(
        booking=booking,
        from_status=booking.status,
        to_status=booking.status,
        actor=actor,
        note=note,
    )


def _announce(signal, booking: Booking, actor: User | None, **extra) -> None:
    transaction.on_commit(
        lambda: signal.send(sender=Booking, booking=booking, actor=actor, **extra)
    )


def _locked(booking_id: int) -> Booking:
    """The booking, locked after its slot (the lock order). Call inside a transaction."""
    slot_id = Booking.objects.filter(pk=booking_id).values_list("slot_id", flat=True).first()
    if slot_id is None:
        raise Booking.DoesNotExist(booking_id)
    Slot.objects.select_for_update().filter(pk=slot_id).first()
    return Booking.objects.select_for_update().get(pk=booking_id)


# --- booking a slot ----------------------------------------------------------------------------


def book_slot(
    *, trainee: User, schedule_id: int, start: datetime, now: datetime | None = None
) -> Booking:
    """Hold a seat of the occurrence of ``schedule_id`` starting at ``start`` (aware) for
    ``trainee``: a pending_payment booking until now + BOOKING_HOLD_MINUTES, at the
    offering's current price.

    Refusals: NotAnOccurrence (400: no such schedule or occurrence, or cancelled),
    CannotBookSelf (403), SlotUnavailable (409: started, too soon, beyond the horizon, the
    trainer's time taken by another session), SlotFull (409), TraineeConflict (409).
    """
    now = now or timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _book_locked(trainee, schedule_id, start, now)
        except _DeadHoldsInTheWay as in_the_way:
            # Expired outside the booking's transaction, one at a time: each takes its own
            # slot's lock, which this transaction must not hold alongside ours.
            for booking_id in in_the_way.booking_ids:
                booking_expire(booking_id=booking_id, now=now)
        except _Retry:
            continue
        except IntegrityError as exc:
            name = constraint_name(exc)
            if name in _REFUSALS:
                raise _refusal_for(name) from exc
            raise
    raise SlotUnavailable()


class _Retry(Exception):
    """Start the booking's transaction again (what it locked changed meanwhile)."""


class _DeadHoldsInTheWay(_Retry):
    """Unpaid holds past their time overlap the new booking: they still count for the
    exclusion constraints until they are expired."""

    def __init__(self, booking_ids: list[int]):
        self.booking_ids = booking_ids
        super().__init__(booking_ids)


def _bookable_occurrence(schedule: Schedule, start: datetime, *, now: datetime):
    """queries.occurrence_status's decision (the slot page's), as a refusal."""
    status = queries.occurrence_status(schedule, start, now=now)
    if status.occurrence is None:
        raise NotAnOccurrence.on_field("start", _("The schedule has no session at this time."))
    if status.problem is not None:
        raise SlotUnavailable(status.message, fields={"start": [status.message]})
    return status.occurrence


def _book_locked(trainee: User, schedule_id: int, start: datetime, now: datetime) -> Booking:
    # Read under the shared locks: a change to the schedule or offering committed before is
    # seen, and none can commit until this booking has (bookings/locks.py).
    offering_id = locks.share_for_booking(schedule_id)
    schedule = _schedule_with_offering_and_trainer(schedule_id)
    if schedule is not None and offering_id not in (None, schedule.offering_id):
        raise _Retry()  # the schedule moved to another offering meanwhile: lock that one
    if schedule is None or not schedule.trainer.is_published:
        raise NotAnOccurrence.on_field(
            "schedule_id", _("There is no bookable schedule with this id.")
        )
    if schedule.trainer.user_id == trainee.pk:
        raise CannotBookSelf()
    offering = schedule.offering
    occurrence = _bookable_occurrence(schedule, start, now=now)
    slot_id = _take_seat(schedule, occurrence)  # locks the slot; None: no seat free
    around = _active_bookings_around(
        trainee.pk, schedule.trainer_id, occurrence.start, occurrence.end
    )
    trainee_busy = trainer_busy = False
    dead_elsewhere = []
    dead_here = []
    for booking in around:
        here = booking.schedule_id == schedule.pk and booking.start == occurrence.start
        live = booking.status == BookingStatus.CONFIRMED or booking.hold_expires_at > now
        if not live:
            (dead_here if here else dead_elsewhere).append(booking.pk)
        elif booking.trainee_id == trainee.pk:
            trainee_busy = True
        elif not here:
            trainer_busy = True
    if trainee_busy:
        raise TraineeConflict()  # before SLOT_FULL: "you have it already" says more
    if trainer_busy:
        raise SlotUnavailable(_("The trainer is not free at this time."))
    if dead_elsewhere:
        raise _DeadHoldsInTheWay(dead_elsewhere)
    if dead_here:
        _expire_dead_holds(dead_here)
    if slot_id is None:
        slot_id = _take_freed_seat(schedule, occurrence)
    booking = rows.insert(
        Booking(
            trainee=trainee,
            trainer=schedule.trainer,
            offering=offering,
            schedule=schedule,
            slot_id=slot_id,
            start=occurrence.start,
            end=occurrence.end,
            price_amount=offering.price_amount,
            currency=offering.currency,
            status=BookingStatus.PENDING_PAYMENT,
            hold_expires_at=(now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES)).replace(
                microsecond=0
            ),
            language=site_language(),
        )
    )
    rows.insert(
        BookingEvent(
            booking=booking, to_status=BookingStatus.PENDING_PAYMENT, actor=trainee, created_at=now
        )
    )
    availability_invalidate_on_commit(schedule.trainer_id)
    _announce(signals.booking_created, booking, trainee)
    return booking


def site_language() -> str:
    """The active language as one of settings.LANGUAGES (the page's or the API request's):
    the trainee's emails about the booking are written in it."""
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    codes = {code for code, _name in settings.LANGUAGES}
    return active if active in codes else settings.LANGUAGE_CODE


# Booking a slot is the API's busiest write, so its two reads are SQL written out rather
# than compiled by the ORM on every request (traino.rows): model instances all the same.
_SCHEDULE_WITH_OFFERING_AND_TRAINER = rows.Select(
    rows.Part(Schedule, "s", rows.all_fields(Schedule)),
    rows.Part(
        Offering,
        "o",
        ("id", "title", "duration_minutes", "price_amount", "currency", "capacity", "is_active"),
    ),
    rows.Part(TrainerProfile, "p", ("id", "user", "display_name", "is_published")),
    rest=f"FROM {Schedule._meta.db_table} s"
    f" JOIN {Offering._meta.db_table} o ON o.id = s.offering_id"
    f" JOIN {TrainerProfile._meta.db_table} p ON p.id = s.trainer_id"
    " WHERE s.id = %s",
)
_ACTIVE_BOOKINGS_AROUND = rows.Select(
    rows.Part(
        Booking,
        "b",
        ("id", "trainee", "slot", "schedule", "start", "status", "hold_expires_at"),
    ),
    rest=f"FROM {Booking._meta.db_table} b"
    f" WHERE b.status IN (%s, %s) AND b.start < %s AND b.{connection.ops.quote_name('end')} > %s"
    " AND (b.trainee_id = %s OR b.trainer_id = %s)",
)


def _schedule_with_offering_and_trainer(schedule_id: int) -> Schedule | None:
    """The schedule, its ``offering`` and ``trainer`` loaded (the columns booking reads;
    the others deferred), in one statement."""
    found = _SCHEDULE_WITH_OFFERING_AND_TRAINER.first([schedule_id])
    if found is None:
        return None
    schedule, schedule.offering, schedule.trainer = found
    return schedule


def _active_bookings_around(
    trainee_id: int, trainer_id: int, start: datetime, end: datetime
) -> list[Booking]:
    """Active bookings of the trainee or the trainer overlapping [start, end), with the
    columns the conflict checks read: one query for both checks (read under the slot's
    lock)."""
    adapt = connection.ops.adapt_datetimefield_value
    return [
        booking
        for (booking,) in _ACTIVE_BOOKINGS_AROUND.rows(
            [*ACTIVE_STATUSES, adapt(end), adapt(start), trainee_id, trainer_id]
        )
    ]


# One statement creates the occurrence's slot on its first booking, or locks it and counts
# the seat while one is free (the WHERE: the row is then locked even when it is not
# updated, and nothing is returned). A concurrent first booking of the same slot waits on
# the unique index for the other transaction, then takes the update branch.
_TAKE_SEAT_SQL = """
INSERT INTO bookings_slot (schedule_id, trainer_id, start, "end", capacity, seats_taken)
VALUES (%s, %s, %s, %s, %s, 1)
ON CONFLICT (schedule_id, start) DO UPDATE
SET seats_taken = bookings_slot.seats_taken + 1, capacity = excluded.capacity
WHERE bookings_slot.seats_taken < excluded.capacity
RETURNING id
"""


def _take_seat(schedule: Schedule, occurrence) -> int | None:
    """Count a seat of the occurrence's slot (created if need be): the slot's id, or None
    when none was free at the offering's capacity (the slot is locked either way)."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            _TAKE_SEAT_SQL,
            [
                schedule.pk,
                schedule.trainer_id,
                ops.adapt_datetimefield_value(occurrence.start),
                ops.adapt_datetimefield_value(occurrence.end),
                schedule.offering.capacity,
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _take_freed_seat(schedule: Schedule, occurrence) -> int:
    """The slot was full at the first try: take a seat freed since (dead holds just
    expired), or refuse with SLOT_FULL."""
    slot = Slot.objects.select_for_update().get(schedule=schedule, start=occurrence.start)
    capacity = schedule.offering.capacity
    if slot.seats_taken >= capacity:
        raise SlotFull()
    Slot.objects.filter(pk=slot.pk).update(
        seats_taken=F("seats_taken") + 1, capacity=Greatest(capacity, F("seats_taken") + 1)
    )
    return slot.pk


def _expire_dead_holds(booking_ids: list[int]) -> None:
    """Dead holds of the slot this transaction has locked: expire them, by id order."""
    for booking in Booking.objects.select_for_update().filter(pk__in=booking_ids).order_by("pk"):
        if booking.status == BookingStatus.PENDING_PAYMENT:
            _expire(booking)


def constraint_name(exc: IntegrityError) -> str | None:
    """The violated constraint's name: psycopg reports it; SQLite names it in the message."""
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return diag.constraint_name
    text = str(exc)
    for name in (*_REFUSALS, SLOT_UNIQUE_CONSTRAINT):
        if name in text:
            return name
    if "UNIQUE constraint failed: bookings_slot.schedule_id, bookings_slot.start" in text:
        return SLOT_UNIQUE_CONSTRAINT
    return None


_REFUSALS = {
    TRAINER_OVERLAP_CONSTRAINT: SlotUnavailable,
    TRAINEE_OVERLAP_CONSTRAINT: TraineeConflict,
    SLOT_SEATS_CONSTRAINT: SlotFull,
}


def _refusal_for(name: str):
    if name == TRAINER_OVERLAP_CONSTRAINT:
        return SlotUnavailable(_("The trainer is not free at this time."))
    return _REFUSALS[name]()


# --- payment and holds ---------------------------------------------------------------------


def booking_set_payment_intent(*, booking_id: int, payment_intent_id: str) -> Booking:
    """Remember the PaymentIntent created for a pending booking (unique across bookings).
    Setting the same id again changes nothing."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.payment_intent_id != payment_intent_id:
            if booking.status != BookingStatus.PENDING_PAYMENT:
                raise InvalidTransition(_("Only a booking awaiting payment can be paid."))
            booking.payment_intent_id = payment_intent_id
            booking.save(update_fields=["payment_intent_id", "updated_at"])
    return booking


def booking_confirm_payment(
    *,
    booking_id: int,
    payment_intent_id: str | None = None,
    actor: User | None = None,
    note: str = "",
) -> Booking:
    """Payment arrived: pending_payment -> confirmed. Idempotent: a booking already
    confirmed is returned as it is (the webhook and the return page both call this).

    A hold past its time but not yet expired still holds its seat (the counter counts it
    until it is expired), so it is confirmed. An expired or cancelled booking raises
    InvalidTransition: its seat may be sold again, and the caller refunds the payment.
    """
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.status == BookingStatus.CONFIRMED:
            return booking
        changes = {}
        if payment_intent_id and not booking.payment_intent_id:
            changes["payment_intent_id"] = payment_intent_id
        booking_transition(
            booking=booking,
            to=BookingStatus.CONFIRMED,
            actor=actor,
            note=note or _("Payment received."),
            **changes,
        )
        _announce(signals.booking_confirmed, booking, actor)
    return booking


def booking_release_hold(*, booking_id: int, note: str = "") -> bool:
    """The payment failed or was cancelled: the unpaid hold ends now (pending_payment ->
    expired), its seat free again. False, changing nothing, for any other status."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.status != BookingStatus.PENDING_PAYMENT:
            return False
        booking_transition(
            booking=booking, to=BookingStatus.EXPIRED, note=note or _("The payment failed.")
        )
        _announce(signals.booking_expired, booking, None)
    return True


def booking_confirm_late_payment(
    *, booking_id: int, payment_intent_id: str, note: str = "", now: datetime | None = None
) -> bool:
    """A payment that succeeded after the hold was expired: the booking is confirmed again if
    its seat and both parties' time are still free (True), else nothing changes (False) and
    the caller refunds the payment. Only an expired booking is revived this way; a confirmed
    one returns True as it is.

    Like ``book_slot`` it takes the slot's lock, checks the seat count and both parties'
    overlapping active bookings; on PostgreSQL the exclusion constraints back the check.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = _locked(booking_id)
            if booking.status == BookingStatus.CONFIRMED:
                return True
            if booking.status != BookingStatus.EXPIRED or booking.end <= now:
                return False
            slot = Slot.objects.get(pk=booking.slot_id)
            if slot.seats_taken >= slot.capacity:
                return False
            around = _active_bookings_around(
                booking.trainee_id, booking.trainer_id, booking.start, booking.end
            )
            for other in around:
                if other.pk == booking.pk:
                    continue
                live = other.status == BookingStatus.CONFIRMED or other.hold_expires_at > now
                if live and (other.trainee_id == booking.trainee_id or other.slot_id != slot.pk):
                    return False
            Slot.objects.filter(pk=slot.pk).update(seats_taken=F("seats_taken") + 1)
            before = booking.status
            booking.status = BookingStatus.CONFIRMED
            fields = ["status", "updated_at"]
            if not booking.payment_intent_id:
                booking.payment_intent_id = payment_intent_id
                fields.append("payment_intent_id")
            booking.save(update_fields=fields)
            BookingEvent.objects.create(
                booking=booking,
                from_status=before,
                to_status=BookingStatus.CONFIRMED,
                note=note or _("Paid after the hold ran out; the seat was still free."),
            )
            availability_invalidate_on_commit(booking.trainer_id)
            _announce(signals.booking_confirmed, booking, None)
    except IntegrityError as exc:
        if constraint_name(exc) in _REFUSALS:
            return False  # a concurrent booking took the time: the database refused it
        raise
    return True


def booking_expire(*, booking_id: int, now: datetime | None = None) -> bool:
    """Expire one unpaid hold whose time is up; False when it was paid, cancelled or is
    still within its hold (nothing changes)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.status != BookingStatus.PENDING_PAYMENT or booking.hold_expires_at > now:
            return False
        _expire(booking)
    return True


def _expire(booking: Booking) -> None:
    booking_transition(booking=booking, to=BookingStatus.EXPIRED, note=_("Not paid in time."))
    _announce(signals.booking_expired, booking, None)


def bookings_expire_holds(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """The beat task's work: expire up to ``limit`` holds past their time, oldest first,
    each in its own short transaction (the seat is free as soon as each commits)."""
    now = now or timezone.now()
    ids = list(
        Booking.objects.filter(status=BookingStatus.PENDING_PAYMENT, hold_expires_at__lte=now)
        .order_by("hold_expires_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(booking_expire(booking_id=pk, now=now) for pk in ids)


def bookings_complete_finished(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """The beat task's work: confirmed bookings whose session has ended become completed."""
    now = now or timezone.now()
    ids = list(
        Booking.objects.filter(status=BookingStatus.CONFIRMED, end__lte=now)
        .order_by("end", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            booking = _locked(pk)
            if booking.status == BookingStatus.CONFIRMED and booking.end <= now:
                booking_transition(booking=booking, to=BookingStatus.COMPLETED)
                _announce(signals.booking_completed, booking, None)
                done += 1
    return done


# --- cancelling ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundQuote:
    amount: int
    currency: str
    percent: int
    reason: str


def refund_quote(*, booking: Booking, by: str, now: datetime | None = None) -> RefundQuote:
    """What cancelling now would give back: shown before the trainee confirms, stored when
    they do. Nothing was paid for a pending booking; a trainer or staff cancelling refunds
    everything; a trainee gets CANCELLATION_POLICY's share by notice."""
    now = now or timezone.now()
    if booking.status == BookingStatus.PENDING_PAYMENT:
        percent, reason = 0, RefundReason.NOT_PAID
    elif by == CancelledBy.TRAINER:
        percent, reason = 100, RefundReason.TRAINER_CANCELLED
    elif by == CancelledBy.STAFF:
        percent, reason = 100, RefundReason.STAFF_CANCELLED
    else:
        percent = policy.refund_percent(settings.CANCELLATION_POLICY, start=booking.start, now=now)
        reason = RefundReason.POLICY
    amount = policy.percent_of(booking.price_amount, percent)
    return RefundQuote(amount=amount, currency=booking.currency, percent=percent, reason=reason)


def booking_cancel(
    *,
    booking_id: int,
    by: str,
    actor: User | None,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """Cancel an active booking; ``by`` is who cancels (CancelledBy). The refund decision is
    stored on the booking and announced (signals.booking_cancelled) once committed.

    A trainee may cancel until the session starts (TooLateToCancel after), a trainer until
    it ends, staff while it is active. Cancelling a cancelled booking again returns it as
    it is; any other status is InvalidTransition. The caller checks who may act for ``by``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.status == BookingStatus.CANCELLED:
            return booking
        if booking.status not in ACTIVE_STATUSES:
            raise InvalidTransition(
                _("A booking that is %(status)s cannot be cancelled.")
                % {"status": BookingStatus(booking.status).label}
            )
        if by == CancelledBy.TRAINEE and booking.start <= now:
            raise TooLateToCancel()
        if by == CancelledBy.TRAINER and booking.end <= now:
            raise TooLateToCancel(_("This session is over: it can no longer be cancelled."))
        quote = refund_quote(booking=booking, by=by, now=now)
        booking_transition(
            booking=booking,
            to=BookingStatus.CANCELLED,
            actor=actor,
            note=reason,
            cancelled_by=by,
            cancel_reason=reason,
            cancelled_at=now,
            refund_amount=quote.amount,
            refund_percent=quote.percent,
            refund_reason=quote.reason,
        )
        _announce(signals.booking_cancelled, booking, actor)
    return booking


def bookings_cancel_by_trainer(
    *, bookings: Iterable[Booking], actor: User | None, reason: str, now: datetime | None = None
) -> list[Booking]:
    """Cancel each as a trainer cancellation (100 % back): a change to the schedule, the
    offering or the account that the trainer (or staff) confirmed. In the caller's
    transaction, so the change and the cancellations commit together."""
    return [
        booking_cancel(
            booking_id=booking.pk, by=CancelledBy.TRAINER, actor=actor, reason=reason, now=now
        )
        for booking in sorted(bookings, key=lambda b: b.pk)
    ]


# --- attendance --------------------------------------------------------------------------------


def _check_no_show_window(booking: Booking, now: datetime) -> None:
    if now < booking.start:
        raise NoShowNotAllowed(_("A no-show can only be reported once the session has started."))
    if now > booking.end + NO_SHOW_WINDOW:
        raise NoShowNotAllowed(_("No-shows can be reported until 48 hours after the session ends."))


def booking_mark_no_show_trainee(
    *, booking_id: int, actor: User | None, note: str = "", now: datetime | None = None
) -> Booking:
    """The trainer says the trainee did not come: no refund. From the start of the session
    until 48 hours after it; marking it twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.status == BookingStatus.NO_SHOW_TRAINEE:
            return booking
        if BookingStatus.NO_SHOW_TRAINEE in TRANSITIONS[booking.status]:
            _check_no_show_window(booking, now)
        booking_transition(
            booking=booking,
            to=BookingStatus.NO_SHOW_TRAINEE,
            actor=actor,
            note=note or _("The trainee did not come."),
        )
        _announce(signals.booking_no_show, booking, actor, kind="trainee")
    return booking


def booking_report_no_show_trainer(
    *, booking_id: int, actor: User | None, note: str = "", now: datetime | None = None
) -> Booking:
    """The trainee says the trainer did not come: the booking waits for staff review
    (booking_review_no_show). Same window as the trainer's report; reporting twice changes
    nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking_id)
        if booking.status == BookingStatus.NO_SHOW_TRAINER:
            return booking
        if BookingStatus.NO_SHOW_TRAINER in TRANSITIONS[booking.status]:
            _check_no_show_window(booking, now)
        booking_transition(
            booking=booking,
            to=BookingStatus.NO_SHOW_TRAINER,
            actor=actor,
            note=note or _("The trainee reports that the trainer did not come."),
            no_show_review=NoShowReview.PENDING,
        )
        _announce(signals.booking_no_show, booking, actor, kind="trainer_reported")
    return booking


def booking_review_no_show(
    *, booking_id: int, actor: User | None, uphold: bool, note: str = ""
) -> Booking:
    """Staff decide a trainee's report. Upheld: full refund (stored and announced) and the
    booking counts against the trainer (queries.trainer_no_show_count). Dismissed: the
    session counts as held (completed). Deciding the same way twice changes nothing."""
    with transaction.atomic():
        booking = _locked(booking_id)
        if uphold and booking.no_show_review == NoShowReview.UPHELD:
            return booking
        if not uphold and booking.no_show_review == NoShowReview.DISMISSED:
            return booking
        if (
            booking.status != BookingStatus.NO_SHOW_TRAINER
            or booking.no_show_review != NoShowReview.PENDING
        ):
            raise InvalidTransition(_("There is no no-show report waiting for a decision."))
        if uphold:
            booking.no_show_review = NoShowReview.UPHELD
            booking.refund_amount = booking.price_amount
            booking.refund_percent = 100
            booking.refund_reason = RefundReason.TRAINER_NO_SHOW
            booking.save(
                update_fields=[
                    "no_show_review",
                    "refund_amount",
                    "refund_percent",
                    "refund_reason",
                    "updated_at",
                ]
            )
            _record(booking, actor=actor, note=note or _("Staff confirmed the trainer's no-show."))
            _announce(signals.booking_no_show, booking, actor, kind="trainer_upheld")
        else:
            booking_transition(
                booking=booking,
                to=BookingStatus.COMPLETED,
                actor=actor,
                note=note or _("Staff dismissed the no-show report."),
                no_show_review=NoShowReview.DISMISSED,
            )
            _announce(signals.booking_no_show, booking, actor, kind="trainer_dismissed")
    return booking
