"""Celery tasks of the storage app: thin, they load by id and call one service."""

from celery import Task, shared_task

from . import services
from .backends import TransientStorageError


class UploadTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Retries are used up (or the code failed): the row must not stay pending forever."""
        services.upload_mark_failed(file_id=args[0], reason=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=UploadTask,
    autoretry_for=(TransientStorageError,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
)
def process_upload(file_id: int) -> None:
    services.upload_process(file_id=file_id)
