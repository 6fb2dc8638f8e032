"""State that must outlive a process: the default cache is a database table (rate-limit counters
and cooldowns survive a restart, with no Redis), and expired sessions are deleted by the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone

from tickets import tasks

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The URL of the test database this test runs on, for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_counter_survives_into_another_process() -> None:
    assert not settings.REDIS_URL
    cache.set("ratelimit:test-counter", 0, timeout=300)
    for _ in range(3):
        cache.incr("ratelimit:test-counter")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["DATABASE_URL"] = _database_url()
    code = (
        "import django; django.setup(); from django.core.cache import cache; "
        "print(cache.get('ratelimit:test-counter'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "rustmail.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "3", result.stderr


@pytest.mark.django_db(transaction=True)
def test_counters_counted_at_once_lose_no_count() -> None:
    cache.set("ratelimit:together", 0, timeout=300)
    barrier = threading.Barrier(8)

    def count() -> None:
        barrier.wait()
        try:
            for _ in range(10):
                cache.incr("ratelimit:together")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("ratelimit:together") == 80
    with pytest.raises(ValueError):
        cache.incr("ratelimit:never-set")


@pytest.mark.django_db
def test_expired_sessions_are_cleared_by_the_worker() -> None:
    for expiry in (-60, 3600):
        session = SessionStore()
        session["x"] = 1
        session.set_expiry(expiry)
        session.create()
    assert Session.objects.count() == 2

    tasks.clear_expired_sessions()

    [kept] = Session.objects.all()
    assert kept.expire_date > timezone.now() + timedelta(minutes=50)
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["tickets.clear_expired_sessions"] <= 24 * 3600
    assert schedule["tickets.repair_stuck_tickets"] <= 300
