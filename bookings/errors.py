"""Refusals of the bookings app; the API handler renders them, HTML views show them on forms."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import DomainError

# A rule the schema cannot express (a valid RRULE, a real occurrence, dates that fit together)
# is 422: the request matched the schema. A clash with existing rows is 409.


class InvalidRRule(DomainError):
    status = 422
    code = "INVALID_RRULE"
    message = _("The repeat rule is not valid.")


class ScheduleOverlap(DomainError):
    """Carries the clash (the other schedule's occurrence) for forms that want to show it."""

    status = 409
    code = "SCHEDULE_OVERLAP"
    message = _("This schedule overlaps another of your schedules.")

    def __init__(self, message=None, *, clash=None, **kwargs):
        self.clash = clash
        super().__init__(message, **kwargs)


class WindowTooLarge(DomainError):
    status = 422
    code = "WINDOW_TOO_LARGE"
    message = _("The time window is too large.")


class InvalidWindow(DomainError):
    code = "INVALID_WINDOW"
    message = _("Send the window as from=YYYY-MM-DD&to=YYYY-MM-DD, with from not after to.")


class NotAnOccurrence(DomainError):
    status = 422
    code = "NOT_AN_OCCURRENCE"
    message = _("The schedule has no occurrence at this time.")


class InvalidSchedule(DomainError):
    status = 422
    code = "INVALID_SCHEDULE"
    message = _("Some fields are not valid.")


class OfferingInUse(DomainError):
    code = "OFFERING_IN_USE"
    message = _("Schedules use this offering.")


# --- bookings ------------------------------------------------------------------------------


class SlotUnavailable(DomainError):
    """Past, inside the minimum notice, beyond the horizon, or the trainer's time is sold."""

    status = 409
    code = "SLOT_UNAVAILABLE"
    message = _("This session cannot be booked.")


class SlotFull(DomainError):
    status = 409
    code = "SLOT_FULL"
    message = _("This session is full.")


class TraineeConflict(DomainError):
    status = 409
    code = "TRAINEE_CONFLICT"
    message = _("You already have a booking at this time.")


class CannotBookSelf(DomainError):
    status = 403
    code = "CANNOT_BOOK_SELF"
    message = _("You cannot book your own session.")


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    message = _("This Idempotency-Key was already used for a different request.")


class InvalidIdempotencyKey(DomainError):
    code = "INVALID_IDEMPOTENCY_KEY"
    message = _("An Idempotency-Key is 1 to 255 visible ASCII characters.")


class InvalidTransition(DomainError):
    status = 409
    code = "INVALID_TRANSITION"
    message = _("The booking cannot change to this status from its current one.")


class TooLateToCancel(DomainError):
    status = 409
    code = "TOO_LATE_TO_CANCEL"
    message = _("This session has already started: it can no longer be cancelled.")


class NoShowNotAllowed(DomainError):
    """Too early (before the start) or too late (after the reporting window)."""

    status = 409
    code = "NO_SHOW_NOT_ALLOWED"
    message = _("A no-show can be reported from the start of the session until 48 hours after it.")


class NotBookingParty(DomainError):
    """The caller sees the booking but this action is for another party (or staff)."""

    status = 403
    code = "PERMISSION_DENIED"
    message = _("You do not have permission to do this.")


class BookingsAffected(DomainError):
    """A change that would move, remove or cancel booked sessions, refused until the caller
    says to cancel them (cancel_bookings=True). ``bookings`` holds the affected rows; the
    ``bookings`` field lists them as "id: when" lines."""

    status = 409
    code = "BOOKINGS_AFFECTED"
    message = _("Booked sessions would be affected.")

    def __init__(self, message=None, *, bookings=(), **kwargs):
        self.bookings = list(bookings)
        super().__init__(message, **kwargs)


class ScheduleHasBookings(DomainError):
    """Bookings keep their schedule for their history: such a schedule is stopped, not deleted."""

    status = 409
    code = "SCHEDULE_HAS_BOOKINGS"
    message = _("Bookings refer to this schedule, so it cannot be deleted: stop it instead.")


class OccurrenceInPast(DomainError):
    """A session that has started can no longer be cancelled or restored from the calendar."""

    status = 409
    code = "OCCURRENCE_IN_PAST"
    message = _("This session has already started: it can no longer be changed.")
