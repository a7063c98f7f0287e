from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from . import services
from .models import Role, User
from .personnummer import normalize_personnummer
from .queries import user_get_by_email


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("I want to"),
        choices=[
            (Role.TRAINEE, _("book sessions with trainers")),
            (Role.TRAINER, _("offer sessions as a trainer")),
        ],
        initial=Role.TRAINEE,
        widget=forms.RadioSelect,
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if user_get_by_email(email) is not None:
            raise ValidationError(_("An account with this email already exists."), code="unique")
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif p1:
            candidate = User(name=cleaned.get("name", ""))
            candidate.email = cleaned.get("email", "")
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is wrong."),
    }


class EmailPasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        """Django filters on the email column; ours is encrypted, so use the blind index."""
        user = user_get_by_email(email)
        if user is not None and user.is_active and user.has_usable_password():
            yield user


class PasswordSavedByService:
    """Mixin for Django's password forms: the new password is saved by
    ``services.user_password_set``, which also revokes the user's API tokens.

    Django's SetPasswordForm, PasswordChangeForm and AdminPasswordChangeForm all save through
    ``set_password_and_save``; the admin's form may also switch the password off.
    """

    def set_password_and_save(
        self,
        user,
        password_field_name="password1",  # noqa: S107 - the name of a form field
        commit=True,
        **kwargs,
    ):
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data[password_field_name] if usable else None
        return services.user_password_set(user=user, password=password)


class SetPasswordForm(PasswordSavedByService, auth_forms.SetPasswordForm):
    """The password-reset link's form."""


class AdminPasswordChangeForm(PasswordSavedByService, auth_forms.AdminPasswordChangeForm):
    """Staff set (or switch off) a user's password in the admin."""


class PasswordChangeForm(PasswordSavedByService, auth_forms.PasswordChangeForm):
    """The account page's form. The old password is checked by ``authenticate()``, as a log-in
    is: django-axes counts a wrong one towards the same lockout (this account from this IP),
    and while that lockout lasts even the right one is refused."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    @sensitive_variables("old_password")
    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.email, password=old_password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class TelInput(forms.TextInput):
    input_type = "tel"


class AccountForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.RegexField(
        label=_("Phone"),
        regex=r"^\+?[0-9 ()-]{6,20}$",
        required=False,
        widget=TelInput(attrs={"autocomplete": "tel"}),
        error_messages={"invalid": _("Enter a phone number such as +46 70 123 45 67.")},
    )
    personnummer = forms.CharField(
        label=_("Personal identity number"),
        required=False,
        help_text=_(
            "YYYYMMDD-NNNN. Only needed to pay you out as a trainer; stored encrypted and "
            "never shown to trainees."
        ),
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is None or user.role != Role.TRAINER:
            # Trainees are never asked for it: nothing they do needs it.
            del self.fields["personnummer"]

    def clean_personnummer(self) -> str:
        value = self.cleaned_data["personnummer"]
        return normalize_personnummer(value) if value else ""


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is you."),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
