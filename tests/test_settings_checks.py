"""A malformed environment stops startup with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _check(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}
    }
    clean.update({"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "rustmail.settings"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_defaults_with_debug_pass(tmp_path):
    result = _check(tmp_path, DEBUG="true")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "check_id"),
    [
        ("DEBUG", "maybe", "rustmail.E001"),
        ("PORT", "http", "rustmail.E002"),
        ("PORT", "70000", "rustmail.E002"),
        ("DISCORD_CLIENT_ID", "abc", "rustmail.E003"),
        ("DATABASE_URL", "mysql://x", "rustmail.E004"),
        ("REDIS_URL", "localhost:6379", "rustmail.E004"),
        ("DISCORD_API_BASE", "not a url", "rustmail.E004"),
        ("TIME_ZONE", "Mars/Olympus", "rustmail.E005"),
        ("LOG_LEVEL", "LOUD", "rustmail.E009"),
    ],
)
def test_a_malformed_variable_stops_startup_naming_it(tmp_path, variable, value, check_id):
    result = _check(tmp_path, **{"DEBUG": "true", variable: value})
    assert result.returncode != 0
    assert check_id in result.stderr and variable in result.stderr


def test_without_debug_a_secret_key_is_required(tmp_path):
    result = _check(tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr and "rustmail.E006" in result.stderr
    assert _check(tmp_path, SECRET_KEY="x" * 50).returncode == 0
