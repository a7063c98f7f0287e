"""The trainer's "Get paid" pages: the Stripe account's state and the way through Stripe's
onboarding (or, without Stripe keys, through the demo's stand-in for it)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.permissions import trainer_profile_of

from . import services
from .errors import AccountSetupInProgress
from .gateway import GatewayError, TransientGatewayError, is_demo
from .models import AccountState, ConnectedAccount
from .queries import requirement_labels

logger = logging.getLogger(__name__)


def _own_profile(request):
    profile = trainer_profile_of(request.user)
    if profile is None:
        raise Http404
    return profile


def _page_url() -> str:
    return reverse("payments-get-paid")


def _send_to_stripe(request, profile):
    """Create the account if needed, then a fresh onboarding link, and go there."""
    try:
        url = services.onboarding_link_create(
            trainer_id=profile.pk,
            refresh_url=request.build_absolute_uri(reverse("payments-onboarding-refresh")),
            return_url=request.build_absolute_uri(reverse("payments-onboarding-return")),
        )
    except AccountSetupInProgress as refusal:
        messages.error(request, refusal.message)
        return redirect(_page_url())
    except TransientGatewayError:
        logger.warning("Stripe unreachable while trainer %s started onboarding", profile.pk)
        if not ConnectedAccount.objects.filter(trainer=profile).exclude(stripe_account_id=None):
            services.connected_account_ensure_later(trainer_id=profile.pk)
        messages.error(
            request,
            gettext(
                "Stripe could not be reached. We keep trying in the background: "
                "try again in a minute."
            ),
        )
        return redirect(_page_url())
    except GatewayError:
        logger.exception("Stripe refused to start onboarding for trainer %s", profile.pk)
        messages.error(request, gettext("Stripe refused the request. Please contact us."))
        return redirect(_page_url())
    return redirect(url)


@login_required
def get_paid(request):
    profile = trainer_profile_of(request.user)
    if profile is None:
        return render(request, "payments/not_a_trainer.html")
    account = ConnectedAccount.objects.filter(trainer=profile).first()
    state = account.state if account else AccountState.NOT_STARTED
    context = {
        "profile": profile,
        "account": account,
        "state": state,
        "state_label": AccountState(state).label,
        "needs": requirement_labels(account.requirements if account else {}),
        "demo": is_demo(),
        "tab": "get_paid",
    }
    return render(request, "payments/get_paid.html", context)


@login_required
@require_POST
def onboarding_start(request):
    return _send_to_stripe(request, _own_profile(request))


@login_required
def onboarding_refresh(request):
    """Stripe sends the trainer here when a link expired or was used: make a new one (a GET,
    so only for an account that exists; a first one is made from the page's POST)."""
    profile = _own_profile(request)
    if not ConnectedAccount.objects.filter(trainer=profile).exclude(stripe_account_id=None):
        return redirect(_page_url())
    return _send_to_stripe(request, profile)


@login_required
def onboarding_return(request):
    """Back from Stripe: ask Stripe for the account's state (the webhook may come later)."""
    profile = _own_profile(request)
    account = ConnectedAccount.objects.filter(trainer=profile).first()
    if account is not None:
        try:
            account = services.connected_account_refresh(account_pk=account.pk)
        except GatewayError:
            logger.warning("Could not refresh account of trainer %s on return", profile.pk)
        if account.state == AccountState.ENABLED:
            messages.success(request, gettext("Stripe is set up: you can be paid."))
    return redirect(_page_url())


@login_required
@require_http_methods(["GET", "POST"])
def demo_onboarding(request, account_id: str):
    """The demo's stand-in for Stripe's hosted onboarding (404 while Stripe keys are set)."""
    profile = _own_profile(request)
    account = ConnectedAccount.objects.filter(
        trainer=profile, stripe_account_id=account_id, is_demo=True
    ).first()
    if not is_demo() or account is None:
        raise Http404
    if request.method == "POST":
        services.demo_onboarding_finish(trainer_id=profile.pk)
        return redirect("payments-onboarding-return")
    return render(
        request,
        "payments/demo_onboarding.html",
        {"profile": profile, "account": account, "tab": "get_paid"},
    )
