"""Staff's view of the payouts: runs (start one, retry failed payouts, each run's report with
per-trainer lines and a CSV, the period's reconciliation), payouts, reversals and debts, and
money held too long. Rows change only through services; the admins are read-only."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from marketplace.money import format_money
from payments.admin import ReadOnlyAdmin
from payments.payouts_errors import PayoutRunInProgress
from payments.payouts_models import HeldTransaction, Payout, PayoutReversal, PayoutRun
from payments.payouts_periods import period_to_pay, require_period_over
from payments.payouts_queries import held_transactions, reconciliation, run_report
from payments.services.payouts import run_monthly_payouts, running_run
from traino.exceptions import DomainError
from traino.forms import add_domain_error


class StartRunForm(forms.Form):
    period = forms.CharField(label=_("Period (YYYY-MM)"), max_length=7)
    retry_failed = forms.BooleanField(label=_("Also retry failed payouts"), required=False)
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would happen, write and send nothing"), required=False
    )


def money(amount: int, currency: str) -> str:
    return format_money(amount, currency)


def start_payout_run_later(*, period: str, user_id: int, retry_failed: bool) -> None:
    from payments.payouts_tasks import start_payout_run

    transaction.on_commit(
        lambda: start_payout_run.delay(period=period, user_id=user_id, retry_failed=retry_failed)
    )


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "period", "status", "trigger", "started_by", "started_at", "summary")
    list_filter = ("status", "trigger", "period")
    actions = ["retry_failed"]
    change_list_template = "admin/payments/payoutrun/change_list.html"

    @admin.display(description=_("outcome"))
    def summary(self, obj):
        return ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in obj.counts.items() if n)

    def get_urls(self):
        own = [
            path(
                "start/",
                self.admin_site.admin_view(self.start_view),
                name="payments_payoutrun_start",
            ),
            path(
                "<int:run_id>/report.csv",
                self.admin_site.admin_view(self.report_csv),
                name="payments_payoutrun_csv",
            ),
        ]
        return own + super().get_urls()

    def has_start_permission(self, request) -> bool:
        return request.user.has_perm("payments.add_payoutrun")

    @admin.action(
        description=_("Retry failed payouts of these runs' periods"), permissions=["start"]
    )
    def retry_failed(self, request, queryset):
        for period in sorted(set(queryset.values_list("period", flat=True))):
            try:
                self._start(request, period=period, retry_failed=True)
            except DomainError as refusal:
                self.message_user(request, f"{period}: {refusal.message}", messages.ERROR)

    def _start(self, request, *, period: str, retry_failed: bool) -> None:
        require_period_over(period)
        running = running_run()
        if running is not None:
            raise PayoutRunInProgress(run=running)
        start_payout_run_later(period=period, user_id=request.user.pk, retry_failed=retry_failed)
        self.message_user(
            request,
            _("The payout run for %(period)s has started.") % {"period": period},
            messages.SUCCESS,
        )

    def start_view(self, request):
        if not self.has_start_permission(request):
            raise PermissionDenied
        form = StartRunForm(request.POST or None, initial={"period": period_to_pay()})
        plan = None
        if request.method == "POST" and form.is_valid():
            period = form.cleaned_data["period"]
            try:
                if form.cleaned_data["dry_run"]:
                    plan = run_monthly_payouts(
                        period=period,
                        dry_run=True,
                        retry_failed=form.cleaned_data["retry_failed"],
                    )
                else:
                    self._start(
                        request, period=period, retry_failed=form.cleaned_data["retry_failed"]
                    )
                    return redirect("admin:payments_payoutrun_changelist")
            except DomainError as refusal:
                add_domain_error(form, refusal)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Start a payout run"),
            "opts": self.model._meta,
            "form": form,
            "plan": plan,
        }
        return TemplateResponse(request, "admin/payments/payoutrun/start.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = get_object_or_404(PayoutRun, pk=object_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Payout run #%(id)s: %(period)s") % {"id": run.pk, "period": run.period},
            "opts": self.model._meta,
            "original": run,
            "run": run,
            "payouts": run_report(run),
            "reconciliation": reconciliation(run.period),
            "csv_url": reverse("admin:payments_payoutrun_csv", args=[run.pk]),
            "can_start": self.has_start_permission(request),
        }
        return TemplateResponse(request, "admin/payments/payoutrun/report.html", context)

    def report_csv(self, request, run_id: int):
        run = get_object_or_404(PayoutRun, pk=run_id)
        if not self.has_view_permission(request, run):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payout-run-{run.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "payout_id",
                "trainer_id",
                "trainer",
                "period",
                "currency",
                "status",
                "transactions",
                "earnings",
                "debt_deducted",
                "amount",
                "amount_reversed",
                "stripe_transfer_id",
                "idempotency_key",
                "error",
            ]
        )
        for payout in run_report(run):
            writer.writerow(
                [
                    payout.pk,
                    payout.trainer_id,
                    payout.trainer.display_name,
                    payout.period,
                    payout.currency,
                    payout.status,
                    payout.transaction_count,
                    payout.earnings,
                    payout.debt_deducted,
                    payout.amount,
                    payout.amount_reversed,
                    payout.stripe_transfer_id or "",
                    payout.idempotency_key or "",
                    payout.error or payout.skip_reason,
                ]
            )
        return response


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "trainer",
        "period",
        "status",
        "shown_amount",
        "debt_deducted",
        "transaction_count",
        "stripe_transfer_id",
        "attempts",
        "error",
    )
    list_filter = ("status", "period", "currency", "skip_reason")
    search_fields = ("trainer__display_name", "stripe_transfer_id", "idempotency_key")
    list_select_related = ("trainer",)
    readonly_fields = [f.name for f in Payout._meta.fields]

    @admin.display(description=_("amount"))
    def shown_amount(self, obj):
        return money(obj.amount, obj.currency)


@admin.register(PayoutReversal)
class PayoutReversalAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "trainer",
        "payout",
        "reason",
        "status",
        "shown_amount",
        "settled_by",
        "error",
    )
    list_filter = ("status", "reason", "currency")
    list_select_related = ("trainer", "payout", "settled_by")
    readonly_fields = [f.name for f in PayoutReversal._meta.fields]

    @admin.display(description=_("amount"))
    def shown_amount(self, obj):
        return money(obj.amount, obj.currency)


@admin.register(HeldTransaction)
class HeldTransactionAdmin(ReadOnlyAdmin):
    """Payable money older than PAYOUT_HOLD_WARN_DAYS: Stripe limits how long we may hold it."""

    list_display = ("payment_intent_id", "trainer", "charged_at", "shown_gross", "blocker")
    list_select_related = ("trainer", "trainer__connected_account", "booking")
    search_fields = ("payment_intent_id", "trainer__display_name")
    readonly_fields = ("payment_intent_id", "trainer", "charged_at", "gross_amount", "payout")
    fields = readonly_fields

    def get_queryset(self, request):
        return held_transactions(model=HeldTransaction).select_related(*self.list_select_related)

    @admin.display(description=_("gross"))
    def shown_gross(self, obj):
        return money(obj.gross_amount, obj.currency)

    @admin.display(description=_("what blocks the payout"))
    def blocker(self, obj):
        account = getattr(obj.trainer, "connected_account", None)
        if account is None or not account.stripe_account_id:
            return _("No Stripe account")
        if not account.payouts_enabled:
            return _("Stripe needs details from the trainer")
        if obj.disputed:
            return _("Disputed")
        if obj.payout_id:
            return _("Its payout is waiting for funds or failed")
        return _("Paid by the next run")
