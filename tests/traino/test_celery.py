from django.conf import settings

from traino.celery import app


def test_celery_acknowledges_late_so_a_killed_worker_does_not_lose_a_task():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_celery_runs_eagerly_in_the_test_environment():
    assert app.conf.task_always_eager is True
    assert app.conf.task_eager_propagates is True


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()

    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "marketplace.tasks.delete_expired_api_tokens" in names
    assert names <= set(app.tasks), names - set(app.tasks)
