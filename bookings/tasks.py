"""Celery tasks of bookings: thin, each calls one service (beat entries in settings)."""

from celery import shared_task

from . import booking_services, idempotency, review_services, services


@shared_task
def expire_holds() -> int:
    """Every minute: unpaid holds past their time free their seats."""
    return booking_services.bookings_expire_holds()


@shared_task
def complete_finished() -> int:
    """Every few minutes: confirmed sessions that have ended are completed."""
    return booking_services.bookings_complete_finished()


@shared_task
def delete_old_idempotency_keys() -> int:
    """Hourly: stored Idempotency-Key answers older than IDEMPOTENCY_KEY_HOURS go."""
    return idempotency.idempotency_keys_delete_old()


@shared_task
def refresh_upcoming_offerings() -> int:
    """Daily: offerings whose last session has passed stop setting the headline price."""
    return services.upcoming_offerings_refresh_all()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def email_trainer_new_review(review_id: int) -> bool:
    """After a review is committed: tell its trainer (SMTP errors are retried)."""
    return review_services.review_notify_trainer(review_id=review_id)
