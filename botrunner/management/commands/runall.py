"""``manage.py runall``: every process of the product in one terminal, for ``make run``.

Starts the web process (daphne on PORT), prefixes each process's output with its name, and stops
them all on Ctrl-C or SIGTERM. When one process dies, the others are stopped too, so a broken
setup is noticed at once instead of half-running.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web process (daphne) with prefixed logs; Ctrl-C stops everything."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=settings.PORT, help="Port of the web process (PORT).")
        parser.add_argument(
            "--bind", default=os.environ.get("BIND", "127.0.0.1"), help="Address to listen on."
        )

    def processes(self, *, port: int, bind: str) -> dict[str, list[str]]:
        """The commands to run, by name."""
        python = sys.executable
        return {
            "web": [python, "-m", "daphne", "-b", bind, "-p", str(port), "rustmail.asgi:application"],
        }

    def handle(self, *args, port: int, bind: str, **options) -> None:
        children: dict[str, subprocess.Popen] = {}
        stopping = threading.Event()

        def pump(name: str, child: subprocess.Popen) -> None:
            for line in child.stdout:
                self.stdout.write(f"{name:>6} | {line.rstrip()}")
            self.stdout.flush()

        def stop(*_args) -> None:
            stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for name, command in self.processes(port=port, bind=bind).items():
            child = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
            )
            children[name] = child
            threading.Thread(target=pump, args=(name, child), daemon=True).start()
        self.stdout.write(f"Rustmail is up: http://{bind}:{port}/admin/ and http://{bind}:{port}/api/health")
        while not stopping.is_set():
            if any(child.poll() is not None for child in children.values()):
                self.stderr.write("A process exited: stopping the others.")
                break
            time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
        failed = [name for name, child in children.items() if child.returncode not in (0, -signal.SIGTERM)]
        if failed and not stopping.is_set():
            raise SystemExit(1)
