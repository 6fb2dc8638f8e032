"""A newcomer's first minutes, literally: on a fresh clone, the README's commands without DEBUG
and without SECRET_KEY (``make run`` in the background on a free port, ``createsuperuser
--noinput``, ``importconfig`` of Rustmail's own example), then the admin sign-in works."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = "tests/fixtures/rustmail/config.example.toml"
# Variables a developer's shell may hold that a newcomer's does not.
UNSET = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DISCORD_TOKEN", "DISCORD_API_BASE", "BIND")

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _clone(tmp_path: Path) -> Path:
    """A clone of the committed tree, sharing this checkout's virtualenv (nothing to install)."""
    clone = tmp_path / "rustmail"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=60)
    (clone / ".venv").symlink_to(ROOT / ".venv")
    for requirements in clone.glob("requirements*.txt"):  # older than the venv's stamp: make installs nothing
        os.utime(requirements, (0, 0))
    return clone


def _wait_for_health(url: str, server: subprocess.Popen, log: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert server.poll() is None, f"make run exited:\n{log.read_text()[-3000:]}"
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            # Connection refused before the port is bound; a read timeout while the web processes
            # that share it are still starting (the kernel accepted the connection already).
            pass
        time.sleep(0.3)
    pytest.fail(f"make run did not answer on /api/health in time:\n{log.read_text()[-3000:]}")


def test_the_readmes_commands_on_a_clean_clone(tmp_path: Path) -> None:
    clone = _clone(tmp_path)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in UNSET and not k.startswith("DJANGO_")}
    env.update(DATA_DIR=str(tmp_path / "data"), PORT=str(port))
    log = (tmp_path / "make-run.log").open("w+")
    server = subprocess.Popen(
        ["make", "run"], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(f"{base}/api/health", server, tmp_path / "make-run.log", time.monotonic() + 180)
        python = str(clone / ".venv" / "bin" / "python")
        superuser = subprocess.run(
            [python, "manage.py", "createsuperuser", "--noinput"],
            cwd=clone,
            env={
                **env,
                "DJANGO_SUPERUSER_USERNAME": "admin",
                "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
                "DJANGO_SUPERUSER_PASSWORD": "a-long-and-unusual-passphrase",
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert superuser.returncode == 0, superuser.stderr
        imported = subprocess.run(
            [python, "manage.py", "importconfig", EXAMPLE],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert imported.returncode == 0, imported.stderr
        assert "language.supported_languages: dropped es, de" in imported.stderr

        browser = requests.Session()
        form = browser.get(f"{base}/admin/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
        signed_in = browser.post(
            f"{base}/admin/login/?next=/admin/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "admin",
                "password": "a-long-and-unusual-passphrase",
                "next": "/admin/",
            },
            headers={"Referer": f"{base}/admin/login/"},
            timeout=10,
        )
        assert signed_in.url == f"{base}/admin/" and signed_in.status_code == 200
        assert browser.get(f"{base}/api/docs/", timeout=10).status_code == 200
        assert browser.get(f"{base}/nowhere-to-be-found", timeout=10).status_code == 404
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=40)
    log.seek(0)
    output = log.read()
    kept = tmp_path / "data" / "secret_key"
    assert (kept.stat().st_mode & 0o777) == 0o600
    assert output.count("generated one and kept it in") + imported.stderr.count("generated one") <= 1
    assert output.count("Not Found: /nowhere-to-be-found") == 1, output
    assert f"http://127.0.0.1:{port}/" in output  # listens on loopback only
