"""``make run`` on an empty database (``manage.py runall``): it prints the one-time setup link, the
wizard is finished over plain HTTP against the emulator, and the bot starts without a restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.tasks.test_run_starts_every_process import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


def wait_for(log: Path, pattern: str, run: subprocess.Popen, timeout: float = 90) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, log.read_text())
        if found:
            return found
        assert run.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def post_step(session: requests.Session, base: str, step: str, data: dict) -> requests.Response:
    data = {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    response = session.post(f"{base}/setup/?step={step}", data=data, allow_redirects=False)
    assert response.status_code == 302, response.text[:2000]
    return response


def test_make_run_prints_the_setup_link_and_starts_the_bot_once_set_up(tmp_path, fake_discord_thread):
    emu = fake_discord_thread
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DISCORD_TOKEN"}}
    env.update(DEBUG="true", DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1", DISCORD_API_BASE=emu.api_base)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=180
    )
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        run = subprocess.Popen(
            [sys.executable, "manage.py", "runall", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        link = wait_for(log, rf"open (http://127\.0\.0\.1:{port}/setup/\?token=\S+) ", run).group(1)
        wait_for(log, "Listening on TCP address", run)
        base = f"http://127.0.0.1:{port}"
        assert requests.get(f"{base}/setup/", timeout=10).status_code == 403, "not without the link"

        session = requests.Session()
        first = session.get(link, timeout=10)
        assert first.status_code == 200 and first.url == f"{base}/setup/?step=token"
        demo = emu.demo
        post_step(session, base, "token", {"token": emu.bot_token})
        post_step(session, base, "server", {"mode": "single", "guild_id": str(demo.guild_id)})
        post_step(session, base, "channels", {"inbox": str(demo.inbox_category_id), "logs": ""})
        login = session.get(f"{base}/setup/?step=login", timeout=10).text
        assert f"{base}/api/auth/callback" in login
        post_step(
            session,
            base,
            "login",
            {
                "client_id": str(emu.application_id),
                "client_secret": emu.client_secret,
                "redirect_url": f"{base}/api/auth/callback",
                "super_admin_users": str(demo.admin_id),
            },
        )
        post_step(session, base, "language", {"default_language": "en", "status": "DM me"})
        assert post_step(session, base, "review", {}).headers["Location"] == "/setup/?step=done"

        wait_for(log, r"bot \| a bot token is configured: starting the bot", run, timeout=30)
        wait_for(log, r"Connected as", run, timeout=60)
        done = session.get(f"{base}/setup/?step=done&fragment=status", timeout=10).text
        deadline = time.monotonic() + 20
        while 'data-status="running"' not in done and time.monotonic() < deadline:
            time.sleep(0.5)
            done = session.get(f"{base}/setup/?step=done&fragment=status", timeout=10).text
        assert 'data-status="running"' in done
        assert session.get(link, timeout=10).status_code == 403, "the link is spent"
        run.send_signal(signal.SIGINT)
        assert run.wait(60) == 0
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(10)
