"""Benchmark of the DM relay: this bot against a bare nextcord bot, through the Discord emulator.

Usage (from the repository's root)::

    .venv/bin/python bench/relay.py                          # SQLite, 20 users x 25 DMs
    .venv/bin/python bench/relay.py --users 50 --dms 40
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/relay.py

It never touches your data: on SQLite it works in a temporary folder, on PostgreSQL in a database
of its own beside the configured one (``rustmail_bench_relay``), dropped at the end (kept with
``--keep-database``, and reused by the next run). The emulator
runs in this process (a fresh one per bot). Two bots run one after the other as child processes:

- **bare**: a nextcord client that only forwards each DM's text to one channel (``--bare-bot``);
- **rustmail**: ``manage.py runbot``: each DM is checked (blocked? member? maintenance?), stored in
  the user's ticket, copied into the ticket channel (with a nonce) and acknowledged with a ✅.

Each user first sends one DM that is not measured (it opens the ticket, and warms both bots up);
then every user sends ``--dms`` DMs, all users at once, each as soon as the previous one was
delivered to the gateway (``--pace`` seconds apart if given). Printed for each bot: relayed DMs per
second (first DM sent to last copy made), p50 and p95 of the relay latency (a DM's creation to its
copy's creation, both timed by the emulator), and the bot's CPU time per relayed DM (user + system
time of the child process from ``/proc``, over the measured part only); then rustmail/bare ratios.
Also printed for this bot: the SQL statements it ran per relayed DM, with BEGIN/COMMIT apart (every
connection of the bot is counted; the supervisor's heartbeat, a few statements a second, is in).
Targets: rustmail's throughput at least 0.95 times the bare bot's, at most 5 ms of CPU and at most 6
statements per DM. The machine's load (before and after) and the "reference loop", the CPU time of a
fixed Python loop in this process, are printed with the figures: this shared machine's speed
drifts, so compare CPU figures of different runs only in proportion to it.

Both bots keep to the same global request rate (``--rest-rate``: ``DISCORD_REST_RATE`` of runbot,
nextcord's own global limit of the bare bot), by default 100000 per second, so that both run at the
speed of their own code; the emulator's rate limits are off. Against Discord itself the global limit
is 50 requests per second (``--rest-rate 50``): the bare bot then forwards at most 50 DMs per second;
this bot makes two requests per DM (the copy and the ✅) when it keeps up, but when a user's DMs
queue up only the newest of the queue gets the ✅, so under that limit it nears one request per DM.

``--profile`` runs this bot under py-spy (``pip install py-spy``), sampling the thread that holds the
GIL (where its Python code spends CPU), and writes the collapsed stacks (``profile.txt``, for any
flame graph tool) beside the database.
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
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this folder comes first on the path: its modules (bench/statistics.py) must not
# shadow the standard library's for Django and nextcord.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


# --- the bare bot (a child process; no Django) ---------------------------------------------------
def bare_bot(api_base: str, token: str, channel_id: int, rate: int) -> None:
    """Forward every DM's text to ``channel_id``, nothing else; at most ``rate`` requests per second
    (nextcord's own global limit, 50 by default, like Discord's)."""
    import nextcord
    from nextcord.http import Route

    Route.BASE = api_base
    intents = nextcord.Intents.none()
    intents.guilds = True
    intents.dm_messages = True
    intents.message_content = True
    client = nextcord.Client(intents=intents, guild_ready_timeout=0.5)
    client.http._max_global_requests = rate  # nextcord has no public setting for it
    target = client.get_partial_messageable(channel_id)

    @client.event
    async def on_ready() -> None:
        print("READY", flush=True)

    @client.event
    async def on_message(message: nextcord.Message) -> None:
        if message.guild is None and message.author.id != client.user.id:
            await target.send(message.content)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: asyncio.ensure_future(client.close()))
        await client.start(token)

    asyncio.run(main())


# --- this bot, its SQL statements counted (a child process) -------------------------------------
def counted_runbot(count_file: str) -> None:
    """``manage.py runbot``, counting the SQL statements it runs (every thread's connections); the
    counts (data statements, transaction control) go to ``count_file`` ten times a second."""
    import threading

    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    from django.db.backends.signals import connection_created

    counts = {"statements": 0, "control": 0}
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

    def counter(execute, sql, params, many, context):
        counts["control" if sql.lstrip().upper().startswith(control) else "statements"] += 1
        return execute(sql, params, many, context)

    def track(sender, connection, **kwargs) -> None:
        if counter not in connection.execute_wrappers:
            connection.execute_wrappers.append(counter)

    connection_created.connect(track, weak=False)

    def write() -> None:
        while True:
            # Written aside, then renamed over: a reader never sees the file empty (half written).
            Path(f"{count_file}.new").write_text(f"{counts['statements']} {counts['control']}")
            os.replace(f"{count_file}.new", count_file)
            time.sleep(0.1)

    threading.Thread(target=write, daemon=True).start()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["manage.py", "runbot"])


def read_counts(count_file: Path) -> tuple[int, int]:
    """The bot's statement counts so far (after the writer's next tick)."""
    time.sleep(0.25)
    statements, control = count_file.read_text().split()
    return int(statements), int(control)


# --- the database ----------------------------------------------------------------------------
def bench_database(url: str) -> tuple[str, str | None]:
    """The benchmark's database URL, and the PostgreSQL database to create and drop (None: SQLite)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        return "", None
    name = f"{parts.path.lstrip('/') or 'rustmail'}_bench_relay"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def postgres(url: str, sql: str) -> Any:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchone() if sql.startswith("SELECT") else None


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time a process (all its threads) used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


