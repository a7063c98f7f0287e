"""Celery tasks of the payments app: thin, they take ids and call one service."""

from celery import shared_task

from . import services
from .gateway import TransientGatewayError

# Backoff 10 s, 20 s, 40 s (with jitter, never over 300 s): shorter than the sweeper's
# WEBHOOK_REQUEUE_AFTER and far shorter than Redis's visibility_timeout (settings).
RETRY_BACKOFF = 10
RETRY_BACKOFF_MAX = 300
MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TransientGatewayError,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def process_webhook_event(self, event_pk: int) -> str:
    return services.webhook_event_process(
        event_pk=event_pk, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task(
    acks_late=True,
    autoretry_for=(TransientGatewayError,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def ensure_connected_account(trainer_id: int) -> str | None:
    """Finish creating a trainer's Stripe account in the background (same idempotency key)."""
    return services.connected_account_ensure(trainer_id=trainer_id).stripe_account_id


@shared_task
def requeue_stale_webhook_events() -> int:
    return services.webhook_events_requeue()


@shared_task(
    acks_late=True,
    autoretry_for=(TransientGatewayError,),
    retry_backoff=60,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    max_retries=MAX_RETRIES,
)
def reconcile_webhook_events() -> int:
    return services.webhook_events_reconcile()


# --- monthly payouts ---------------------------------------------------------------------------


@shared_task(acks_late=True)
def run_scheduled_payouts() -> dict | None:
    """The beat's monthly run (PAYOUT_DAY, 03:00 Stockholm) for the period it pays."""
    from .payouts_errors import PayoutRunInProgress
    from .payouts_periods import period_to_pay
    from .payouts_models import PayoutRunTrigger
    from .services.payouts import run_monthly_payouts

    try:
        result = run_monthly_payouts(period=period_to_pay(), trigger=PayoutRunTrigger.BEAT)
    except PayoutRunInProgress:
        return None
    return result.counts


@shared_task(acks_late=True)
def retry_waiting_payouts() -> dict | None:
    """Daily: payouts waiting for funds (or left pending by a crash) are tried again."""
    from .payouts_errors import PayoutRunInProgress
    from .services.payouts import payouts_retry_waiting

    try:
        result = payouts_retry_waiting()
    except PayoutRunInProgress:
        return None
    return result.counts if result else None


@shared_task
def warn_held_transactions() -> int:
    from .services.payouts_alerts import held_transactions_alert

    return held_transactions_alert()


@shared_task(
    acks_late=True,
    autoretry_for=(TransientGatewayError,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def take_back_paid_out_money(transaction_id: int) -> int | None:
    """After a refund or a lost dispute of a paid-out transaction: reverse or carry a debt."""
    from .services.payouts_reversals import payout_money_returned

    reversal = payout_money_returned(transaction_id=transaction_id)
    return reversal.pk if reversal else None
