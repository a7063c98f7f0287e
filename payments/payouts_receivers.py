"""Money taken back after a payout: when a paid-out transaction's refunded total rises or
its dispute is lost, the payout's share is reversed (or carried as a debt) by a task queued
after the change commits. Listening to the transaction's own save keeps the refund and
dispute code (checkout) free of any call into payouts."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from payments.models import DisputeStatus, Transaction

WATCHED = {"refunded_amount", "dispute_status"}


@receiver(post_save, sender=Transaction, dispatch_uid="payments.payouts.money_returned")
def take_back_after_payout(sender, instance: Transaction, created: bool, update_fields=None, **kw):
    if created or instance.payout_id is None:
        return
    if update_fields is not None and not (WATCHED & set(update_fields)):
        return
    lost = instance.dispute_status == DisputeStatus.LOST
    if instance.refunded_amount == 0 and not lost:
        return
    from payments.payouts_tasks import take_back_paid_out_money

    pk = instance.pk
    transaction.on_commit(lambda: take_back_paid_out_money.delay(pk))