# --- one run ---------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    relayed: int
    seconds: float
    latencies: list[float]
    cpu_user: float
    cpu_system: float
    statements: int | None = None  # SQL statements the bot ran while measured (None: not counted)
    control: int | None = None  # of which BEGIN, COMMIT, savepoints, counted apart
    ticked: int = 0  # measured DMs bearing a reaction of the bot when the last copy was made

    @property
    def rate(self) -> float:
        return self.relayed / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * (self.cpu_user + self.cpu_system) / self.relayed

    @property
    def system_share(self) -> float:
        return self.cpu_system / ((self.cpu_user + self.cpu_system) or 1)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def make_users(emu: Any, count: int) -> list[int]:
    users = []
    for index in range(count):
        user = emu.create_user(f"bench{index}", global_name=f"Bench {index}")
        emu.add_member(emu.demo.guild_id, user)
        users.append(user)
    return users


async def send_all(emu: Any, users: list[int], dms: int, pace: float, tag: str) -> list[int]:
    """Every user sends ``dms`` DMs (on the emulator's loop); returns the DMs' IDs."""
    sent: list[int] = []

    async def one(user: int, offset: float) -> None:
        await asyncio.sleep(offset)
        for index in range(dms):
            message = await emu.user_dm(user, f"{tag} {user} {index}")
            sent.append(int(message["id"]))
            if pace:
                await asyncio.sleep(pace)

    # Paced users start spread over one pace, so the DMs come evenly rather than in bursts.
    await asyncio.gather(*(one(user, i * pace / len(users)) for i, user in enumerate(users)))
    return sent


def on_loop(emu: Any, coroutine: Any) -> Any:
    """Run a coroutine on the emulator's loop and wait for its result (however long it takes)."""
    return asyncio.run_coroutine_threadsafe(coroutine, emu.loop).result()


def copies(emu: Any, bare: bool, channel_id: int | None) -> dict[Any, float]:
    """The bot's copies so far, keyed by what identifies the DM, with their creation times
    (run on the emulator's loop): the text (bare bot) or the DM's ID from the nonce (rustmail)."""
    found: dict[Any, float] = {}
    for message in list(emu.state.messages.values()):
        if message.author_id != emu.state.bot_id or message.guild_id is None:
            continue
        if bare:
            if message.channel_id == channel_id:
                found[message.content] = message.timestamp
        elif str(message.nonce or "").startswith("u") and str(message.nonce).endswith(":0"):
            found[int(str(message.nonce)[1:].split(":")[0])] = message.timestamp
    return found


