"""What payments holds on a user, for their data download (marketplace.account_services,
through ``marketplace.signals.user_data_requested``): a trainer's payout account as we
mirror it from Stripe. No secrets are stored here to leave out."""

from __future__ import annotations

from django.dispatch import receiver

from marketplace.signals import user_data_requested

from .models import ConnectedAccount


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


@receiver(user_data_requested, dispatch_uid="payments.user_data_requested")
def payout_account_for_export(sender, *, user, **kwargs) -> dict:
    account = ConnectedAccount.objects.filter(trainer__user=user).first()
    if account is None:
        return {}
    return {
        "payout_account": {
            "stripe_account_id": account.stripe_account_id,
            "country": account.country,
            "state": account.state,
            "charges_enabled": account.charges_enabled,
            "payouts_enabled": account.payouts_enabled,
            "details_submitted": account.details_submitted,
            "created_at": _when(account.created_at),
        }
    }
