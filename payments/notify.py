"""Payments' emails: staff about a dispute, a trainee about a payment given back because it
came too late. Sent from Celery tasks (queued after commit), in the recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.money import format_money
from payments.models import Transaction


def staff_emails() -> list[str]:
    users = get_user_model().objects.filter(is_staff=True, is_active=True)
    emails = [user.email for user in users if user.email]
    emails += [email for _name, email in getattr(settings, "ADMINS", [])]
    return sorted(set(emails))


def email_dispute(transaction_pk: int) -> int:
    txn = Transaction.objects.select_related("trainer").get(pk=transaction_pk)
    recipients = staff_emails()
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Dispute on booking %(booking)s") % {"booking": txn.booking_id}
        body = _(
            "A card payment of %(amount)s (%(intent)s) for booking %(booking)s with "
            "%(trainer)s is disputed (%(dispute)s). It is kept out of payouts until the "
            "dispute is won. Answer it in Stripe's dashboard.\n\n%(admin)s"
        ) % {
            "amount": format_money(txn.gross_amount, txn.currency, settings.LANGUAGE_CODE),
            "intent": txn.payment_intent_id,
            "booking": txn.booking_id,
            "trainer": txn.trainer.display_name,
            "dispute": txn.dispute_id,
            "admin": reverse("admin:payments_transaction_change", args=[txn.pk]),
        }
    return send_mail(subject, body, None, recipients)


def email_late_refund(transaction_pk: int) -> int:
    txn = Transaction.objects.select_related("booking__trainee", "trainer").get(pk=transaction_pk)
    trainee = txn.booking.trainee
    if not trainee.email:
        return 0
    language = txn.booking.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Your payment is on its way back")
        body = _(
            "Your payment of %(amount)s for the session with %(trainer)s arrived after the "
            "time to pay had run out, and the place had been taken meanwhile. We have "
            "refunded all of it; it reaches your card within 5-10 days."
        ) % {
            "amount": format_money(txn.gross_amount, txn.currency, language),
            "trainer": txn.trainer.display_name,
        }
    return send_mail(subject, body, None, [trainee.email])
