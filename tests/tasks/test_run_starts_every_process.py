"""``make run`` (``manage.py runall``): web, worker with beat, and the bot when a token is set,
with prefixed logs; Ctrl-C stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from botrunner.management.commands.runall import Command

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@contextmanager
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    """``manage.py runall`` on embedded defaults, once web and worker are up: (process, port, log)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DISCORD_TOKEN"}}
    env.update({"DEBUG": "true", "DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"})
    migrate = [sys.executable, "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, timeout=120)
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
        deadline = time.monotonic() + 60
        # Both must be up: the worker says "ready.", daphne "Listening on TCP address".
        while not all(
            mark in log.read_text() for mark in ("worker | ", "ready.", "Listening on TCP address")
        ):
            assert run.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield run, port, log
    finally:
        if run.poll() is None:
            run.kill()


def test_run_starts_web_and_worker_says_why_the_bot_waits_and_stops_all_on_ctrl_c(tmp_path):
    with running(tmp_path) as (run, port, log):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as answer:
            assert answer.status == 200
        children = children_of(run.pid)
        assert len(children) == 2  # web and worker: no bot without a token
        run.send_signal(signal.SIGINT)
        assert run.wait(60) == 0
    output = log.read_text()
    assert "   bot | not started: no bot token" in output
    assert "   web | " in output and "Listening on TCP address" in output
    assert "worker | " in output and "beat: Starting" in output
    assert not [pid for pid in children if alive(pid)]


def test_a_burst_of_stop_signals_still_stops_everything(tmp_path):
    """An operator pressing Ctrl-C again, or a supervisor and a process group both sending SIGTERM:
    a signal arriving while the previous one is being handled must not hang the command (its
    handler once took a lock, which the second signal then waited for for ever)."""
    with running(tmp_path) as (run, _port, _log):
        children = children_of(run.pid)
        for _ in range(5000):
            run.send_signal(signal.SIGTERM)
        assert run.wait(60) == 0
    assert not [pid for pid in children if alive(pid)]


def test_run_starts_the_bot_when_a_token_is_configured(settings, db):
    settings.DISCORD_TOKEN = "a-token"
    commands = Command().processes(port=3002, bind="127.0.0.1")
    assert list(commands) == ["web", "worker", "bot"]
    assert commands["bot"][1:] == ["manage.py", "runbot"]
    assert commands["worker"][1:7] == ["-m", "celery", "-A", "rustmail", "worker", "--beat"]
