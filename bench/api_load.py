"""Load benchmark of ``GET /api/bot/tickets`` over HTTP: concurrent clients against the web process
served as ``make run`` serves it (``manage.py runweb``: SQLite, no Redis, DEBUG on).

Usage (from the repository's root)::

    .venv/bin/python bench/api_load.py                      # 5,000 tickets, 20 clients, 10 s
    .venv/bin/python bench/api_load.py --clients 50 --seconds 20 --workers 4

It never touches your data: it works in a temporary folder (its own SQLite database, filled with
``--tickets`` tickets of ``--messages`` messages each, a staff member holding ViewPanel who is not
an admin, signed in). Two servers are measured one after the other, on a free port:

- **baseline**: ``runweb --workers 1``, one daphne process (how the web process was served before);
- **served**: ``runweb`` with ``WEB_CONCURRENCY`` processes (``--workers``; default: one per core plus one,
  the setting's default).

``--clients`` clients (aiohttp, one connection each, kept alive) each send requests one after the
other for ``--seconds`` seconds after a warm-up. Printed for each server: requests per second,
p50/p95/p99 latency, errors (any status but 200), and the web processes' CPU time per request
(user + system from ``/proc``, over the measured part: the figure that depends least on what else
the machine runs); then the served/baseline ratios, the machine's load and the reference loop.
Targets: at least 150 requests per second, p99 under 500 ms (20 clients, 5,000 tickets, the first
page of 50).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository on the path instead of bench/, whose modules may be named like the standard library's.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402

SECRET = "benchmark-only-secret-key-" + "x" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children so far (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def prepare(workdir: Path, tickets: int, messages: int) -> str:
    """Migrate and fill the benchmark's database; returns the staff member's session key."""
    os.environ.update(DATA_DIR=str(workdir), SECRET_KEY=SECRET, DEBUG="true", LOG_LEVEL="WARNING")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from bench.api_tickets import fill_guild, message_rows, ticket_rows
    from tickets.models import Ticket, TicketMessage

    call_command("migrate", verbosity=0)
    fill_guild()
    started = time.perf_counter()
    ids = [uuid.uuid4() for _ in range(tickets)]
    Ticket.objects.bulk_create((Ticket(**row) for row in ticket_rows(ids, messages)), batch_size=2000)
    TicketMessage.objects.bulk_create(
        (TicketMessage(**row) for row in message_rows(ids, messages)), batch_size=2000
    )
    print(
        f"filled {tickets:,} tickets and {tickets * messages:,} messages "
        f"in {time.perf_counter() - started:.1f} s"
    )
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-staff"))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Result:
    name: str
    workers: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    cpu: float = 0.0  # CPU seconds of the web processes over the measured part
    writes: int = 0  # tickets renamed while the clients ran (--writes)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(int(len(ordered) * share), len(ordered) - 1)]

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / max(len(self.latencies), 1)


async def load(url: str, cookie: str, clients: int, seconds: float, result: Result, pid: int) -> None:
    import aiohttp

    headers = {"Cookie": f"sessionid={cookie}"}
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:

        async def one() -> tuple[float, int]:
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
                return (time.perf_counter() - started) * 1000, response.status

        async def client(until: float) -> None:
            while time.perf_counter() < until:
                latency, status = await one()
                if status == 200:
                    result.latencies.append(latency)
                else:
                    result.errors += 1

        for _ in range(3):  # warm-up: connections open, every process has served
            await asyncio.gather(*(one() for _ in range(clients)))
        cpu_before = tree_cpu(pid)
        started = time.perf_counter()
        await asyncio.gather(*(client(started + seconds) for _ in range(clients)))
        result.seconds = time.perf_counter() - started
        result.cpu = tree_cpu(pid) - cpu_before


def write_tickets(per_second: float, stop: threading.Event, result: Result) -> None:
    """While the clients run: rename the newest open ticket ``per_second`` times a second (from this
    process, as the bot would), so that the web processes' cached first page goes stale each time."""
    if per_second <= 0:
        return
    from django.db import connection

    from tickets.models import Ticket

    try:
        newest = Ticket.objects.filter(status=Ticket.Status.OPEN).order_by("-created_at").values("pk")[:1]
        while not stop.wait(1 / per_second):
            Ticket.objects.filter(pk__in=newest).update(user_name=f"renamed {result.writes}")
            result.writes += 1
    finally:
        connection.close()


def serve_and_measure(name: str, workers: int, workdir: Path, cookie: str, args) -> Result:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DATA_DIR=str(workdir), SECRET_KEY=SECRET, DEBUG="true", PYTHONUNBUFFERED="1")
    log = (workdir / f"{name}.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runweb", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the {name} server did not start; see {log.name}")
            time.sleep(0.3)
        time.sleep(2 * workers)  # every process up (they start side by side)
        result = Result(name=name, workers=workers)
        stop = threading.Event()
        writer = threading.Thread(target=write_tickets, args=(args.writes, stop, result), daemon=True)
        writer.start()
        try:
            asyncio.run(load(base + args.path, cookie, args.clients, args.seconds, result, server.pid))
        finally:
            stop.set()
            writer.join()
        return result
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def report(results: list[Result], args) -> None:
    print(
        f"GET {args.path}: {args.tickets:,} tickets x {args.messages} messages, SQLite, DEBUG on; "
        f"{args.clients} clients for {args.seconds:.0f} s; {args.writes:g} ticket writes/s "
        "(each makes the cached page stale)"
    )
    print(machine_line())
    print(
        f"{'server':<10} {'procs':>5} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'CPU ms/req':>11} {'writes':>7}"
    )
    for r in results:
        print(
            f"{r.name:<10} {r.workers:>5} {r.rate:>8.1f} {r.percentile(0.5):>8.1f} "
            f"{r.percentile(0.95):>8.1f} {r.percentile(0.99):>8.1f} {r.errors:>7} {r.cpu_ms:>11.2f} "
            f"{r.writes:>7}"
        )
    if len(results) == 2:
        base, served = results
        print(
            f"served/baseline: throughput {served.rate / base.rate:.2f}x, "
            f"p99 {served.percentile(0.99) / base.percentile(0.99):.2f}x, "
            f"CPU per request {served.cpu_ms / base.cpu_ms:.2f}x"
        )
    served = results[-1]
    ok = served.rate >= 150 and served.percentile(0.99) < 500
    print(
        f"target (>= 150 req/s, p99 < 500 ms): {'met' if ok else 'not met'} "
        f"({served.rate:.0f} req/s, p99 {served.percentile(0.99):.0f} ms)"
    )
    print(machine_line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=5_000)
    parser.add_argument("--messages", type=int, default=10, help="messages per ticket")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per server")
    parser.add_argument(
        "--workers", type=int, default=0, help="processes of the served server (default: WEB_CONCURRENCY)"
    )
    parser.add_argument("--path", default="/api/bot/tickets", help="the request every client sends")
    parser.add_argument(
        "--writes", type=float, default=1.0, help="tickets renamed per second while measuring (0: none)"
    )
    parser.add_argument("--only", choices=("baseline", "served"), help="measure one server only")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rustmail-bench-api-load-"))
    try:
        cookie = prepare(workdir, args.tickets, args.messages)
        from django.conf import settings

        workers = args.workers or settings.WEB_CONCURRENCY
        plan = [("baseline", 1), ("served", workers)]
        if args.only:
            plan = [step for step in plan if step[0] == args.only]
        results = [serve_and_measure(name, n, workdir, cookie, args) for name, n in plan]
        report(results, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
