"""System checks refuse a schedule that cannot run: Redis named but not answering (E007), the
embedded broker's folder not writable (E008), a malformed worker setting (E002)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from rustmail.checks import check_scheduler_broker

ROOT = Path(__file__).resolve().parents[2]
NOBODY = "redis://:hunter2@127.0.0.1:1/0"  # port 1: nothing listens there


def manage_check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    clean.update({"DEBUG": "true", "DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "rustmail.settings"})
    clean.update(env)
    command = [sys.executable, "manage.py", "check"]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_redis_that_does_not_answer_is_e007_without_its_password(settings):
    settings.REDIS_URL = NOBODY
    [error] = check_scheduler_broker()
    assert error.id == "rustmail.E007" and "127.0.0.1:1" in error.msg
    assert "hunter2" not in error.msg


def test_redis_that_answers_passes(settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    assert check_scheduler_broker() == []


def test_the_embedded_broker_passes_and_its_folder_must_be_writable(settings, tmp_path):
    settings.REDIS_URL = None
    assert check_scheduler_broker() == []
    settings.CELERY_BROKER_DIR = tmp_path / "missing"
    [error] = check_scheduler_broker()
    assert error.id == "rustmail.E008" and "missing" in error.msg


def test_startup_stops_when_redis_does_not_answer(tmp_path):
    result = manage_check(tmp_path, REDIS_URL=NOBODY)
    assert result.returncode != 0 and "rustmail.E007" in result.stderr


@pytest.mark.parametrize(("variable", "value"), [("DISCORD_REST_RATE", "0"), ("SCHEDULER_THREADS", "many")])
def test_a_malformed_worker_setting_stops_startup_naming_it(tmp_path, variable, value):
    result = manage_check(tmp_path, **{variable: value})
    assert result.returncode != 0 and "rustmail.E002" in result.stderr and variable in result.stderr