def wait_for(probe, timeout: float, what: str, child: subprocess.Popen, log: Path) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if child.poll() is not None:
            sys.exit(f"the bot exited while waiting for {what}:\n{log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out waiting for {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def run_bot(name: str, args: argparse.Namespace, workdir: Path) -> Result:
    from django.core.management import call_command

    from tests.fakediscord.fixtures import make_emulator
    from tests.fakediscord.thread import FakeDiscordThread
    from tickets.models import BotConfig, SystemState

    bare = name == "bare"
    emu = FakeDiscordThread(make_emulator(heartbeat_interval_ms=41250)).start()
    log = workdir / f"{name}.log"
    child = None
    try:
        users = make_users(emu, args.users)
        demo = emu.demo
        if bare:
            command = [sys.executable, __file__, "--bare-bot", emu.api_base, emu.bot_token]
            command += [str(demo.general_channel_id), str(args.rest_rate)]
            ready = lambda: "READY" in log.read_text()  # noqa: E731
        else:
            call_command("flush", interactive=False, verbosity=0)
            cfg = BotConfig.load()
            cfg.bot_token = emu.bot_token
            cfg.mode_type = "single"
            cfg.mode_guild_id = demo.guild_id
            cfg.thread_inbox_category_id = demo.inbox_category_id
            cfg.bot_logs_channel_id = demo.logs_channel_id
            cfg.save()
            command = [sys.executable, __file__, "--counted-runbot", str(workdir / "queries.txt")]
            ready = lambda: "Recovery at startup" in log.read_text()  # noqa: E731
        if args.profile and not bare:
            spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
            profile = ["record", "--gil", "-r", "250", "-f", "raw", "-o", str(workdir / "profile.txt")]
            command = [spy, *profile, "--", *command]
        env = dict(
            os.environ,
            DISCORD_API_BASE=emu.api_base,
            DISCORD_REST_RATE=str(args.rest_rate),
            LOG_LEVEL="WARNING" if not bare else "INFO",
            DEBUG="false",  # as in production: no SQL kept for the debug page
        )
        env.pop("DISCORD_TOKEN", None)
        with log.open("w") as out:
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        if not bare:  # runbot logs at WARNING here; its readiness shows in the database
            ready = lambda: SystemState.load().bot_connected  # noqa: E731
        wait_for(ready, 60, "the bot to connect", child, log)
        pid = child.pid if not args.profile or bare else _profiled_pid(child.pid)

        channel = demo.general_channel_id if bare else None
        warm = on_loop(emu, send_all(emu.emu, users, 1, 0.0, "warm-up"))
        wait_for(
            lambda: len(emu.call(copies, emu.emu, bare, channel)) >= len(warm), 120, "the warm-up", child, log
        )
        counted = workdir / "queries.txt"
        counts_before = read_counts(counted) if not bare else None
        cpu_before = cpu_seconds(pid)
        before = set(emu.call(copies, emu.emu, bare, channel))
        sent = on_loop(emu, send_all(emu.emu, users, args.dms, args.pace, "dm"))
        total = len(sent)

        def done() -> dict[Any, float] | None:
            made = emu.call(copies, emu.emu, bare, channel)
            return made if len(made) - len(before) >= total else None

        made = wait_for(done, 600, "every copy", child, log)
        cpu_after = cpu_seconds(pid)
        counts_after = read_counts(counted) if not bare else None

        def timings() -> tuple[list[float], float, float]:
            dms = [emu.emu.state.messages[i] for i in sent]
            keys = [m.content if bare else m.id for m in dms]
            latencies = [made[k] - m.timestamp for k, m in zip(keys, dms, strict=True)]
            return latencies, min(m.timestamp for m in dms), max(made[k] for k in keys)

        latencies, first, last = emu.call(timings)
        user, system = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
        result = Result(name, total, last - first, latencies, user, system)
        result.ticked = emu.call(lambda: sum(1 for i in sent if emu.emu.state.messages[i].reactions))
        if counts_before and counts_after:
            result.statements = counts_after[0] - counts_before[0]
            result.control = counts_after[1] - counts_before[1]
        return result
    finally:
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGINT if args.profile and not bare else signal.SIGTERM)
            try:
                child.wait(60)
            except subprocess.TimeoutExpired:
                child.kill()
        emu.stop()


