"""What every ModelAdmin of the project shares: a service's refusal is a message, not a 500."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

from .exceptions import DomainError


def take_saved_row(obj, saved) -> None:
    """After a service wrote the row (a new instance of its own), the admin's ``obj``, which
    it logs and redirects with, becomes that row."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()


def refusal_text(exc: DomainError) -> str:
    """The refusal's message, then its field messages that say something more."""
    texts = [str(exc.message)]
    for field_messages in exc.field_messages().values():
        texts.extend(text for text in field_messages if text not in texts)
    return " ".join(texts)


class ServiceAdmin:
    """Mix into a ModelAdmin whose deletions and actions call services.

    A DomainError raised while deleting (one object or a selection) or running an action
    rolls back everything the request wrote, the admin's log entries included, and shows the
    refusal as an error message: on the object's page after a deletion, on the list after an
    action. Change forms show refusals on the form instead: they validate through the service
    (``traino.forms.add_domain_error``).
    """

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            opts = self.model._meta
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(url)

    def response_action(self, request, queryset):
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except DomainError as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
