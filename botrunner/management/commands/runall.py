"""``manage.py runall``: every process of the product in one terminal, for ``make run``.

Starts the web process (``runweb``: WEB_CONCURRENCY daphne processes on PORT), the worker with beat
(Celery: scheduled closes, reminders, prompt timeouts, block expiry, channel names) and the bot
(only when a bot token is configured), prefixes each process's output with its name, and stops them
all on Ctrl-C or SIGTERM. While no bot configuration exists it prints a one-time link to the setup
wizard, and starts the bot as soon as a token is configured. When one process dies, the others are
stopped too, so a broken setup is noticed at once instead of half-running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import get_commands
from django.core.management.base import BaseCommand
from django.db import DatabaseError

# How long the processes get to stop cleanly (the worker finishes the jobs it claimed).
STOP_WITHIN = 30.0


def _setup_link(*, port: int, bind: str) -> str | None:
    """The one-time link to the setup wizard while no bot configuration exists (None otherwise)."""
    from panel.services import setup_token_issue

    try:
        token = setup_token_issue()
    except DatabaseError:  # not migrated yet
        return None
    host = "127.0.0.1" if bind in ("", "0.0.0.0", "::") else bind
    return f"http://{host}:{port}/setup/?token={token}" if token else None


def _bot_token() -> str:
    """The configured bot token ("" when none, or when the database is not migrated yet)."""
    from tickets.selectors import bot_token

    try:
        return bot_token()
    except DatabaseError:
        return ""


class Command(BaseCommand):
    help = "Run web (runweb), worker with beat (Celery) and the bot with prefixed logs; Ctrl-C stops all."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT, help="Port of the web process (PORT).")
        parser.add_argument(
            "--bind", default=os.environ.get("BIND", "127.0.0.1"), help="Address to listen on."
        )

    def processes(self, *, port: int, bind: str) -> dict[str, list[str]]:
        """The commands to run, by name (the bot only when it has a token to connect with)."""
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runweb", "--bind", bind, "--port", str(port)],
            "worker": [python, "-m", "celery", "-A", "rustmail", "worker", "--beat", "--loglevel", "INFO"],
        }
        if _bot_token() and "runbot" in get_commands():
            commands["bot"] = [python, "manage.py", "runbot"]
        else:
            self.stdout.write(
                f"{'bot':>6} | not started: no bot token. Set DISCORD_TOKEN, or bot.token in the "
                "configuration (panel, Django admin or `manage.py importconfig`), then run again."
            )
        return commands

    def handle(self, *args, port: int, bind: str, **options) -> None:
        children: dict[str, subprocess.Popen] = {}
        # A plain flag: a signal handler must take no lock (a second signal arriving while the first
        # one's handler held an Event's lock waited for it for ever).
        stopping = False

        def pump(name: str, child: subprocess.Popen) -> None:
            for line in child.stdout:
                self.stdout.write(f"{name:>6} | {line.rstrip()}")
            self.stdout.flush()

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        env = dict(os.environ, PYTHONUNBUFFERED="1")

        def start(name: str, command: list[str]) -> None:
            # Each child in its own session: Ctrl-C reaches this command only, which then stops the
            # children in order (a worker hit twice would stop cold, dropping the jobs it holds).
            child = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
                env=env,
                cwd=settings.BASE_DIR,
                start_new_session=True,
            )
            children[name] = child
            threading.Thread(target=pump, args=(name, child), daemon=True).start()

        for name, command in self.processes(port=port, bind=bind).items():
            start(name, command)
        self.stdout.write(f"Rustmail is up: http://{bind}:{port}/admin/ and http://{bind}:{port}/api/health")
        link = _setup_link(port=port, bind=bind)
        if link:
            self.stdout.write(f"{'setup':>6} | no bot configuration yet: open {link} (one-time setup link)")
        # Without a token the bot starts as soon as one is configured (the setup wizard's save).
        next_token_check = time.monotonic()
        while not stopping:
            if any(child.poll() is not None for child in children.values()):
                self.stderr.write("A process exited: stopping the others.")
                break
            if "bot" not in children and time.monotonic() >= next_token_check:
                next_token_check = time.monotonic() + 2
                if _bot_token() and "runbot" in get_commands():
                    self.stdout.write(f"{'bot':>6} | a bot token is configured: starting the bot")
                    start("bot", [sys.executable, "manage.py", "runbot"])
            time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_WITHIN
        for child in children.values():
            try:
                child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        failed = [name for name, child in children.items() if child.returncode not in (0, -signal.SIGTERM)]
        if failed and not stopping:
            raise SystemExit(1)
