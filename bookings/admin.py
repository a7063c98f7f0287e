from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from marketplace.money import format_money
from traino.admin import ServiceAdmin, refusal_text, take_saved_row
from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import booking_services, queries, services
from .models import (
    Booking,
    BookingEvent,
    BookingStatus,
    CalendarFeed,
    CancelledBy,
    NoShowReview,
    Schedule,
)


class ScheduleAdminForm(forms.ModelForm):
    """Validates like the API and the trainer's form (services.schedule_validate: rule, dates,
    EXDATEs, overlap), with the refusal shown on the field it names."""

    class Meta:
        model = Schedule
        fields = ("trainer", *services.EDITABLE_FIELDS)

    def is_deactivation(self) -> bool:
        """Only is_active goes from on to off (changed_data alone also lists an unchanged
        JSON field)."""
        schedule = self.instance
        if schedule._state.adding or schedule.is_active:
            return False
        stored = Schedule.objects.filter(pk=schedule.pk).first()
        return stored is not None and all(
            getattr(stored, name) == getattr(schedule, name)
            for name in self.changed_data
            if name != "is_active"
        )

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        schedule = self.instance
        if self.is_deactivation():
            # Allowed whatever else is now wrong (an inactive offering, say), but not with
            # upcoming bookings: staff cancel those first.
            upcoming = list(queries.bookings_active_upcoming(schedule_id=schedule.pk))
            if upcoming:
                add_domain_error(
                    self, services.bookings_affected_error(upcoming, zone=schedule.zone)
                )
            return
        starts_on_changed = schedule._state.adding or "starts_on" in self.changed_data
        try:
            services.schedule_validate(schedule=schedule, starts_on_changed=starts_on_changed)
        except DomainError as exc:
            add_domain_error(self, exc)


@admin.register(Schedule)
class ScheduleAdmin(ServiceAdmin, admin.ModelAdmin):
    """Saves and deletions go through the schedule services: same checks, cache bumped."""

    form = ScheduleAdminForm
    list_display = ("id", "trainer", "offering", "starts_on", "start_time", "rrule", "is_active")
    list_filter = ("is_active", "time_zone")
    search_fields = ("trainer__display_name", "offering__title")
    raw_id_fields = ("trainer", "offering")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        """A schedule stays with its trainer (services cannot move it)."""
        return (*self.readonly_fields, "trainer") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if form.is_deactivation():
            saved = services.schedule_deactivate(schedule=Schedule.objects.get(pk=obj.pk))
        elif change:
            stored = Schedule.objects.select_related("offering").get(pk=obj.pk)
            fields = {
                name: getattr(obj, name)
                for name in form.changed_data
                if name in services.EDITABLE_FIELDS
            }
            saved = services.schedule_update(schedule=stored, **fields).schedule
        else:
            saved = services.schedule_create(
                trainer=obj.trainer,
                offering=obj.offering,
                starts_on=obj.starts_on,
                start_time=obj.start_time,
                rrule=obj.rrule,
                time_zone=obj.time_zone,
                duration_minutes=obj.duration_minutes,
            ).schedule
            extra = {"exdates": obj.exdates, "is_active": obj.is_active}
            if obj.exdates or not obj.is_active:
                saved = services.schedule_update(schedule=saved, **extra).schedule
        take_saved_row(obj, saved)

    def delete_model(self, request, obj):
        services.schedule_delete(schedule=obj)

    def delete_queryset(self, request, queryset):
        for schedule in queryset.order_by("pk"):
            services.schedule_delete(schedule=schedule)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ServiceAdmin, admin.ModelAdmin):
    """A feed is made by the service (its token is secret and generated); it then only
    belongs to its trainer, so nothing is left to change."""

    list_display = ("trainer", "created_at")
    raw_id_fields = ("trainer",)
    readonly_fields = ("token", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "trainer") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            take_saved_row(obj, services.calendar_feed_get_or_create(trainer=obj.trainer))


