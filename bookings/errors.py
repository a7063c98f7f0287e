"""Refusals of the bookings app; the API handler renders them, HTML views show them on forms."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import DomainError


class InvalidRRule(DomainError):
    code = "INVALID_RRULE"
    message = _("The repeat rule is not valid.")


class ScheduleOverlap(DomainError):
    """Carries the clash (the other schedule's occurrence) for forms that want to show it."""

    code = "SCHEDULE_OVERLAP"
    message = _("This schedule overlaps another of your schedules.")

    def __init__(self, message=None, *, clash=None, **kwargs):
        self.clash = clash
        super().__init__(message, **kwargs)


class WindowTooLarge(DomainError):
    code = "WINDOW_TOO_LARGE"
    message = _("The time window is too large.")


class InvalidWindow(DomainError):
    code = "INVALID_WINDOW"
    message = _("Send the window as from=YYYY-MM-DD&to=YYYY-MM-DD, with from not after to.")


class NotAnOccurrence(DomainError):
    code = "NOT_AN_OCCURRENCE"
    message = _("The schedule has no occurrence at this time.")


class InvalidSchedule(DomainError):
    code = "INVALID_SCHEDULE"
    message = _("Some fields are not valid.")


class OfferingInUse(DomainError):
    code = "OFFERING_IN_USE"
    message = _("Schedules use this offering.")
