from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, ReadOnlyPasswordHashField
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from storage.models import Folder, Status, UserFile
from traino.admin import ServiceAdmin, take_saved_row
from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import services, verification
from .forms import AdminPasswordChangeForm
from .models import ApiToken, Category, CertificateRejection, Offering, TrainerProfile, User
from .money import format_money
from .personnummer import normalize_personnummer
from .queries import user_get_by_email


class UserChangeForm(forms.ModelForm):
    """Edits the decrypted values; the model encrypts them on assignment."""

    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), required=False)
    personnummer = forms.CharField(label=_("Personal identity number"), required=False)
    # Shown, never edited here: a typed value would be stored as the hash and lock the user out.
    password = ReadOnlyPasswordHashField(
        label=_("Password"),
        help_text=_('Passwords are not stored in clear. <a href="../password/">Set a new one</a>.'),
    )

    class Meta:
        model = User
        fields = ("name", "role", "is_active", "is_staff", "is_superuser", "groups")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in User.ENCRYPTED_FIELDS:
            self.initial[field] = getattr(self.instance, field)

    def clean_email(self):
        email = self.cleaned_data["email"]
        other = user_get_by_email(email)
        if other is not None and other.pk != self.instance.pk:
            raise ValidationError(_("An account with this email already exists."))
        return email

    def clean_personnummer(self):
        value = self.cleaned_data["personnummer"]
        return normalize_personnummer(value) if value else ""

    def save(self, commit=True):
        for field in User.ENCRYPTED_FIELDS:
            setattr(self.instance, field, self.cleaned_data[field])
        return super().save(commit)


class UserCreationForm(AdminUserCreationForm):
    email = forms.EmailField(label=_("Email"))

    class Meta:
        model = User
        fields = ("name", "role")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if user_get_by_email(email) is not None:
            raise ValidationError(_("An account with this email already exists."))
        return email

    def save(self, commit=True):
        self.instance.email = self.cleaned_data["email"]
        return super().save(commit)


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    fields = ("prefix", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "expires_at", "last_used_at")
    can_delete = True


