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


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(TransientGatewayError,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def send_refund(self, refund_pk: int, tell_trainee: bool = False) -> str:
    """Send a stored refund to Stripe (same idempotency key on every retry)."""
    from .services.refunds import refund_send

    refund = refund_send(
        refund_pk=refund_pk, final_attempt=self.request.retries >= self.max_retries
    )
    if tell_trainee and refund.stripe_refund_id:
        email_trainee_about_late_refund.delay(refund.transaction_id)
    return refund.status


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=MAX_RETRIES)
def email_staff_about_dispute(transaction_pk: int) -> int:
    from .notify import email_dispute

    return email_dispute(transaction_pk)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=MAX_RETRIES)
def email_trainee_about_late_refund(transaction_pk: int) -> int:
    from .notify import email_late_refund

    return email_late_refund(transaction_pk)


# Monthly payouts' tasks live in their own module; importing it here registers them.
from . import payouts_tasks  # noqa: E402, F401
