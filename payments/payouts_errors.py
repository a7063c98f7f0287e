"""Payouts' refusals (DomainError subclasses): codes for programs, messages for people."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import DomainError


class InvalidPayoutPeriod(DomainError):
    code = "INVALID_PAYOUT_PERIOD"
    message = _("A payout period is a month written YYYY-MM, e.g. 2026-11.")


class PayoutPeriodNotOver(DomainError):
    status = 409
    code = "PAYOUT_PERIOD_NOT_OVER"
    message = _("This month has not ended yet in Stockholm: it can be paid out once it has.")


class PayoutRunInProgress(DomainError):
    status = 409
    code = "PAYOUT_RUN_IN_PROGRESS"
    message = _("Another payout run is in progress. Try again when it has finished.")

    def __init__(self, run=None, **kwargs):
        self.run = run
        message = kwargs.pop("message", None)
        if message is None and run is not None:
            message = _(
                "Payout run #%(id)s for %(period)s (started %(started)s) is in progress."
            ) % {
                "id": run.pk,
                "period": run.period,
                "started": run.started_at.strftime("%Y-%m-%d %H:%M UTC"),
            }
        super().__init__(message, **kwargs)


class NotATrainer(DomainError):
    status = 403
    code = "NOT_A_TRAINER"
    message = _("Only trainers have earnings.")


class PayoutNotFound(DomainError):
    status = 404
    code = "NOT_FOUND"
    message = _("Nothing was found at this address.")
