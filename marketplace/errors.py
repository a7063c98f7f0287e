"""Refusals of the marketplace's services; the API handler and the forms map them."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import Conflict, DomainError, InvalidInput


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"
    message = _("An account with this email already exists.")


class LocationRequired(Conflict):
    """A published profile must keep its location: the map shows it there."""

    code = "LOCATION_REQUIRED"
    message = _("A published profile needs a location. Unpublish it first.")


class NotPublishable(Conflict):
    """Publishing needs a location and an active offering; ``fields`` says which is missing."""

    code = "NOT_PUBLISHABLE"
    message = _("The profile cannot be published yet.")


class VerificationRequired(NotPublishable):
    """REQUIRE_VERIFICATION_TO_PUBLISH is on and staff have not verified the trainer yet;
    ``fields`` names every requirement still missing, as NOT_PUBLISHABLE does."""

    code = "VERIFICATION_REQUIRED"
    message = _("Traino must verify you before your page is published.")


class NoVerifiedCertificate(Conflict):
    code = "NO_VERIFIED_CERTIFICATE"
    message = _("Verify at least one of the trainer's certificates first.")


class InvalidRejection(Conflict):
    code = "INVALID_REJECTION"
    message = _("Only an uploaded certificate can be rejected, with a reason.")


class EmailUnchanged(InvalidInput):
    code = "EMAIL_UNCHANGED"
    message = _("This is already your email address.")


class EmailChangeLinkInvalid(InvalidInput):
    """Tampered with, already used, or older than a later change of the address."""

    code = "EMAIL_CHANGE_LINK_INVALID"
    message = _(
        "This confirmation link is not valid (any more). Ask for a new one on your account page."
    )


class EmailChangeLinkExpired(InvalidInput):
    code = "EMAIL_CHANGE_LINK_EXPIRED"
    message = _("This confirmation link has expired. Ask for a new one on your account page.")


class WrongPassword(InvalidInput):
    code = "WRONG_PASSWORD"
    message = _("The password is wrong.")


class EmailChangeTooOften(DomainError):
    """Each request mails a stranger's address: a few an hour is plenty for a person."""

    status = 429
    code = "TOO_MANY_EMAIL_CHANGES"
    message = _("You asked for too many links. Try again in an hour.")
