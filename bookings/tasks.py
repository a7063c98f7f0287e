from celery import shared_task

from . import services


@shared_task
def refresh_upcoming_offerings() -> int:
    """Beat job: offerings whose last session has passed stop setting the headline price."""
    return services.upcoming_offerings_refresh_all()
