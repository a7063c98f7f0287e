from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .personnummer import normalize_personnummer
from .queries import user_get_by_email


class UserChangeForm(forms.ModelForm):
    """Edits the decrypted values; the model encrypts them on assignment."""

    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), required=False)
    personnummer = forms.CharField(label=_("Personal identity number"), required=False)

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
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email_display", "name", "role", "is_active", "date_joined")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("name",)
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

    def get_search_results(self, request, queryset, search_term):
        """Names match by substring; an email matches exactly, through its blind index."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if "@" in search_term:
            user = user_get_by_email(search_term)
            queryset = self.model.objects.filter(pk=user.pk) if user else queryset.none()
        return queryset, may_have_duplicates


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
