"""Staff's view of payments: webhook events (with "process again") and connected accounts
here; transactions, refunds and booking payments in admin_money.py.

Rows change only through services: every admin is read-only, its actions (and the
transaction's refund form) call services.
"""

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .gateway import GatewayError
from .models import ConnectedAccount, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Transactions, refunds and booking payments: admin_money.py (imports ReadOnlyAdmin above).
from . import admin_money  # noqa: E402, F401


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = (
        "stripe_event_id",
        "type",
        "status",
        "attempts",
        "account",
        "livemode",
        "received_at",
        "processed_at",
    )
    list_filter = ("status", "source", "livemode", "type")
    search_fields = ("stripe_event_id", "type", "account")
    date_hierarchy = "received_at"
    actions = ["process_again"]
    fields = (
        "stripe_event_id",
        "type",
        "status",
        "note",
        "attempts",
        "last_error",
        "last_attempt_at",
        "processed_at",
        "received_at",
        "source",
        "livemode",
        "account",
        "stripe_created_at",
        "pretty_payload",
    )
    readonly_fields = fields

    @admin.display(description=_("payload"))
    def pretty_payload(self, obj):
        return format_html(
            '<pre class="webhook-payload">{}</pre>',
            json.dumps(obj.payload, indent=2, sort_keys=True, ensure_ascii=False),
        )

    def has_process_permission(self, request):
        return request.user.has_perm("payments.change_webhookevent")

    @admin.action(description=_("Process again"), permissions=["process"])
    def process_again(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        for pk in pks:
            services.webhook_event_reprocess(event_pk=pk)
        self.message_user(
            request,
            ngettext(
                "%(count)d event queued for processing.",
                "%(count)d events queued for processing.",
                len(pks),
            )
            % {"count": len(pks)},
            messages.SUCCESS,
        )


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "trainer",
        "stripe_account_id",
        "account_state",
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "is_demo",
        "updated_at",
    )
    list_filter = ("charges_enabled", "payouts_enabled", "details_submitted", "is_demo")
    search_fields = ("stripe_account_id", "trainer__display_name", "trainer__slug")
    list_select_related = ("trainer",)
    actions = ["refresh_from_stripe"]
    readonly_fields = (
        "trainer",
        "stripe_account_id",
        "idempotency_key",
        "is_demo",
        "livemode",
        "country",
        "charges_enabled",
        "payouts_enabled",
        "details_submitted",
        "requirements",
        "create_attempted_at",
        "stripe_state_at",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("state"))
    def account_state(self, obj):
        from .models import AccountState

        return AccountState(obj.state).label

    def has_refresh_permission(self, request):
        return request.user.has_perm("payments.change_connectedaccount")

    @admin.action(description=_("Refresh from Stripe"), permissions=["refresh"])
    def refresh_from_stripe(self, request, queryset):
        refreshed = 0
        for account in queryset:
            try:
                services.connected_account_refresh(account_pk=account.pk)
                refreshed += 1
            except GatewayError as exc:
                self.message_user(request, f"{account}: {exc}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(count)d account refreshed.", "%(count)d accounts refreshed.", refreshed)
            % {"count": refreshed},
            messages.SUCCESS,
        )


# Monthly payouts: runs, payouts, reversals and money held too long (payouts_admin.py).
from . import payouts_admin  # noqa: E402, F401
