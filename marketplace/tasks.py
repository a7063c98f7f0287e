from celery import shared_task

from . import services


@shared_task
def delete_expired_api_tokens() -> int:
    """Beat job: expired and revoked tokens can never authenticate again, so drop their rows."""
    return services.api_tokens_delete_expired()
