"""The Celery app. Broker, eagerness and the beat schedule come from settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traino.settings")

app = Celery("traino")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
