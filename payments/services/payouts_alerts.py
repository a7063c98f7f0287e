"""The holding-limit alert: Stripe lets a platform hold a connected account's money only
so long, so staff and the trainer hear of payable money older than PAYOUT_HOLD_WARN_DAYS,
with what blocks its payout."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marketplace.models import TrainerProfile
from payments.payouts_mail import (
    held_transactions_notify_staff,
    held_transactions_notify_trainer,
    trainer_language,
)
from payments.payouts_queries import held_by_trainer


def held_transactions_alert(*, now: datetime | None = None) -> int:
    """Emails staff one list and each trainer concerned; the number of trainers."""
    held = held_by_trainer(now or timezone.now())
    if not held:
        return 0
    emails = {
        profile.pk: (profile.user.email, trainer_language(profile))
        for profile in TrainerProfile.objects.filter(
            pk__in={row["trainer_id"] for row in held}
        ).select_related("user")
    }

    def send() -> None:
        held_transactions_notify_staff(held=held)
        for row in held:
            email, language = emails.get(row["trainer_id"], ("", ""))
            if email:
                held_transactions_notify_trainer(row=row, email=email, language=language)

    transaction.on_commit(send)
    return len({row["trainer_id"] for row in held})
