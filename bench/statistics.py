"""Benchmark of ``GET /api/bot/statistics`` on PostgreSQL, with 100,000 tickets and 1,000,000 messages.

Usage (from the repository's root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/statistics.py

Like bench/api_tickets.py (whose helpers it uses) it never touches the database named in
``DATABASE_URL``: it creates ``<name>_bench``, migrates it, fills it with ``COPY`` (then
``VACUUM ANALYZE``), measures and drops it (``--keep`` keeps it, ``--reuse`` measures a kept one).

The tickets are spread evenly over the last 365 days (so 90 days hold about a quarter of them),
one in five still open; each has ten messages, the user's and the staff's in turn, from 20 staff
members, with first replies from a minute to a day after the opening; categories: four. Requests go
through the whole Django stack in-process as a staff member holding ViewPanel who is not an admin
(the category visibility rule applies; one category is hidden from them). For ``days=7``, ``30`` and
``90`` it prints, computed on every request (``STATISTICS_CACHE_SECONDS=0``) and then as served
(figures slow to compute kept in the cache for ``STATISTICS_CACHE_SECONDS``), p50 and p95 in ms,
the CPU per request of this process and of its PostgreSQL backend (read from /proc: the server
must run on this machine; these depend little on the load), the SQL queries of one request (the
backend's CPU and the queries are those of the request's connection: the parts computed side by
side run on connections of their own, see ``tickets.statistics.statistics``), and
the ratio to ``GET /api/health`` measured in the same run.
Target: p50 under 200 ms for ``days=90``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _hand_over_the_standard_library() -> None:
    """This file's name is the standard library's ``statistics``: a benchmark run from this folder
    (bench/ first on its path) that imports it finds this file. Put the library's module in its
    place, which is what that ``import`` then returns."""
    import importlib.util
    import sysconfig

    spec = importlib.util.spec_from_file_location(
        "statistics", Path(sysconfig.get_paths()["stdlib"]) / "statistics.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["statistics"] = module
    spec.loader.exec_module(module)


if __name__ != "__main__":
    _hand_over_the_standard_library()
else:
    sys.path.insert(0, str(ROOT))
    from bench.api_tickets import _copy, bench_url, drop_database, measure, recreate_database
    from bench.machine import machine_line

GUILD = 700_000_000_000_000_001
STAFF_ROLE = 700_000_000_000_000_100
CATEGORIES = [
    (700_000_000_000_001_000, "Inbox"),
    (700_000_000_000_001_001, "Billing"),
    (700_000_000_000_001_002, "Support"),
    (700_000_000_000_001_003, "Hidden"),  # the bench's staff member may not view it
]
STAFF_MEMBER = 700_000_000_000_000_200
FIRST_STAFF = 730_000_000_000_000_000
STAFF_COUNT = 20
FIRST_USER = 710_000_000_000_000_000
FIRST_MESSAGE_ID = 720_000_000_000_000_000
OPEN_EVERY = 5
DAYS = 365


def fill(tickets: int, messages: int) -> None:
    """The configured guild, the bench's staff member, ``tickets`` tickets over the last year and
    ``messages`` messages."""
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model
    from django.db import connection

    from panel.models import PanelPermission
    from tickets.discord.port import VIEW_CHANNEL
    from tickets.models import (
        BotConfig,
        GuildChannel,
        GuildMember,
        GuildRole,
        GuildSnapshot,
        Ticket,
        TicketMessage,
    )

    config = BotConfig.load()
    config.mode_guild_id = GUILD
    config.thread_inbox_category_id = CATEGORIES[0][0]
    config.save()
    GuildSnapshot.objects.create(guild_id=GUILD, name="Bench", owner_id=GUILD + 1)
    GuildRole.objects.create(guild_id=GUILD, role_id=GUILD, name="@everyone")
    GuildRole.objects.create(guild_id=GUILD, role_id=STAFF_ROLE, name="Staff", position=1)
    staff_view = [
        {"id": str(GUILD), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": str(STAFF_ROLE), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ]
    hidden = [{"id": str(GUILD), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)}]
    for channel_id, name in CATEGORIES:
        GuildChannel.objects.create(
            guild_id=GUILD,
            channel_id=channel_id,
            name=name,
            type=4,
            overwrites=hidden if name == "Hidden" else staff_view,
        )
    user = get_user_model().objects.create(username="bench-staff")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(STAFF_MEMBER), extra_data={})
    GuildMember.objects.create(
        guild_id=GUILD, user_id=STAFF_MEMBER, username="staff", role_ids=[str(STAFF_ROLE)]
    )
    PanelPermission.objects.create(
        subject_type="User", subject_id=STAFF_MEMBER, permission="ViewPanel", granted_by=1
    )

    now = datetime.now(UTC)
    start = now - timedelta(days=DAYS)
    step = timedelta(days=DAYS) / tickets
    ids = [uuid.uuid4() for _ in range(tickets)]
    per_ticket = max(messages // tickets, 1)

    def opened(n: int) -> datetime:
        return start + step * n

    def first_reply(n: int) -> timedelta:
        return timedelta(seconds=60 + (n * 7919) % 86_400)  # a minute to a day, spread

    answered = per_ticket > 1  # message 1, the first staff reply

    def ticket_rows() -> Iterator[dict]:
        for n, ticket_id in enumerate(ids):
            is_open = n % OPEN_EVERY == 0
            category_id, category_name = CATEGORIES[n % len(CATEGORIES)]
            created = opened(n)
            closed = created + first_reply(n) + timedelta(hours=1 + n % 48)
            if not is_open and closed > now:
                closed = now
            yield {
                "id": ticket_id,
                "user_id": FIRST_USER + n,
                "user_name": f"user{n:06d}",
                "guild_id": GUILD,
                "channel_id": FIRST_USER + 10_000_000 + n,
                "created_at": created,
                "status": 1 if is_open else 0,
                "closed_at": None if is_open else closed,
                "closed_by": None
                if is_open
                else ("scheduled" if n % 7 == 0 else str(FIRST_STAFF + n % STAFF_COUNT)),
                "category_id": category_id,
                "category_name": category_name,
                # The first staff reply (message 1, as message_rows makes it), as the reply service
                # records it.
                "first_response_at": created + first_reply(n) + timedelta(seconds=30) if answered else None,
                "first_response_by": FIRST_STAFF + n % STAFF_COUNT if answered else None,
            }

    def message_rows() -> Iterator[dict]:
        message_id = FIRST_MESSAGE_ID
        for n, ticket_id in enumerate(ids):
            created = opened(n)
            reply = first_reply(n)
            for m in range(per_ticket):
                staff = m % 2 == 1
                staff_id = FIRST_STAFF + (n + m // 2) % STAFF_COUNT
                message_id += 2
                yield {
                    "ticket_id": ticket_id,
                    "kind": "staff" if staff else "user",
                    "author_id": staff_id if staff else FIRST_USER + n,
                    "author_name": f"staff{staff_id % 100:02d}" if staff else f"user{n:06d}",
                    "message_number": m // 2 + 1 if staff else None,
                    # Authors take turns: a staff member's first reply in the ticket unless they came round.
                    "first_of_author": staff and m // 2 < STAFF_COUNT,
                    "dm_message_id": message_id,
                    "inbox_message_id": message_id + 1,
                    "content": f"Message {m} of ticket {n}: " + "lorem ipsum dolor sit amet " * 3,
                    "created_at": created
                    + reply * (m // 2 + (1 if staff else 0))
                    + timedelta(seconds=30 * m),
                }

    started = time.perf_counter()
    made_tickets = _copy(Ticket, ticket_rows())
    made_messages = _copy(TicketMessage, message_rows())
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{Ticket._meta.db_table}"')
        cursor.execute(f'VACUUM ANALYZE "{TicketMessage._meta.db_table}"')
    seconds = time.perf_counter() - started
    print(f"filled {made_tickets:,} tickets and {made_messages:,} messages in {seconds:.1f} s")


def database_cpu_ms() -> float:
    """CPU time (user + system, ms) the PostgreSQL backend of this process's connection has used:
    read from /proc, so the server must run on this machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def measure_case(client, path: str, repeat: int):
    """``api_tickets.measure`` and the database's CPU per request (over the same requests, warm-up
    included: ``repeat`` + 4)."""
    before = database_cpu_ms()
    figures = measure(client, path, repeat)
    return figures, (database_cpu_ms() - before) / (repeat + 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="Measured requests per case.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Measure an existing benchmark database.")
    options = parser.parse_args()

    configured = os.environ.get("DATABASE_URL", "")
    url, name = bench_url(configured)
    name = name.replace("_bench", "_statbench")
    url = url.rsplit("/", 1)[0] + "/" + name
    if not options.reuse:
        recreate_database(configured, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 32)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from tickets.models import Ticket, TicketMessage

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        call_command("migrate", verbosity=0)
        if not options.reuse:
            fill(options.tickets, options.messages)
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-staff"))
        print(
            f"{Ticket.objects.count():,} tickets, {TicketMessage.objects.count():,} messages; "
            f"{options.requests} requests per case, in-process"
        )
        print(machine_line())
        baseline, base_db = measure_case(client, "/api/health", options.requests)
        columns = ("p50 ms", "p95 ms", "CPU ms", "DB CPU", "queries", "p50/base")
        print(f"{'case':<34} " + " ".join(f"{c:>8}" for c in columns), "target")
        row = "{:<34} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} {:>8} {:>8} {}"
        print(
            row.format(
                "baseline: GET /api/health",
                baseline.p50,
                baseline.p95,
                baseline.cpu,
                base_db,
                baseline.queries,
                "1.0x",
                "",
            )
        )
        # Computed on every request, then as served: figures slow to compute are kept
        # STATISTICS_CACHE_SECONDS in the cache (the first request of a case computes them).
        served_for = settings.STATISTICS_CACHE_SECONDS
        for mode, seconds in (("computed", 0), ("served", served_for)):
            settings.STATISTICS_CACHE_SECONDS = seconds
            for days in (7, 30, 90):
                cache.clear()
                f, db_cpu = measure_case(client, f"/api/bot/statistics?days={days}", options.requests)
                goal = "p50 < 200 ms" if days == 90 else ""
                print(
                    row.format(
                        f"{mode}: statistics?days={days}",
                        f.p50,
                        f.p95,
                        f.cpu,
                        db_cpu,
                        f.queries,
                        f"{f.p50 / baseline.p50:.1f}x",
                        goal,
                    )
                )
        print(
            f"served: STATISTICS_CACHE_SECONDS={served_for} (figures computed in over 0.1 s are kept that "
            f"long), cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
        )
        print(machine_line())
    finally:
        if not options.keep:
            drop_database(configured, name)


if __name__ == "__main__":
    main()
