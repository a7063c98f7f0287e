"""Trainers' Stripe Connect Express accounts: created once, onboarded through Account Links,
kept current from ``account.updated`` events and from Stripe on the trainer's return.

The idempotency key (``account-<trainer profile id>``) is stored with the row before Stripe is
asked, and the first attempt's time too: a retry after an error looks the account up by its
metadata first (Stripe replays a saved error for a reused key and forgets keys after a day),
then creates it with the same key.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace.models import TrainerProfile
from payments.errors import AccountSetupInProgress, NotADemoAccount
from payments.gateway import (
    Account,
    DemoGateway,
    IdempotencyConflict,
    get_gateway,
    is_demo,
)
from payments.models import ConnectedAccount

logger = logging.getLogger(__name__)
# How far before the first attempt a found account may have been created (clock skew).
FIND_MARGIN = timedelta(hours=1)


def account_idempotency_key(trainer_id: int) -> str:
    return f"account-{trainer_id}"


def account_metadata(trainer_id: int) -> dict[str, str]:
    return {"trainer_profile_id": str(trainer_id)}


def connected_account_ensure(*, trainer_id: int) -> ConnectedAccount:
    """The trainer's connected account, created at Stripe once however often this runs.

    Raises the gateway's errors (TransientGatewayError: try again later, same key).
    """
    gateway = get_gateway()
    with transaction.atomic():
        trainer = TrainerProfile.objects.select_related("user").get(pk=trainer_id)
        row, _ = ConnectedAccount.objects.get_or_create(
            trainer=trainer,
            defaults={
                "idempotency_key": account_idempotency_key(trainer.pk),
                "is_demo": gateway.is_demo,
                "livemode": gateway.livemode,
                "country": settings.STRIPE_CONNECT_COUNTRY,
            },
        )
        if (row.is_demo, row.livemode) != (gateway.is_demo, gateway.livemode):
            _forget_other_mode(row, gateway)
        if row.stripe_account_id:
            return row
        retrying = row.create_attempted_at is not None
        if not retrying:
            row.create_attempted_at = timezone.now()
            row.save(update_fields=["create_attempted_at", "updated_at"])
    # Committed: the key and the attempt are on record before Stripe is asked.
    metadata = account_metadata(trainer.pk)
    found = None
    if retrying:
        found = gateway.find_account(
            metadata=metadata, created_after=row.create_attempted_at - FIND_MARGIN
        )
    if found is None:
        try:
            found = gateway.create_account(
                email=trainer.user.email,
                country=row.country,
                metadata=metadata,
                idempotency_key=row.idempotency_key,
            )
        except IdempotencyConflict:
            # The key was used with other parameters (the email changed) or is in flight.
            found = gateway.find_account(
                metadata=metadata, created_after=row.create_attempted_at - FIND_MARGIN
            )
            if found is None:
                raise AccountSetupInProgress() from None
    return _attach(row, found)


def _forget_other_mode(row: ConnectedAccount, gateway) -> None:
    """The keys changed mode (demo, test, live): an account of the other mode is unusable, so
    the trainer onboards again with this one. Stripe keeps idempotency keys per mode."""
    logger.warning("Trainer %s had account %s of another mode; starting over", row.trainer_id, row)
    row.stripe_account_id = None
    row.is_demo = gateway.is_demo
    row.livemode = gateway.livemode
    row.create_attempted_at = None
    row.stripe_state_at = None
    row.charges_enabled = row.payouts_enabled = row.details_submitted = False
    row.requirements = {}
    row.save()


def connected_account_ensure_later(*, trainer_id: int) -> None:
    """Queue the account's creation (after Stripe did not answer). A broker that is down, or,
    run eagerly, Stripe failing again, is logged: the trainer's next click retries anyway."""
    from payments.tasks import ensure_connected_account

    try:
        ensure_connected_account.delay(trainer_id)
    except Exception:
        logger.exception("Could not finish the Stripe account of trainer %s", trainer_id)


def _attach(row: ConnectedAccount, account: Account) -> ConnectedAccount:
    with transaction.atomic():
        row = ConnectedAccount.objects.select_for_update().get(pk=row.pk)
        if row.stripe_account_id and row.stripe_account_id != account.id:
            logger.error(
                "Trainer %s has account %s; Stripe answered %s",
                row.trainer_id,
                row.stripe_account_id,
                account.id,
            )
            return row
        row.stripe_account_id = account.id
        _copy_state(row, account, timezone.now())
        row.save()
    return row


def _copy_state(row: ConnectedAccount, account: Account, as_of: datetime) -> None:
    row.charges_enabled = account.charges_enabled
    row.payouts_enabled = account.payouts_enabled
    row.details_submitted = account.details_submitted
    row.requirements = account.requirements.as_json()
    row.stripe_state_at = as_of


def connected_account_apply(*, account: Account, as_of: datetime | None) -> ConnectedAccount | None:
    """Stripe's view of an account (from an event or a retrieve) onto our row.

    A state older than the one we hold is skipped, so events arriving out of order never
    undo a newer state. None when the account is not one of ours.
    """
    as_of = as_of or timezone.now()
    with transaction.atomic():
        row = ConnectedAccount.objects.select_for_update().filter(stripe_account_id=account.id)
        row = row.first()
        if row is None:
            return None
        # Stripe's event times have whole seconds: a state from the same second still applies.
        if row.stripe_state_at is not None and as_of < row.stripe_state_at.replace(microsecond=0):
            return row
        _copy_state(row, account, as_of)
        row.save()
    return row


def connected_account_refresh(*, account_pk: int) -> ConnectedAccount:
    """Ask Stripe for the account now (the trainer came back from onboarding; staff asked)."""
    row = ConnectedAccount.objects.get(pk=account_pk)
    if not row.stripe_account_id:
        return row
    fresh = get_gateway().retrieve_account(row.stripe_account_id)
    return connected_account_apply(account=fresh, as_of=timezone.now()) or row


def onboarding_link_create(*, trainer_id: int, refresh_url: str, return_url: str) -> str:
    """Where to send the trainer next: a fresh single-use Stripe onboarding link."""
    row = connected_account_ensure(trainer_id=trainer_id)
    link = get_gateway().create_account_link(
        account_id=row.stripe_account_id,
        refresh_url=refresh_url,
        return_url=return_url,
        idempotency_key=f"account-link-{row.pk}-{uuid.uuid4().hex}",
    )
    return link.url


def demo_onboarding_finish(*, trainer_id: int) -> ConnectedAccount:
    """The demo's stand-in for Stripe's hosted onboarding: the demo account becomes enabled
    and a signed ``account.updated`` goes through the same webhook intake and processing."""
    from payments.demo import demo_event_send

    row = ConnectedAccount.objects.filter(trainer_id=trainer_id, is_demo=True).first()
    if not is_demo() or row is None or not row.stripe_account_id:
        raise NotADemoAccount()
    data = DemoGateway().complete_onboarding(row.stripe_account_id)
    demo_event_send(event_type="account.updated", data_object=data, account=row.stripe_account_id)
    row.refresh_from_db()
    return row
