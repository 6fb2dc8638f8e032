"""Benchmark of a large server: ``runbot`` in a guild of 100,000 members and 500 channels, against a
bare nextcord client in the same guild, through the Discord emulator.

Usage (from the repository's root)::

    .venv/bin/python bench/large_guild.py                       # 100,000 members, 500 channels
    .venv/bin/python bench/large_guild.py --members 20000 --channels 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/large_guild.py

It never touches your data: on SQLite it works in a temporary folder, on PostgreSQL in a database of
its own beside the configured one (``rustmail_bench_guild``), dropped at the end. The emulator runs
in this process and seeds the guild (``FakeDiscord.seed_large_guild``); Discord sends such a guild
without its members, which the client then asks for in chunks of 1,000 (op 8). Two clients run one
after the other as child processes:

- **bare**: a nextcord client with the same intents that only waits for the guild to be chunked;
- **rustmail**: ``manage.py runbot``, ready when the guild cache is written (every member in the
  database: what the panel's permission checks read).

Printed for each: seconds from start to ready, peak RSS (``VmHWM``) and RSS once ready, CPU seconds
until ready; then the rustmail/bare ratios, the machine's load and a reference loop. Targets: ready
within 60 s, RSS under 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The repository on the path instead of bench/, whose modules may be named like the standard library's.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402


def bare_client(api_base: str, token: str) -> None:
    """Connect with the bot's intents, wait for every guild to be chunked, say READY, idle."""
    import nextcord
    from nextcord.http import Route

    Route.BASE = api_base
    intents = nextcord.Intents.none()  # those of botrunner.bot.bot_intents (no Django here)
    intents.guilds = intents.members = intents.guild_messages = intents.dm_messages = True
    intents.message_content = intents.guild_typing = intents.dm_typing = intents.moderation = True
    client = nextcord.Client(intents=intents, guild_ready_timeout=0.5)

    @client.event
    async def on_ready() -> None:
        while not all(guild.chunked for guild in client.guilds):  # the last chunks may follow
            await asyncio.sleep(0.05)
        members = sum(len(guild.members) for guild in client.guilds)
        print(f"READY {members} members", flush=True)

    client.run(token)


def bench_database(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return "", None
    name = f"{parts.path.lstrip('/') or 'rustmail'}_bench_guild"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def postgres(url: str, sql: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql)


def memory(pid: int) -> tuple[float, float]:
    """Peak and current resident memory of a process, in MB (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def cpu(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    name: str
    seconds: float
    peak_mb: float
    rss_mb: float
    cpu: float
    members: int


def run(name: str, emu, guild_id: int, members: int, workdir: Path, timeout: float) -> Result:
    from tickets.models import GuildMember

    log = workdir / f"{name}.log"
    env = dict(os.environ, DISCORD_API_BASE=emu.api_base, DISCORD_REST_RATE="100000", DEBUG="false")
    env.pop("DISCORD_TOKEN", None)
    if name == "bare":
        command = [sys.executable, __file__, "--bare-client", emu.api_base, emu.bot_token]
    else:
        command = [sys.executable, "manage.py", "runbot"]
    started = time.monotonic()
    with log.open("w") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        while True:
            if name == "bare":
                text = log.read_text()
                done = "READY" in text
                count = int(text.split("READY", 1)[1].split()[0]) if done else 0
            else:
                count = GuildMember.objects.filter(guild_id=guild_id).count()
                done = count >= members
            if done:
                break
            if child.poll() is not None:
                sys.exit(f"{name} exited before it was ready:\n{log.read_text()[-3000:]}")
            if time.monotonic() - started > timeout:
                sys.exit(f"{name} was not ready within {timeout:.0f} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.25)
        seconds = time.monotonic() - started
        peak, rss = memory(child.pid)
        return Result(name, seconds, peak, rss, cpu(child.pid), count)
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--bare-client":
        bare_client(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--channels", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds each client gets to be ready")
    parser.add_argument("--only", choices=("bare", "rustmail"), help="run one client only")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rustmail-bench-guild-"))
    url, pg_name = bench_database(os.environ.get("DATABASE_URL", ""))
    if pg_name:
        postgres(url, f'DROP DATABASE IF EXISTS "{pg_name}"')
        postgres(url, f'CREATE DATABASE "{pg_name}"')
    else:
        url = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        DATABASE_URL=url,
        DATA_DIR=str(workdir),
        DEBUG="true",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="rustmail.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from tests.fakediscord.fixtures import make_emulator
    from tests.fakediscord.thread import FakeDiscordThread
    from tickets.models import BotConfig

    emu = None
    try:
        call_command("migrate", verbosity=0)
        emu = FakeDiscordThread(make_emulator(heartbeat_interval_ms=41250)).start()
        started = time.monotonic()
        guild_id = emu.call(lambda: emu.emu.seed_large_guild(members=args.members, channels=args.channels))
        print(
            f"seeded {args.members:,} members and {args.channels} channels "
            f"in {time.monotonic() - started:.1f} s"
        )
        cfg = BotConfig.load()
        cfg.bot_token = emu.bot_token
        cfg.mode_type = "single"
        cfg.mode_guild_id = guild_id
        cfg.save()
        names = [args.only] if args.only else ["bare", "rustmail"]
        results = [run(name, emu, guild_id, args.members, workdir, args.timeout) for name in names]
        database = "PostgreSQL" if pg_name else "SQLite"
        print(f"{database}: a guild of {args.members:,} members and {args.channels} channels")
        print(machine_line())
        print(f"{'client':<10} {'ready s':>8} {'peak MB':>8} {'RSS MB':>8} {'CPU s':>8} {'members':>9}")
        for r in results:
            print(
                f"{r.name:<10} {r.seconds:>8.1f} {r.peak_mb:>8.0f} {r.rss_mb:>8.0f} "
                f"{r.cpu:>8.1f} {r.members:>9,}"
            )
        if len(results) == 2:
            bare, ours = results
            print(
                f"rustmail/bare: ready {ours.seconds / bare.seconds:.2f}x, peak RSS "
                f"{ours.peak_mb / bare.peak_mb:.2f}x, CPU {ours.cpu / bare.cpu:.2f}x"
            )
        ours = results[-1]
        if ours.name == "rustmail":
            ok = ours.seconds <= 60 and ours.peak_mb < 400
            print(
                f"target (ready <= 60 s, RSS < 400 MB): {'met' if ok else 'not met'} "
                f"({ours.seconds:.0f} s, peak {ours.peak_mb:.0f} MB)"
            )
        print(machine_line())
    finally:
        if emu is not None:
            emu.stop()
        connections.close_all()
        if pg_name:
            postgres(url, f'DROP DATABASE IF EXISTS "{pg_name}"')
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
