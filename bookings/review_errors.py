"""Refusals of the review services; the API handler and the forms map them."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import Conflict, NotAllowed


class NotReviewer(NotAllowed):
    """Only the booking's trainee reviews it (403 NOT_ALLOWED)."""

    message = _("Only the trainee who booked this session can review it.")


class NotReviewedTrainer(NotAllowed):
    message = _("Only the trainer who was reviewed can reply.")


class AlreadyReviewed(Conflict):
    code = "ALREADY_REVIEWED"
    message = _("You have already reviewed this session.")


class NotCompleted(Conflict):
    code = "SESSION_NOT_COMPLETED"
    message = _("A session can be reviewed once it has taken place.")


class ReviewWindowClosed(Conflict):
    code = "REVIEW_WINDOW_CLOSED"
    message = _("Sessions can be reviewed for %(days)d days after they end; this one is older.")


class AlreadyReplied(Conflict):
    code = "ALREADY_REPLIED"
    message = _("You have already replied to this review.")


class AlreadyReported(Conflict):
    code = "ALREADY_REPORTED"
    message = _("You have already reported this review.")
