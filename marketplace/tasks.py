from celery import shared_task

from . import services


@shared_task
def delete_expired_api_tokens() -> int:
    return services.api_tokens_delete_expired()
