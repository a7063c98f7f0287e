"""Celery tasks of bookings: thin, each calls one service (beat entries in settings)."""

from smtplib import SMTPException

from celery import shared_task

from . import booking_services, emails, idempotency, services


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


# Mail servers fail for a while: retried after about 1, 2, 4, 8, 16 minutes (with jitter),
# well inside Redis's visibility_timeout (settings).
EMAIL_RETRY_BACKOFF = 60
EMAIL_RETRY_BACKOFF_MAX = 1800
EMAIL_MAX_RETRIES = 5


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=EMAIL_RETRY_BACKOFF,
    retry_backoff_max=EMAIL_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=EMAIL_MAX_RETRIES,
)
def send_booking_email(booking_id: int, kind: str, role: str) -> bool:
    """One booking email (bookings.emails); queued after commit by its receivers."""
    return emails.booking_email_send(booking_id=booking_id, kind=kind, role=role)


@shared_task
def send_booking_reminders() -> int:
    """Every five minutes: reminders for sessions starting within 24 hours, each once."""
    return emails.bookings_send_reminders()
