"""The trainer's Earnings pages: balance, next payout, history, a printable statement per
payout and a CSV of every session paid or waiting. Thin: the figures come from
``payouts_queries`` (the API gives the same)."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from marketplace.permissions import trainer_profile_of
from payments.payouts_models import Payout, PayoutState
from payments.payouts_queries import payout_statement, trainer_earnings


@login_required
def earnings(request):
    profile = trainer_profile_of(request.user)
    if profile is None:
        return render(request, "payments/not_a_trainer.html")
    context = {"profile": profile, "earnings": trainer_earnings(trainer=profile), "tab": "earnings"}
    return render(request, "payments/earnings.html", context)


@login_required
def earnings_statement(request, payout_id: int):
    """One payout as a printable statement (the browser's Print makes the PDF)."""
    profile = trainer_profile_of(request.user)
    payout = (
        Payout.objects.filter(pk=payout_id, trainer=profile)
        .exclude(status=PayoutState.SKIPPED)
        .first()
        if profile
        else None
    )
    if payout is None:
        raise Http404
    context = {"profile": profile, "statement": payout_statement(payout)}
    return render(request, "payments/earnings_statement.html", context)


@login_required
def earnings_csv(request):
    profile = trainer_profile_of(request.user)
    if profile is None:
        raise Http404
    report = trainer_earnings(trainer=profile, history=1000)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="traino-earnings.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("payout"),
            _("period"),
            _("status"),
            _("session date"),
            _("trainee"),
            _("currency"),
            _("gross"),
            _("fee"),
            _("refunds"),
            _("net"),
        ]
    )
    for statement in report.payouts:
        payout = statement.payout
        for line in statement.sessions:
            writer.writerow(
                [
                    payout.pk,
                    payout.period,
                    payout.status,
                    f"{line.date:%Y-%m-%d}",
                    line.trainee_first_name,
                    line.currency,
                    line.gross,
                    line.fee,
                    line.refunds,
                    line.net,
                ]
            )
    for line in report.next_sessions:
        writer.writerow(
            [
                "",
                report.next_period,
                "next",
                f"{line.date:%Y-%m-%d}",
                line.trainee_first_name,
                line.currency,
                line.gross,
                line.fee,
                line.refunds,
                line.net,
            ]
        )
    return response
