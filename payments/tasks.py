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
