"""What an operator sees in development: a debug page that keeps passwords out, every
django.request line printed once, the API's documentation with or without its trailing slash, and
a web process that listens on loopback unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from botrunner.management.commands.runall import Command as RunAll

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2-very-secret"


@pytest.mark.django_db
def test_the_debug_page_of_a_bad_host_shows_no_database_password(settings) -> None:
    settings.DEBUG = True
    settings.DATABASE_URL = f"postgres://rustmail:{PASSWORD}@db.internal:5432/rustmail"
    settings.REDIS_URL = f"redis://:{PASSWORD}@cache.internal:6379/0"
    settings.ALLOWED_HOSTS = ["localhost"]

    response = Client().get("/api/health", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    page = response.content.decode()
    assert "DisallowedHost" in page  # the debug page itself
    assert PASSWORD not in page
    assert "postgres://rustmail:********************@db.internal:5432/rustmail" in page


def test_every_django_request_line_is_printed_once(tmp_path) -> None:
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: /nowhere-%s', 42)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"LOG_LEVEL", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **env,
            "DEBUG": "true",
            "DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "rustmail.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr.count("Not Found: /nowhere-42") == 1, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs", "/api/docs/"])
def test_the_api_documentation_answers_with_or_without_a_slash(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert "/api/externals/tickets/create" in response.content.decode()


def test_runall_listens_on_loopback_unless_asked(monkeypatch) -> None:
    monkeypatch.delenv("BIND", raising=False)
    monkeypatch.setenv("DEBUG", "true")
    assert RunAll().create_parser("manage.py", "runall").parse_args([]).bind == "127.0.0.1"
    monkeypatch.setenv("BIND", "0.0.0.0")
    assert RunAll().create_parser("manage.py", "runall").parse_args([]).bind == "0.0.0.0"
