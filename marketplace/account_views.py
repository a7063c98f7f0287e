"""The account's rights pages: change the email, download my data, close my account.

Each asks for the password before it acts (a session left open on a shared computer must
not be enough), calls one service and renders; refusals are shown on the form.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from traino.exceptions import DomainError
from traino.forms import add_domain_error

from . import account_services, services
from .errors import WrongPassword
from .forms import AccountDeleteForm, EmailChangeForm
from .models import Role


def _check_password(request, form) -> bool:
    """``authenticate`` as a log-in does, so a wrong password counts towards the lockout."""
    user = authenticate(
        request, username=request.user.email, password=form.cleaned_data["password"]
    )
    if user is None or user.pk != request.user.pk:
        add_domain_error(form, WrongPassword.on_field("password"))
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_password(request, form):
        confirm_url = request.build_absolute_uri(
            reverse("account-email-confirm", args=["TOKEN"])
        ).replace("TOKEN", "{token}")
        try:
            account_services.user_email_change_request(
                user=request.user, new_email=form.cleaned_data["email"], confirm_url=confirm_url
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Open it within %(hours)s hours to confirm "
                    "the change; until then you keep your current address."
                )
                % {
                    "email": form.cleaned_data["email"],
                    "hours": account_services.link_hours(),
                },
            )
            return redirect("account")
    return render(request, "marketplace/email_change.html", {"form": form})


@require_http_methods(["GET", "POST"])
def email_change_confirm(request, token: str):
    """GET shows what the link changes, POST applies it: mail scanners that open links do
    not change anything. No log-in needed: the signed link is the proof."""
    try:
        user, new_email = account_services.read_email_change_token(token)
    except DomainError as exc:
        return render(
            request, "marketplace/email_change_confirm.html", {"problem": str(exc.message)}
        )
    if request.method == "POST":
        try:
            account_services.user_email_change_confirm(token=token)
        except DomainError as exc:
            return render(
                request, "marketplace/email_change_confirm.html", {"problem": str(exc.message)}
            )
        messages.success(request, _("Your email address is now %(email)s.") % {"email": new_email})
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("account")
        return redirect("login")
    return render(request, "marketplace/email_change_confirm.html", {"new_email": new_email})


@login_required
@require_GET
def data_download(request):
    """Everything we hold on the user, as a JSON file."""
    data = account_services.user_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="traino-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    """Explains what closing the account erases and what is kept; upcoming bookings are
    listed first and cancelled only when confirmed (``cancel_bookings=1``)."""
    form = AccountDeleteForm(request.POST or None)
    affected = None
    if request.method == "POST" and form.is_valid() and _check_password(request, form):
        user = request.user
        try:
            outcome = services.user_delete(
                user=user,
                cancel_bookings=request.POST.get("cancel_bookings") == "1",
                actor=user,
            )
        except DomainError as exc:
            if exc.code != "BOOKINGS_AFFECTED":
                add_domain_error(form, exc)
            else:
                affected = {"message": str(exc.message), "lines": exc.field_messages()["bookings"]}
        else:
            logout(request)
            messages.success(
                request,
                _("Your account is closed and your personal data is erased.")
                if outcome == "deleted"
                else _(
                    "Your account is closed: your personal data is erased, and the booking "
                    "records the law requires us to keep no longer name you."
                ),
            )
            return redirect("home")
    context = {
        "form": form,
        "affected": affected,
        "is_trainer": request.user.role == Role.TRAINER,
    }
    return render(request, "marketplace/account_delete.html", context)
