"""The Celery app. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painclinic.settings")

# DjangoTask gives every task `delay_on_commit()`: enqueue only after the transaction commits
# (Celery >= 5.4; shared/STYLE.md §3.5).
app = Celery("painclinic", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
