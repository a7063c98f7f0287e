"""Staff's view of money taken: transactions (filters, totals of what is listed, the
booking's trail, a refund form), refunds (send again) and booking payments. Read-only: the
refund form and the actions call services."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bookings.models import BookingEvent
from marketplace.money import format_money, minor_digits
from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import services
from .admin import ReadOnlyAdmin
from .models import BookingPayment, Refund, RefundStatus, Transaction


def _money(amount, currency) -> str:
    return format_money(int(amount or 0), currency or "SEK", "en")


class MonthFilter(admin.SimpleListFilter):
    title = _("month charged")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = Transaction.objects.dates("charged_at", "month", order="DESC")[:24]
        return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in months]

    def queryset(self, request, queryset):
        value = self.value() or ""
        year, _dash, month = value.partition("-")
        if year.isdigit() and month.isdigit():
            return queryset.in_month(int(year), int(month))
        return queryset


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = (
        "created_at",
        "amount_display",
        "source",
        "status",
        "stripe_refund_id",
        "idempotency_key",
        "requested_by",
        "last_error",
    )
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount_display(self, obj):
        return _money(obj.amount, obj.currency)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = (
        "payment_intent_id",
        "booking",
        "trainer",
        "gross",
        "trainer_share",
        "fee",
        "refunded",
        "disputed",
        "payout_status",
        "charged_at",
    )
    list_filter = (
        "payout_status",
        MonthFilter,
        "disputed",
        ("trainer", admin.RelatedOnlyFieldListFilter),
        "is_demo",
    )
    search_fields = ("payment_intent_id", "charge_id", "trainer__display_name", "booking__id")
    date_hierarchy = "charged_at"
    list_select_related = ("trainer", "booking")
    inlines = [RefundInline]
    fields = (
        "booking",
        "trainer",
        "payment_intent_id",
        "charge_id",
        "idempotency_key",
        "gross",
        "fee_percent",
        "trainer_share",
        "fee",
        "refunded",
        "left_to_refund",
        "trainer_payable",
        "disputed",
        "dispute_id",
        "dispute_status",
        "payout_status",
        "stripe_transfer_id",
        "payout_date",
        "livemode",
        "is_demo",
        "charged_at",
        "created_at",
        "booking_trail",
    )
    readonly_fields = fields

    @admin.display(description=_("gross"), ordering="gross_amount")
    def gross(self, obj):
        return _money(obj.gross_amount, obj.currency)

    @admin.display(description=_("trainer's share"), ordering="trainer_amount")
    def trainer_share(self, obj):
        return _money(obj.trainer_amount, obj.currency)

    @admin.display(description=_("platform fee"), ordering="platform_fee")
    def fee(self, obj):
        return _money(obj.platform_fee, obj.currency)

    @admin.display(description=_("refunded"), ordering="refunded_amount")
    def refunded(self, obj):
        return _money(obj.refunded_amount, obj.currency)

    @admin.display(description=_("left to refund"))
    def left_to_refund(self, obj):
        return _money(services.refundable_amount(obj), obj.currency)

    @admin.display(description=_("trainer's share of what was kept"))
    def trainer_payable(self, obj):
        return _money(obj.trainer_payable_amount, obj.currency)

    @admin.display(description=_("booking's event trail"))
    def booking_trail(self, obj):
        events = BookingEvent.objects.filter(booking_id=obj.booking_id).order_by("created_at", "id")
        return format_html(
            '<ul class="booking-trail">{}</ul>',
            format_html_join(
                "",
                "<li>{} · {} → {} · {}</li>",
                (
                    (
                        f"{event.created_at:%Y-%m-%d %H:%M:%S}Z",
                        event.from_status or "-",
                        event.to_status,
                        event.note,
                    )
                    for event in events
                ),
            ),
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            totals = (
                changelist.queryset.order_by()
                .values("currency")
                .annotate(
                    count=Count("id"),
                    gross=Sum("gross_amount"),
                    trainer=Sum("trainer_amount"),
                    fee=Sum("platform_fee"),
                    refunded=Sum("refunded_amount"),
                )
                .order_by("currency")
            )
            response.context_data["totals"] = [
                {
                    "currency": row["currency"],
                    "count": row["count"],
                    "gross": _money(row["gross"], row["currency"]),
                    "trainer": _money(row["trainer"], row["currency"]),
                    "fee": _money(row["fee"], row["currency"]),
                    "refunded": _money(row["refunded"], row["currency"]),
                }
                for row in totals
            ]
        return response

    def get_urls(self):
        refund = self.admin_site.admin_view(self.refund_view)
        return [
            path("<path:object_id>/refund/", refund, name="payments_transaction_refund"),
            *super().get_urls(),
        ]

    def has_refund_permission(self, request):
        return request.user.has_perm("payments.add_refund")

    def refund_view(self, request, object_id):
        txn = get_object_or_404(Transaction, pk=object_id)
        if not self.has_refund_permission(request):
            return redirect(reverse("admin:payments_transaction_change", args=[txn.pk]))
        left = services.refundable_amount(txn)
        form = StaffRefundForm(request.POST or None, currency=txn.currency, left=left)
        if request.method == "POST" and form.is_valid():
            try:
                services.refund_staff(
                    transaction_id=txn.pk,
                    amount=form.cleaned_data["amount"],
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                self.message_user(
                    request, gettext("The refund is sent to Stripe."), messages.SUCCESS
                )
                return redirect(reverse("admin:payments_transaction_change", args=[txn.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": txn,
            "title": gettext("Refund %(intent)s") % {"intent": txn.payment_intent_id},
            "form": form,
            "left": _money(left, txn.currency),
        }
        return TemplateResponse(request, "admin/payments/transaction/refund.html", context)


class StaffRefundForm(forms.Form):
    """An amount in whole units with the currency's decimals (450.50), stored in minor units."""

    amount = forms.DecimalField(label=_("Amount"), min_value=Decimal("0.01"), decimal_places=3)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, currency: str, left: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.left = left
        self.fields["amount"].help_text = gettext("At most %(left)s.") % {
            "left": _money(left, currency)
        }

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        digits = minor_digits(self.currency)
        try:
            minor = value.scaleb(digits)
        except InvalidOperation:
            minor = Decimal("NaN")
        if minor != minor.to_integral_value():
            raise forms.ValidationError(gettext("Too many decimals for this currency."))
        return int(minor)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = (
        "idempotency_key",
        "transaction",
        "amount_display",
        "source",
        "status",
        "stripe_refund_id",
        "created_at",
    )
    list_filter = ("status", "source")
    search_fields = ("idempotency_key", "stripe_refund_id", "transaction__payment_intent_id")
    list_select_related = ("transaction",)
    actions = ["send_again"]
    readonly_fields = (
        "transaction",
        "idempotency_key",
        "stripe_refund_id",
        "amount_display",
        "source",
        "status",
        "note",
        "last_error",
        "requested_by",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return _money(obj.amount, obj.currency)

    def has_send_permission(self, request):
        return request.user.has_perm("payments.add_refund")

    @admin.action(description=_("Send to Stripe again"), permissions=["send"])
    def send_again(self, request, queryset):
        from .services.refunds import enqueue_refund

        waiting = list(
            queryset.filter(status=RefundStatus.REQUESTED, stripe_refund_id=None).values_list(
                "pk", flat=True
            )
        )
        for pk in waiting:
            enqueue_refund(pk)
        self.message_user(
            request,
            ngettext("%(count)d refund queued.", "%(count)d refunds queued.", len(waiting))
            % {"count": len(waiting)},
            messages.SUCCESS,
        )


@admin.register(BookingPayment)
class BookingPaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "booking",
        "payment_intent_id",
        "intent_status",
        "amount_display",
        "is_demo",
        "created_at",
    )
    list_filter = ("intent_status", "is_demo")
    search_fields = ("payment_intent_id", "idempotency_key", "booking__id")
    readonly_fields = (
        "booking",
        "idempotency_key",
        "payment_intent_id",
        "amount_display",
        "intent_status",
        "is_demo",
        "livemode",
        "first_attempt_at",
        "created_at",
        "updated_at",
    )
    fields = readonly_fields

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return _money(obj.amount, obj.currency)
