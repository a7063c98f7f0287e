from django.contrib import admin

from .cache import availability_invalidate_on_commit
from .models import CalendarFeed, Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    """Staff edits skip the overlap check (services do it) but still refresh availability."""

    list_display = ("id", "trainer", "offering", "starts_on", "start_time", "rrule", "is_active")
    list_filter = ("is_active", "time_zone")
    search_fields = ("trainer__display_name", "offering__title")
    raw_id_fields = ("trainer", "offering")
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        availability_invalidate_on_commit(obj.trainer_id)

    def delete_model(self, request, obj):
        trainer_id = obj.trainer_id
        super().delete_model(request, obj)
        availability_invalidate_on_commit(trainer_id)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("trainer", "created_at")
    raw_id_fields = ("trainer",)
    readonly_fields = ("token", "created_at")