@admin.register(User)
class UserAdmin(ServiceAdmin, DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    # Saves through services.user_password_set: a new password revokes the user's API tokens.
    change_password_form = AdminPasswordChangeForm
    list_display = ("email_display", "name", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("name", "trainer_profile__display_name")
    search_help_text = _(
        "A name, or part of one (the account's or the trainer page's), or an email address "
        "written in full: emails are encrypted, so only an exact one is found."
    )
    ordering = ("-date_joined",)
    readonly_fields = ("uid", "last_login", "date_joined")
    inlines = [ApiTokenInline]
    fieldsets = (
        (None, {"fields": ("uid", "email", "name", "role", "password")}),
        (_("Personal data (encrypted at rest)"), {"fields": ("phone", "personnummer")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("email"))
    def email_display(self, obj: User) -> str:
        return obj.email

    actions = ["close_accounts"]

    @admin.action(description=_("Close the selected accounts (anonymised if they have bookings)"))
    def close_accounts(self, request, queryset):
        """Deletion through the service: refused while sessions are booked, anonymised when
        bookings refer to the account (the plain delete stops at those protected rows)."""
        for user in queryset:
            try:
                result = services.user_delete(user=user, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                label = _("deleted") if result == "deleted" else _("anonymised")
                self.message_user(request, f"{user}: {label}", messages.SUCCESS)

    def delete_model(self, request, obj):
        services.user_delete(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.user_delete(user=user, actor=request.user)

    def save_model(self, request, obj, form, change):
        """A new account goes through user_create (normalized email, the race on a taken one);
        a change writes the user's own row."""
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        user = services.user_create(
            email=data["email"],
            password=data["password1"] if data.get("set_usable_password") else None,
            role=data["role"],
            name=data["name"],
        )
        take_saved_row(obj, user)

    def get_search_results(self, request, queryset, search_term):
        """Names match by substring; an email matches exactly, through its blind index."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            user = user_get_by_email(search_term)
            matches = self.model.objects.filter(pk=user.pk) if user else queryset.none()
            queryset = matches.order_by(*self.ordering)
        return queryset, may_have_duplicates


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by their owner (POST /api/auth/token), who alone sees the raw value
    once; staff see them and revoke them, but cannot make or edit one here."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, _("The selected tokens are revoked."))


# --- catalogue ------------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_sv", "slug", "trainer_count")
    search_fields = ("name_en", "name_sv", "slug")
    prepopulated_fields = {"slug": ("name_en",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(trainer_count=Count("trainers"))

    @admin.display(description=_("trainers"), ordering="trainer_count")
    def trainer_count(self, obj: Category) -> int:
        return obj.trainer_count


class OfferingInline(admin.TabularInline):
    """Read-only: offerings are changed on their own page, which writes through the offering
    services (and so lets bookings refuse a change)."""

    model = Offering
    extra = 0
    fields = ("title", "duration_minutes", "price_amount", "currency", "capacity", "is_active")
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class TrainerProfileAdminForm(forms.ModelForm):
    """Checks what the profile services check (languages, and a location and an active
    offering for a published profile), so a refusal is shown on the form."""

    class Meta:
        model = TrainerProfile
        fields = ("user", *sorted(services.PROFILE_FIELDS), "categories", "is_published")

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.trainer_profile_validate(profile=self.instance)
        except DomainError as exc:
            add_domain_error(self, exc)


class TrainerVerifiedFilter(admin.SimpleListFilter):
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


@admin.register(TrainerProfile)
class TrainerProfileAdmin(ServiceAdmin, admin.ModelAdmin):
    """Saves through the profile services: trainer_become for a new profile (the slug
    follows from the display name), trainer_profile_update, trainer_publish."""

    form = TrainerProfileAdminForm
    list_display = (
        "display_name",
        "city",
        "is_published",
        "verified_display",
        "price_display",
        "rating_count",
        "created_at",
    )
    list_filter = ("is_published", TrainerVerifiedFilter, "categories", "city")
    actions = ["mark_verified", "remove_verification"]
    search_fields = ("display_name", "slug", "city", "user__name")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    filter_horizontal = ("categories",)
    readonly_fields = (
        "slug",
        "min_price_amount",
        "min_price_currency",
        "rating_avg",
        "rating_count",
        "public_latitude",
        "public_longitude",
        "verified_at",
        "verified_by",
        "certificates",
        "created_at",
        "updated_at",
    )
    inlines = [OfferingInline]
    show_full_result_count = False  # no COUNT(*) over 100,000 profiles on every page
    fieldsets = (
        (None, {"fields": ("user", "display_name", "slug", "bio", "categories", "languages")}),
        (
            _("Location"),
            {
                "fields": (
                    "city",
                    "address",
                    "latitude",
                    "longitude",
                    "public_latitude",
                    "public_longitude",
                    "time_zone",
                )
            },
        ),
        (
            _("Verification"),
            {
                "fields": ("verified_at", "verified_by", "certificates"),
                "description": _(
                    "Check the certificates (each opens on its own page, where it is verified "
                    "or not; reject one with a reason under Certificate rejections), then use "
                    "the action “Mark the selected trainers verified” on the list."
                ),
            },
        ),
        (
            _("Discovery"),
            {
                "fields": (
                    "is_published",
                    "min_price_amount",
                    "min_price_currency",
                    "rating_avg",
                    "rating_count",
                )
            },
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        """A profile stays with its user."""
        return (*self.readonly_fields, "user") if obj is not None else self.readonly_fields

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def verified_display(self, obj: TrainerProfile) -> bool:
        return obj.verified_at is not None

    @admin.display(description=_("certificates"))
    def certificates(self, obj: TrainerProfile):
        files = UserFile.objects.filter(user_id=obj.user_id, folder=Folder.CERTIFICATE).order_by(
            "-created_at"
        )
        rows = [
            format_html(
                '<li><a href="{}">{}</a> ({})</li>',
                reverse("admin:storage_userfile_change", args=[file.pk]),
                file.original_name or file.key,
                _("verified") if file.verified_at else _("not verified"),
            )
            for file in files
        ]
        if not rows:
            return _("No certificates uploaded.")
        return format_html("<ul>{}</ul>", format_html_join("", "{}", ((row,) for row in rows)))

    @admin.action(description=_("Mark the selected trainers verified"))
    def mark_verified(self, request, queryset):
        for profile in queryset.order_by("pk"):
            verification.trainer_verify(profile=profile, by=request.user)
        self.message_user(request, _("The trainers are marked verified."), messages.SUCCESS)

    @admin.action(description=_("Remove the verification of the selected trainers"))
    def remove_verification(self, request, queryset):
        for profile in queryset.order_by("pk"):
            verification.trainer_unverify(profile=profile, by=request.user)
        self.message_user(request, _("The verification is removed."), messages.SUCCESS)

    @admin.display(description=_("lowest price"), ordering="min_price_amount")
    def price_display(self, obj: TrainerProfile) -> str:
        if obj.min_price_amount is None:
            return "-"
        return format_money(obj.min_price_amount, obj.min_price_currency, get_language() or "en")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            profile = TrainerProfile.objects.get(pk=obj.pk)
        else:
            profile = services.trainer_become(user=obj.user, display_name=obj.display_name)
        if not obj.is_published:  # first, so the same save may also remove the location
            services.trainer_publish(profile=profile, published=False)
        fields = {name: data[name] for name in services.PROFILE_FIELDS if name in data}
        services.trainer_profile_update(profile=profile, categories=data["categories"], **fields)
        if obj.is_published:
            services.trainer_publish(profile=profile, published=True)
        take_saved_row(obj, profile)

    def save_related(self, request, form, formsets, change):
        """Categories were saved by trainer_profile_update (no ``form.save_m2m()``); the
        read-only offering inline has nothing to save."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class OfferingAdminForm(forms.ModelForm):
    """Validates through ``services.offering_validate`` (the model's checks and the receivers
    of ``offering_will_change``), so a refusal is shown on the form."""

    class Meta:
        model = Offering
        fields = ("trainer", *services.OFFERING_FIELDS)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.offering_validate(offering=self.instance)
        except DomainError as exc:
            add_domain_error(self, exc)


@admin.register(Offering)
class OfferingAdmin(ServiceAdmin, admin.ModelAdmin):
    """Saves and deletes through the offering services, which send the offering signals and
    refresh the trainer's lowest price."""

    form = OfferingAdminForm
    list_display = (
        "title",
        "trainer",
        "price_display",
        "duration_minutes",
        "capacity",
        "is_active",
    )
    list_filter = ("is_active", "currency", "trainer__categories")
    search_fields = ("title", "trainer__display_name")
    list_select_related = ("trainer",)
    raw_id_fields = ("trainer",)
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        """An offering stays with its trainer (its schedules are the trainer's)."""
        return (*self.readonly_fields, "trainer") if obj is not None else self.readonly_fields

    @admin.display(description=_("price"), ordering="price_amount")
    def price_display(self, obj: Offering) -> str:
        return format_money(obj.price_amount, obj.currency, get_language() or "en")

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in services.OFFERING_FIELDS}
        if change:
            services.offering_update(offering=obj, **fields)
        else:
            take_saved_row(obj, services.offering_create(profile=obj.trainer, **fields))

    def delete_model(self, request, obj):
        services.offering_delete(offering=obj)

    def delete_queryset(self, request, queryset):
        """One by one, so every deletion is announced and may be refused."""
        for offering in queryset.select_related("trainer").order_by("pk"):
            services.offering_delete(offering=offering)


class CertificateRejectionForm(forms.ModelForm):
    class Meta:
        model = CertificateRejection
        fields = ("file", "reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].queryset = UserFile.objects.filter(folder=Folder.CERTIFICATE)

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.status != Status.READY:
            raise ValidationError(_("Only an uploaded (ready) certificate can be rejected."))
        return file


@admin.register(CertificateRejection)
class CertificateRejectionAdmin(ServiceAdmin, admin.ModelAdmin):
    """A certificate refused with the reason its trainer reads on their profile page; saved
    through ``verification.certificate_reject`` (the certificate loses its verification).
    Deleting a rejection withdraws it."""

    form = CertificateRejectionForm
    list_display = ("file", "file_owner", "reason", "rejected_by", "rejected_at")
    list_select_related = ("file__user", "rejected_by")
    raw_id_fields = ("file",)
    readonly_fields = ("rejected_by", "rejected_at")

    @admin.display(description=_("trainer"))
    def file_owner(self, obj: CertificateRejection):
        return obj.file.user

    def save_model(self, request, obj, form, change):
        saved = verification.certificate_reject(
            file=form.cleaned_data["file"], by=request.user, reason=form.cleaned_data["reason"]
        )
        take_saved_row(obj, saved)