def _profiled_pid(spy_pid: int) -> int:
    """The bot's PID under py-spy (its child)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{spy_pid}/task/{spy_pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    return spy_pid


def machine_speed() -> float:
    """CPU seconds of a fixed pure-Python loop: CPU times from runs on other days compare only
    after scaling by it (shared machines change speed)."""
    started = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.process_time() - started


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def queries_per_dm(r: Result) -> str:
    if r.statements is None:
        return "-"
    return f"{r.statements / r.relayed:.1f}+{r.control / r.relayed:.1f}"


def report(results: list[Result], database: str, args: argparse.Namespace, load_before: str) -> None:
    pace = f"{args.pace:.3f} s apart" if args.pace else "as fast as the gateway takes them"
    print(f"{database}: {args.users} users x {args.dms} DMs ({pace}); DISCORD_REST_RATE={args.rest_rate}")
    print(f"machine: before {load_before}; after {load_line()}; reference loop {machine_speed():.2f} s")
    header = f"{'bot':<10} {'DMs/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/DM':>10} {'of it sys':>10}"
    print(f"{header} {'SQL/DM':>10}")
    for r in results:
        p50, p95 = r.percentile(0.5), r.percentile(0.95)
        print(
            f"{r.name:<10} {r.rate:>8.1f} {p50:>8.1f} {p95:>8.1f} {r.cpu_ms:>10.2f} {r.system_share:>10.0%}"
            f" {queries_per_dm(r):>10}"
        )
    print(
        "SQL/DM: statements per relayed DM + BEGIN/COMMIT, over the measured part (the supervisor's "
        "heartbeat, about 3 statements a second, included)"
    )
    if len(results) != 2:
        return
    bare, ours = results
    print(
        f"rustmail/bare: throughput {ours.rate / bare.rate:.2f}x (target >= 0.95), "
        f"p50 latency {ours.percentile(0.5) / bare.percentile(0.5):.2f}x, "
        f"CPU per DM {ours.cpu_ms / bare.cpu_ms:.2f}x ({ours.cpu_ms:.2f} ms; target <= 5 ms); "
        f"SQL per DM {queries_per_dm(ours)} (target <= 6 statements)"
    )
    print(
        f"rustmail: {ours.ticked} of the {ours.relayed} measured DMs bore their ✅ "
        "when the last copy was made "
        "(a ✅ waits for Discord's budget to have room; in a burst only the newest DM gets one)"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--counted-runbot":
        counted_runbot(sys.argv[2])
        return
    if len(sys.argv) == 6 and sys.argv[1] == "--bare-bot":
        bare_bot(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--dms", type=int, default=25, help="DMs per user (measured)")
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between two DMs of one user")
    parser.add_argument("--rest-rate", type=int, default=100_000, help="DISCORD_REST_RATE of the bot")
    parser.add_argument("--only", choices=("bare", "rustmail"), help="run one bot only")
    parser.add_argument("--profile", action="store_true", help="run the bot under py-spy")
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="PostgreSQL: keep the bench's database (a server busy dropping others can hang DROP DATABASE)",
    )
    args = parser.parse_args()

    load_before = load_line()
    workdir = Path(tempfile.mkdtemp(prefix="rustmail-bench-relay-"))
    url, pg_name = bench_database(os.environ.get("DATABASE_URL", ""))
    if pg_name:  # one left by a run with --keep-database is reused (migrated, and flushed per bot)
        if not postgres(url, f"SELECT 1 FROM pg_database WHERE datname = '{pg_name}'"):
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
        # The bot decrypts the token this process stores: both use the same key.
        SECRET_KEY="rustmail-bench-relay-" + "s" * 40,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        names = [args.only] if args.only else ["bare", "rustmail"]
        results = [run_bot(name, args, workdir) for name in names]
        report(results, "PostgreSQL" if pg_name else "SQLite", args, load_before)
        if args.profile:
            print(f"profile (py-spy's collapsed stacks): {workdir / 'profile.txt'}")
    finally:
        connections.close_all()
        if pg_name and not args.keep_database:
            postgres(url, f'DROP DATABASE IF EXISTS "{pg_name}"')


if __name__ == "__main__":
    main()
