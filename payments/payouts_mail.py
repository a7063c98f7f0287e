"""Emails of the payouts: to a trainer who is skipped or whose money is held too long, and
to staff about a reconciliation that does not balance or money held too long. Sent after
the change commits (callers use ``transaction.on_commit``); a mail server that is down is
logged, never a reason to undo a payout."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.models import User
from marketplace.money import format_money

logger = logging.getLogger(__name__)


def trainer_language(profile) -> str:
    """The first site language among those the trainer's profile lists (as bookings' emails)."""
    codes = {code for code, _name in settings.LANGUAGES}
    for code in profile.languages or []:
        code = (code or "").split("-")[0].lower()
        if code in codes:
            return code
    return settings.LANGUAGE_CODE


def staff_emails() -> list[str]:
    return [user.email for user in User.objects.filter(is_staff=True, is_active=True) if user.email]


def _send(subject: str, body: str, recipients: list[str]) -> int:
    if not recipients:
        return 0
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # SMTP trouble must not undo money already moved
        logger.exception("Payout email %r could not be sent", subject)
        return 0


def payout_skipped_notify(*, payout_id: int) -> int:
    from payments.payouts_models import Payout, SkipReason

    payout = Payout.objects.select_related("trainer__user").get(pk=payout_id)
    with translation.override(trainer_language(payout.trainer)):
        if payout.skip_reason == SkipReason.NO_ACCOUNT:
            todo = _("Set up your Stripe account on the Get paid page so that we can pay you.")
        else:
            todo = _("Stripe still needs some details from you before it can pay out to you.")
        body = _(
            "Your payout for %(period)s, %(amount)s, could not be sent.\n\n%(todo)s\n\n"
            "%(url)s\n\n"
            "The money stays with us and is paid in the next payout once this is done."
        ) % {
            "period": payout.period,
            "amount": format_money(payout.amount, payout.currency, translation.get_language()),
            "todo": todo,
            "url": settings.SITE_URL + reverse("payments-get-paid"),
        }
        subject = _("Your Traino payout is waiting for you")
    return _send(subject, body, [payout.trainer.user.email])


def reconciliation_mismatch_notify(*, period: str, rows) -> int:
    lines = [
        f"{row.currency}: gross {row.gross} != accounted {row.accounted} "
        f"(difference {row.difference})"
        for row in rows
        if not row.balanced
    ]
    body = _("The payouts of %(period)s do not balance:") % {"period": period}
    return _send(
        _("Payout reconciliation mismatch for %(period)s") % {"period": period},
        body + "\n\n" + "\n".join(lines),
        staff_emails(),
    )


def held_transactions_notify_staff(*, held: list[dict]) -> int:
    lines = [
        f"{row['trainer_name']} (trainer {row['trainer_id']}): {row['count']} payments, "
        f"{format_money(row['amount'], row['currency'])}, oldest {row['oldest']:%Y-%m-%d} - "
        f"{row['blocker']}"
        for row in held
    ]
    body = _(
        "Money held for these trainers is older than %(days)s days; Stripe allows about "
        "%(limit)s days before it must be transferred:"
    ) % {"days": settings.PAYOUT_HOLD_WARN_DAYS, "limit": settings.PAYOUT_HOLD_LIMIT_DAYS}
    return _send(
        _("Trainer payouts held too long"), body + "\n\n" + "\n".join(lines), staff_emails()
    )


def held_transactions_notify_trainer(*, row: dict, email: str, language: str = "") -> int:
    with translation.override(language or settings.LANGUAGE_CODE):
        body = _(
            "We hold %(amount)s of your earnings from more than %(days)s days ago and cannot "
            "pay it out yet: %(blocker)s"
        ) % {
            "amount": format_money(row["amount"], row["currency"], translation.get_language()),
            "days": settings.PAYOUT_HOLD_WARN_DAYS,
            "blocker": row["blocker"],
        }
        subject = _("Your Traino earnings are waiting")
    return _send(subject, body, [email])
