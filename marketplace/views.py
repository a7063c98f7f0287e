"""Server-rendered account pages. Django's auth views do log-in, log-out and passwords."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import services
from .forms import AccountForm, PasswordChangeForm, SignupForm
from .models import Role
from .redirects import requested_next
from .trainer_views import discovery_context


def home(request):
    """The map discovery page; the trainers themselves come from /api/trainers."""
    return render(request, "marketplace/home.html", discovery_context(request))


@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign-up; a trainee returns to the page they came from (``next``), a trainer goes on to
    set up their page."""
    next_path = requested_next(request)
    if request.user.is_authenticated:
        return redirect(next_path or "home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                role=form.cleaned_data["role"],
                name=form.cleaned_data["name"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if user.role == Role.TRAINER:
                messages.success(
                    request,
                    _("Welcome to Traino! Set up your trainer page in four steps."),
                )
                return redirect("trainer-setup")
            messages.success(request, _("Welcome to Traino! Your account is ready."))
            return redirect(next_path or "home")
    return render(request, "registration/signup.html", {"form": form, "next": next_path})


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    """Name and phone; a trainer's personal identity number (payouts need it, trainees are
    never asked); links to change the email or password, download the data, close it."""
    user = request.user
    initial = {"name": user.name, "phone": user.phone, "personnummer": user.personnummer}
    form = AccountForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_details(user=user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("account")
    return render(request, "marketplace/account.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (it keeps this session logged in) with our form, which needs the request
    to count a wrong old password as a failed log-in."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
