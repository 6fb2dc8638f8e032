"""Real Celery workers in subprocesses, on the test database, for the end-to-end scheduling tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
READY_WITHIN = 60.0


def current_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database), for a subprocess."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def unique_queue() -> str:
    """A queue of this test's own, so runs side by side on one Redis never take each other's tasks."""
    return f"rustmail-test-{uuid.uuid4().hex[:12]}"


class Worker:
    """A ``celery -A rustmail worker`` subprocess whose output goes to a log file."""

    def __init__(self, process: subprocess.Popen, log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def ready(self) -> None:
        """Wait until the worker consumes."""
        self.wait_for("ready.", READY_WITHIN)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None:
                code = self.process.returncode
                raise AssertionError(f"the worker exited ({code}):\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the worker did not print {text!r}:\n{self.output()[-4000:]}")
            time.sleep(0.1)


@contextlib.contextmanager
def celery_worker(
    *,
    name: str,
    data_dir: Path,
    env: dict[str, str],
    queue: str | None = None,
    beat: bool = False,
    concurrency: int = 1,
    wait: bool = True,
) -> Iterator[Worker]:
    """Start a worker (``--beat`` too when asked) on the test database, wait until it is ready
    (unless ``wait`` is False: then call ``ready()``), and stop it with SIGTERM (a warm shutdown)
    when the block ends."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DISCORD_TOKEN"}}
    clean.update(
        {
            "DEBUG": "true",
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": current_database_url(),
            "DJANGO_SETTINGS_MODULE": "rustmail.settings",
            "PYTHONUNBUFFERED": "1",
        }
    )
    clean.update(env)
    command = [sys.executable, "-m", "celery", "-A", "rustmail", "worker", "--loglevel", "INFO"]
    command += ["--hostname", f"{name}@%h", "--concurrency", str(concurrency)]
    if queue:
        command += ["--queues", queue]
    if beat:
        command += ["--beat", "--schedule", str(data_dir / "celerybeat-schedule")]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=clean, stdout=out, stderr=subprocess.STDOUT)
    worker = Worker(process, log)
    try:
        if wait:
            worker.ready()
        yield worker
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