# --- bookings ------------------------------------------------------------------------------------


class BookingEventInline(admin.TabularInline):
    """The booking's audit trail, oldest first: read only, as every change goes through a
    service that writes it."""

    model = BookingEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    ordering = ("created_at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoShowReportFilter(admin.SimpleListFilter):
    title = _("no-show report")
    parameter_name = "no_show_report"

    def lookups(self, request, model_admin):
        return [("pending", _("Waiting for a decision"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(
                status=BookingStatus.NO_SHOW_TRAINER, no_show_review=NoShowReview.PENDING
            )
        return queryset


@admin.register(Booking)
class BookingAdmin(ServiceAdmin, admin.ModelAdmin):
    """Bookings are read here and changed only by the actions below, which call the booking
    services (transition rules, the trail, refunds announced to payments). Nothing is added
    or deleted from the admin."""

    list_display = (
        "id",
        "start",
        "trainer",
        "trainee_first_name",
        "offering",
        "status",
        "price",
        "no_show_review",
    )
    list_filter = (
        "status",
        NoShowReportFilter,
        ("trainer", admin.RelatedOnlyFieldListFilter),
        ("start", admin.DateFieldListFilter),
    )
    search_fields = ("trainer__display_name", "offering__title", "=id")
    date_hierarchy = "start"
    ordering = ("-start", "-id")
    list_select_related = ("trainer", "offering", "trainee")
    inlines = [BookingEventInline]
    actions = ["cancel_with_full_refund", "uphold_no_show_report", "dismiss_no_show_report"]
    fields = (
        "trainee",
        "trainer",
        "offering",
        "schedule",
        "slot",
        "start",
        "end",
        "price_amount",
        "currency",
        "status",
        "hold_expires_at",
        "payment_intent_id",
        "cancelled_by",
        "cancel_reason",
        "cancelled_at",
        "refund_amount",
        "refund_percent",
        "refund_reason",
        "no_show_review",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("trainer", "offering", "trainee")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def view_on_site(self, obj):
        return reverse("booking-detail", args=[obj.pk])

    @admin.display(description=_("trainee"))
    def trainee_first_name(self, obj):
        return (obj.trainee.name or "").split(" ")[0]

    @admin.display(description=_("price"), ordering="price_amount")
    def price(self, obj):
        return format_money(obj.price_amount, obj.currency, get_language() or "en")

    def _each(self, request, queryset, act, done_message) -> None:
        """Runs ``act`` on each booking by id order; a refusal is reported for that booking
        and the others still go through (each service call is its own transaction)."""
        done = 0
        for booking in queryset.order_by("pk"):
            try:
                act(booking)
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("Booking %(id)s: %(reason)s")
                    % {"id": booking.pk, "reason": refusal_text(exc)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Cancel with a full refund"), permissions=["change"])
    def cancel_with_full_refund(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda booking: booking_services.booking_cancel(
                booking_id=booking.pk,
                by=CancelledBy.STAFF,
                actor=request.user,
                reason=gettext("Cancelled by Traino's staff."),
            ),
            gettext("%(count)s booking(s) cancelled with a full refund."),
        )

    @admin.action(
        description=_("No-show report: confirm (full refund to the trainee)"),
        permissions=["change"],
    )
    def uphold_no_show_report(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda booking: booking_services.booking_review_no_show(
                booking_id=booking.pk, actor=request.user, uphold=True
            ),
            gettext("%(count)s no-show report(s) confirmed: the trainees are refunded."),
        )

    @admin.action(
        description=_("No-show report: dismiss (the session counts as held)"),
        permissions=["change"],
    )
    def dismiss_no_show_report(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda booking: booking_services.booking_review_no_show(
                booking_id=booking.pk, actor=request.user, uphold=False
            ),
            gettext("%(count)s no-show report(s) dismissed."),
        )
