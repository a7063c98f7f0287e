from django import forms
from django.contrib import admin

from traino.admin import ServiceAdmin, take_saved_row
from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import queries, services
from .models import CalendarFeed, Schedule


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


from . import review_admin  # noqa: E402,F401  (registers the reviews admin)
