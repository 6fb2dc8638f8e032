"""Benchmark of the scheduler: one worker, 10,000 scheduled closes due at once, the Discord emulator.

Usage (from the repository's root)::

    .venv/bin/python bench/scheduler.py                    # SQLite, emulator at full speed
    .venv/bin/python bench/scheduler.py --rate-limit       # Discord's 50 requests/s, real 429s
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/scheduler.py

It never touches your data: on SQLite it works in a temporary folder (``DATA_DIR``), on PostgreSQL
in a database of its own beside the configured one (``rustmail_bench_scheduler``), dropped at the
end. The emulator runs in this process (one user, DM channel and ticket channel per close, spread
over guilds of 450 channels); one real worker (``celery -A rustmail worker``, embedded broker) runs
in a subprocess with ``SCHEDULER_THREADS`` threads per task. The bench sends ``run_due_closures`` as
beat would (now, then every 5 seconds) and waits until every close is done.

It prints the time from the first task to the last close, closes per second, Discord requests per
second and 429s. Each close is two requests (the close message in the known DM channel, the channel's
removal), three with ``--logs``. Target: 10,000 within 60 seconds at full speed; in rate-limit mode
the bound is Discord's 50 requests per second (``DISCORD_REST_RATE=50``), i.e. about 25 closes/s.
Options: ``--closes``, ``--threads``, ``--rate`` (``DISCORD_REST_RATE`` of the worker; default 50 in
rate-limit mode, 10,000 otherwise), ``--logs``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TICK = 5.0


def bench_database(url: str) -> tuple[str, str | None]:
    """The benchmark's database URL, and the PostgreSQL database to create and drop (None: SQLite)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return "", None
    name = f"{parts.path.lstrip('/') or 'rustmail'}_bench_scheduler"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def postgres(url: str, sql: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--closes", type=int, default=10_000)
    parser.add_argument("--rate-limit", action="store_true", help="the emulator enforces Discord's limits")
    parser.add_argument("--threads", type=int, default=8, help="SCHEDULER_THREADS of the worker")
    parser.add_argument("--rate", type=int, help="DISCORD_REST_RATE of the worker")
    parser.add_argument("--logs", action="store_true", help="also post each close in the logs channel")
    args = parser.parse_args()
    rate = args.rate or (50 if args.rate_limit else 10_000)

    data_dir = Path(tempfile.mkdtemp(prefix="rustmail-bench-scheduler-"))
    url, pg_name = bench_database(os.environ.get("DATABASE_URL", ""))
    if pg_name:
        postgres(url, f'DROP DATABASE IF EXISTS "{pg_name}"')
        postgres(url, f'CREATE DATABASE "{pg_name}"')
    else:
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DATA_DIR": str(data_dir),
            "DEBUG": "true",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "rustmail.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from rustmail.celery import app
    from tests.fakediscord.fixtures import make_emulator
    from tests.fakediscord.thread import FakeDiscordThread
    from tests.tasks.crowd import close_report, seed_due_closures
    from tickets.models import BotConfig, ScheduledClosure

    emu = FakeDiscordThread(make_emulator()).start()
    worker = None
    try:
        call_command("migrate", verbosity=0)
        config = BotConfig.load()
        config.bot_token = emu.bot_token
        config.mode_guild_id = emu.demo.guild_id
        config.thread_inbox_category_id = emu.demo.inbox_category_id
        config.bot_logs_channel_id = emu.demo.logs_channel_id
        config.bot_enable_rustmail_logs = args.logs
        config.save()
        started = time.monotonic()
        seats = seed_due_closures(emu, args.closes)
        print(f"seeded {args.closes} tickets and due closes in {time.monotonic() - started:.1f} s")

        log = data_dir / "worker.log"
        env = dict(
            os.environ,
            DISCORD_API_BASE=emu.api_base,
            DISCORD_REST_RATE=str(rate),
            SCHEDULER_THREADS=str(args.threads),
            LOG_LEVEL="INFO",
        )
        with log.open("w") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "rustmail", "worker", "--loglevel", "INFO"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        while "ready." not in log.read_text():
            if worker.poll() is not None:
                sys.exit(f"the worker exited:\n{log.read_text()}")
            time.sleep(0.1)
        emu.rate_limit_mode = args.rate_limit
        calls_before = len(emu.calls)
        worker_cpu, own_cpu = cpu_seconds(worker.pid), time.process_time()

        unfinished = ScheduledClosure.objects.exclude(state__in=("done", "failed"))
        started = time.monotonic()
        next_tick = started
        while unfinished.exists():
            if time.monotonic() >= next_tick:
                app.send_task("tickets.run_due_closures", expires=TICK)
                next_tick += TICK
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        worker_cpu, own_cpu = cpu_seconds(worker.pid) - worker_cpu, time.process_time() - own_cpu
        emu.rate_limit_mode = False

        calls = emu.calls[calls_before:]
        limited = sum(1 for call in calls if call.status == 429)
        report = close_report(emu, seats, logs_channel_id=config.bot_logs_channel_id if args.logs else None)
        failed = ScheduledClosure.objects.filter(state="failed").count()
        database = "PostgreSQL" if pg_name else "SQLite"
        mode = "in rate-limit mode (50 requests/s)" if args.rate_limit else "at full speed"
        print(f"{database}, emulator {mode}, one worker: SCHEDULER_THREADS={args.threads}, ", end="")
        print(f"DISCORD_REST_RATE={rate}")
        print(f"{args.closes} closes in {elapsed:.1f} s: {args.closes / elapsed:.0f} closes/s")
        print(f"{len(calls)} Discord requests: {len(calls) / elapsed:.0f} requests/s, {limited} answered 429")
        print(
            f"CPU: worker {worker_cpu:.1f} s ({1000 * worker_cpu / args.closes:.1f} ms per close), "
            f"emulator {own_cpu:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(
            f"users messaged exactly once: {report.users_messaged_once}/{args.closes}, "
            f"channels left: {report.channels_left}, failed closes: {failed}"
        )
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(30)
        emu.stop()
        connections.close_all()
        if pg_name:
            postgres(url, f'DROP DATABASE IF EXISTS "{pg_name}"')
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
