"""Admin of reviews: staff read reports, hide a review (it leaves the page and the average)
or restore it, through the review services. Reviews are otherwise read-only: their text is
the trainee's and the reply the trainer's."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from traino.admin import ServiceAdmin

from . import review_services
from .models import Review, ReviewReport


class ReportInline(admin.TabularInline):
    model = ReviewReport
    extra = 0
    can_delete = False
    fields = ("reporter", "reason", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReportedFilter(admin.SimpleListFilter):
    title = _("reported")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("Reported")), ("no", _("Not reported"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        if self.value() == "no":
            return queryset.filter(report_count=0)
        return queryset


@admin.register(Review)
class ReviewAdmin(ServiceAdmin, admin.ModelAdmin):
    list_display = (
        "id",
        "trainer",
        "rating",
        "short_text",
        "report_count",
        "is_hidden",
        "created_at",
    )
    list_filter = ("is_hidden", ReportedFilter, "rating")
    search_fields = ("text", "trainer__display_name")
    list_select_related = ("trainer",)
    ordering = ("-created_at", "-id")
    actions = ["hide_reviews", "restore_reviews"]
    inlines = [ReportInline]
    readonly_fields = (
        "booking",
        "trainer",
        "trainee",
        "rating",
        "text",
        "created_at",
        "reply",
        "replied_at",
        "is_hidden",
        "hidden_by",
        "hidden_at",
    )
    fields = readonly_fields
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(report_count=Count("reports"))

    @admin.display(description=_("reports"), ordering="report_count")
    def report_count(self, obj: Review) -> int:
        return obj.report_count

    @admin.display(description=_("text"))
    def short_text(self, obj: Review) -> str:
        return obj.text[:80] + ("…" if len(obj.text) > 80 else "")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # hide and restore are the actions

    def has_delete_permission(self, request, obj=None):
        return False  # hide instead: the average is kept by the services

    @admin.action(description=_("Hide the selected reviews"), permissions=["moderate"])
    def hide_reviews(self, request, queryset):
        for review in queryset.order_by("pk"):
            review_services.review_hide(review_id=review.pk, by=request.user)
        self.message_user(request, _("The reviews are hidden."), messages.SUCCESS)

    @admin.action(description=_("Restore the selected reviews"), permissions=["moderate"])
    def restore_reviews(self, request, queryset):
        for review in queryset.order_by("pk"):
            review_services.review_restore(review_id=review.pk, by=request.user)
        self.message_user(request, _("The reviews are shown again."), messages.SUCCESS)

    def has_moderate_permission(self, request):
        return request.user.is_active and request.user.is_staff
