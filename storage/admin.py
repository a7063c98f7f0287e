from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from traino.admin import ServiceAdmin

from . import services
from .models import Folder, Kind, Status, UserFile


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
    """Read-only; deletions go through ``upload_delete`` (objects first, then the row).

    A certificate's own page shows it (an image inline, a PDF as a download: a PDF is never
    rendered from our address) with a button to mark it verified or not verified; the list
    has the same two actions for a selection.
    """

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
    actions = ["mark_verified", "mark_unverified"]
    change_form_template = "admin/storage/userfile/change_form.html"
    readonly_fields = [
        "preview",
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
        return False  # read-only; verification is the actions and the buttons below

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

    @admin.display(description=_("preview"))
    def preview(self, obj: UserFile):
        """Signed links (short-lived) for private files, as everywhere else."""
        url = services.file_url(file=obj)
        if not url:
            return _("Not available: the file is not ready.")
        if obj.kind == Kind.IMAGE:
            return format_html(
                '<a href="{url}" target="_blank" rel="noopener"><img src="{url}" alt="{alt}" '
                'class="file-preview" data-testid="file-preview"></a>',
                url=url,
                alt=_("Preview of %(name)s") % {"name": obj.original_name},
            )
        return format_html(
            '<a href="{}" data-testid="file-preview">{}</a> <span class="help">{}</span>',
            url,
            _("Download the PDF to read it"),
            _("PDFs are downloaded, never shown inside the site: a crafted one could run script."),
        )

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/verification/",
                self.admin_site.admin_view(self.verification_view),
                name="storage_userfile_verification",
            ),
        ]
        return own + super().get_urls()

    def verification_view(self, request, object_id):
        """POST ``verified=1`` or ``0`` from the certificate's own page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_verify_permission(request):
            raise PermissionDenied
        file = get_object_or_404(UserFile, pk=object_id, folder=Folder.CERTIFICATE)
        if request.POST.get("verified") == "1":
            changed = services.certificates_mark_verified(files=[file], by=request.user)
            text = _("The certificate is marked verified.")
        else:
            changed = services.certificates_mark_unverified(files=[file])
            text = _("The certificate is marked not verified.")
        if changed:
            self.message_user(request, text, messages.SUCCESS)
        elif file.status != Status.READY:
            self.message_user(
                request, _("Only a ready certificate can be verified."), messages.ERROR
            )
        else:
            self.message_user(request, _("Nothing to change."), messages.INFO)
        return HttpResponseRedirect(reverse("admin:storage_userfile_change", args=[file.pk]))

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        context["verification"] = (
            obj is not None
            and obj.folder == Folder.CERTIFICATE
            and self.has_verify_permission(request)
        )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)

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

    @admin.action(description=_("Mark selected certificates not verified"), permissions=["verify"])
    def mark_unverified(self, request, queryset):
        changed = services.certificates_mark_unverified(
            files=queryset.filter(folder=Folder.CERTIFICATE)
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d certificate marked not verified.",
                "%(count)d certificates marked not verified.",
                changed,
            )
            % {"count": changed},
            messages.SUCCESS,
        )

    def has_verify_permission(self, request):
        return request.user.is_active and request.user.is_staff
