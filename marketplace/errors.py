"""Refusals of the marketplace's services; the API handler and the forms map them."""

from django.utils.translation import gettext_lazy as _

from traino.exceptions import Conflict


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
