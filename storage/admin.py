from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from traino.admin import ServiceAdmin

from . import services
from .models import Folder, UserFile


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Not verified"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(UserFile)
class UserFileAdmin(ServiceAdmin, admin.ModelAdmin):
    """Read-only; deletions go through ``upload_delete`` (objects first, then the row)."""

    list_display = [
        "id",
        "user",
        "folder",
        "kind",
        "status",
        "size",
        "width",
        "height",
        "verified_at",
        "created_at",
    ]
    list_filter = ["folder", "kind", "status", VerifiedFilter, "created_at"]
    search_fields = ["key", "original_name"]
    list_select_related = ["user", "verified_by"]
    date_hierarchy = "created_at"
    actions = ["mark_verified"]
    readonly_fields = [
        "user",
        "folder",
        "kind",
        "status",
        "original_name",
        "source_content_type",
        "staging_key",
        "key",
        "thumbnail_key",
        "content_type",
        "size",
        "width",
        "height",
        "failure_reason",
        "verified_at",
        "verified_by",
        "created_at",
        "updated_at",
        "link",
    ]

    def has_add_permission(self, request):
        return False  # files arrive through the upload API, which validates them

    def has_change_permission(self, request, obj=None):
        return False  # read-only; verification is the action below

    def delete_model(self, request, obj):
        services.upload_delete(file=obj)

    def delete_queryset(self, request, queryset):
        for file in queryset:
            services.upload_delete(file=file)

    @admin.display(description=_("file"))
    def link(self, obj: UserFile):
        url = services.file_url(file=obj)
        if not url:
            return "-"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open"))

    @admin.action(description=_("Mark selected certificates verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        changed = services.certificates_mark_verified(
            files=queryset.filter(folder=Folder.CERTIFICATE), by=request.user
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d certificate marked verified.",
                "%(count)d certificates marked verified.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )

    def has_verify_permission(self, request):
        return request.user.is_active and request.user.is_staff
