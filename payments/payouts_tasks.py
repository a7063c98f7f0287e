"""Celery tasks of the monthly payouts: thin, they call one service each."""

from celery import shared_task

from .gateway import TransientGatewayError
from .tasks import MAX_RETRIES, RETRY_BACKOFF, RETRY_BACKOFF_MAX


@shared_task(acks_late=True)
def run_scheduled_payouts() -> dict | None:
    """The beat's monthly run (PAYOUT_DAY, 03:00 Stockholm) for the period it pays."""
    from .payouts_errors import PayoutRunInProgress
    from .payouts_models import PayoutRunTrigger
    from .payouts_periods import period_to_pay
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


@shared_task(acks_late=True)
def start_payout_run(
    *, period: str, user_id: int | None, retry_failed: bool = False
) -> dict | None:
    """A run started by staff from the admin."""
    from django.contrib.auth import get_user_model

    from .payouts_errors import PayoutRunInProgress
    from .payouts_models import PayoutRunTrigger
    from .services.payouts import run_monthly_payouts

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        result = run_monthly_payouts(
            period=period,
            trigger=PayoutRunTrigger.STAFF,
            started_by=user,
            retry_failed=retry_failed,
        )
    except PayoutRunInProgress:
        return None
    return result.counts
