"""``manage.py runweb``: the web process (HTTP and WebSockets) on one port, in WEB_CONCURRENCY processes.

A process runs Python on one core at a time (the interpreter's lock), however many requests it
holds: several processes, one per core plus one by default, use every core. This command opens the
listening socket itself and starts that many daphne processes that all accept on it (the kernel
hands each connection to one of them). WebSockets work in any of them: live events reach every
process through the database outbox (``panel.live``), with or without Redis.

When a daphne process dies after having served, it is started again; when one dies at once (a
broken configuration: the system checks failed), the others are stopped and the command fails.
SIGTERM or Ctrl-C stops them all. With ``WEB_CONCURRENCY=1`` daphne runs in this process's place.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

APPLICATION = "rustmail.asgi:application"
# A process that exits sooner than this after its start is taken for a broken setup, not a crash.
STARTUP_GRACE = 15.0
STOP_WITHIN = 10.0


def daphne_command(*extra: str) -> list[str]:
    """The daphne command line, with ``extra`` arguments before the application."""
    return [sys.executable, "-m", "daphne", *extra, APPLICATION]


class Command(BaseCommand):
    help = "Serve HTTP and WebSockets on one port with WEB_CONCURRENCY daphne processes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT, help="Port to listen on (PORT).")
        parser.add_argument(
            "--bind", default=os.environ.get("BIND", "127.0.0.1"), help="Address to listen on."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.WEB_CONCURRENCY,
            help="Processes serving requests (WEB_CONCURRENCY; default: one per CPU core).",
        )

    def handle(self, *args, port: int, bind: str, workers: int, **options) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if workers > 1 and ":" in bind:
            # Twisted adopts inherited IPv4 sockets only (its "fd:" endpoint ignores the domain).
            self.stderr.write(
                f"{bind} is an IPv6 address: serving with one process (WEB_CONCURRENCY ignored)."
            )
            workers = 1
        if workers == 1:
            command = daphne_command("-b", bind, "-p", str(port))
            os.execv(command[0], command)
        try:
            listener = socket.create_server((bind, port), backlog=2048)
        except OSError as error:
            raise CommandError(f"Cannot listen on {bind}:{port}: {error}") from error
        listener.set_inheritable(True)
        command = daphne_command("--fd", str(listener.fileno()))
        self.stdout.write(f"Listening on {bind}:{listener.getsockname()[1]} with {workers} daphne processes")
        self.stdout.flush()
        self._serve(listener, command, workers)

    def _serve(self, listener: socket.socket, command: list[str], workers: int) -> None:
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

        def start() -> tuple[subprocess.Popen, float]:
            # Its own session: Ctrl-C reaches this command, which then stops every process in order.
            child = subprocess.Popen(
                command, pass_fds=(listener.fileno(),), cwd=settings.BASE_DIR, start_new_session=True
            )
            return child, time.monotonic()

        children = [start() for _ in range(workers)]
        failed = False
        try:
            while not stopping:
                for index, (child, started) in enumerate(children):
                    if child.poll() is None:
                        continue
                    if time.monotonic() - started < STARTUP_GRACE:
                        self.stderr.write(f"A web process exited at startup (status {child.returncode}).")
                        failed = stopping = True
                        break
                    self.stderr.write(f"A web process exited (status {child.returncode}): starting another.")
                    children[index] = start()
                time.sleep(0.2)
        finally:
            for child, _started in children:
                if child.poll() is None:
                    child.terminate()
            deadline = time.monotonic() + STOP_WITHIN
            for child, _started in children:
                try:
                    child.wait(max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            listener.close()
        if failed:
            raise SystemExit(1)
