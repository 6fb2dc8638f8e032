"""``manage.py runbot`` as a real child process, for the process and crash tests.

The child uses the test's database (the SQLite test file, or PostgreSQL's ``test_...`` database)
through an explicit ``DATABASE_URL``, and the emulator through ``DISCORD_API_BASE``. Its output goes
to a file the test can read. Tests that use it need ``django_db(transaction=True)``: the child only
sees what the test committed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from tests.fakediscord.thread import FakeDiscordThread

ROOT = Path(__file__).resolve().parents[2]


def child_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def wait_until[T](probe: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Call ``probe()`` until it returns something truthy, and return that; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {probe}")
        time.sleep(interval)


class BotProcess:
    """One ``manage.py runbot`` child. ``env`` adds or overrides variables (``None`` removes one)."""

    def __init__(
        self,
        emu: FakeDiscordThread | None,
        log_path: Path,
        *,
        env: dict[str, str | None] | None = None,
        args: tuple[str, ...] = (),
    ) -> None:
        self.emu = emu
        self.log_path = log_path
        self.args = args
        self.env = self._environment(env or {})
        self.child: subprocess.Popen | None = None

    def _environment(self, extra: dict[str, str | None]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DISCORD_API_BASE")}
        env.update(
            DATABASE_URL=child_database_url(),
            SECRET_KEY=env.get("SECRET_KEY") or "rustmail-runbot-tests-" + "k" * 40,
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        if self.emu is not None:
            env["DISCORD_API_BASE"] = self.emu.api_base
        for key, value in extra.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def start(self) -> BotProcess:
        with open(self.log_path, "ab") as log:
            self.child = subprocess.Popen(
                [sys.executable, "manage.py", "runbot", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.child is not None
        return self.child.pid

    @property
    def output(self) -> str:
        """Everything the child printed so far (all its runs with this log file)."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def running(self) -> bool:
        return self.child is not None and self.child.poll() is None

    def wait(self, timeout: float = 30.0) -> int:
        assert self.child is not None
        return self.child.wait(timeout)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, and its exit code once it has stopped."""
        assert self.child is not None
        self.child.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: the process dies wherever it is."""
        assert self.child is not None
        self.child.kill()
        self.child.wait(10)

    def stop(self) -> None:
        """Make sure the child is gone (test teardown)."""
        if self.running():
            try:
                self.terminate(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def wait_connected(self, identifies: int = 1, timeout: float = 60.0) -> None:
        """Wait until the emulator has seen ``identifies`` IDENTIFYs and the bot's session is live."""
        assert self.emu is not None
        emu = self.emu

        def ready() -> bool:
            if not self.running():
                raise AssertionError(f"runbot exited with {self.child.returncode}:\n{self.output}")
            return emu.call(lambda: emu.emu.gateway.identifies >= identifies and bool(live_sessions(emu.emu)))

        wait_until(ready, timeout)


def copied_text(message: dict[str, Any]) -> str:
    """The user's words in the channel copy of their DM (an embed's description, or the text after
    the author's name)."""
    if message.get("embeds"):
        return message["embeds"][0].get("description") or ""
    return (message.get("content") or "").split(":\n", 1)[-1]


def dm_copies(emu: FakeDiscordThread, channel_id: int) -> list[str]:
    """What users wrote, as the bot copied it into a ticket channel (its messages carrying a DM's
    nonce), in channel order."""
    return [copied_text(m) for m in emu.messages(channel_id) if str(m.get("nonce") or "").startswith("u")]


def live_sessions(emu: Any) -> list[Any]:
    """The emulator's gateway sessions that have a connection now (call on the emulator's loop)."""
    return [s for s in emu.gateway.sessions.values() if s.connection is not None]
