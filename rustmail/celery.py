"""The Celery application: ``celery -A rustmail worker --beat`` (or ``worker`` and ``beat`` apart).

Its settings are the ``CELERY_*`` ones of ``rustmail.settings`` (broker, beat schedule); its tasks
are in ``tickets/tasks.py``.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")

app = Celery("rustmail")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
