"""Benchmark of ``GET /api/bot/tickets`` on PostgreSQL, with 100,000 tickets and 1,000,000 messages.

Usage (from the repository's root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/api_tickets.py

It never touches the database named in ``DATABASE_URL``: it creates (or recreates) a separate one
on the same server, named after it with ``_bench`` appended (``rustmail_bench``), migrates it,
fills it with ``COPY`` (then ``VACUUM ANALYZE``, as autovacuum would), measures, and drops it.
Options: ``--tickets``, ``--messages``, ``--requests`` (per case), ``--keep`` (keep the database),
``--reuse`` (measure a kept database without filling it again).

The requests go through the whole Django stack in-process (middleware, session, authentication,
panel permissions, serialization) as a staff member holding ViewPanel who is not an admin, so the
category visibility rule applies. For each case it prints p50 and p95 in milliseconds, the CPU time
of this process per request (Python's share; PostgreSQL's runs elsewhere) and the SQL queries one
request costs (its permissions cached, as after the first request of a session): the first page
(``page_size=50``, then 200), a deep page of closed tickets (the middle one, the deepest there is
since a page in the second half is read from the other end), closed tickets by ``closed_at``, and
one ticket by ``?id=``.

The baseline, measured in the same run, is ``GET /api/health`` (the same stack and one small query):
each case's p50 is also printed as a ratio to it, which compares across machines and loads better
than milliseconds do; the machine's load and a reference loop are printed too. Targets (p50, on a
quiet machine): 25 ms for the first page of 50, 60 ms for 200, 30 ms for the deep page; and a query
count that depends neither on the page size nor on the depth.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
# The repository on the path instead of bench/, whose modules may be named like the standard library's.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402

GUILD = 700_000_000_000_000_001
STAFF_ROLE = 700_000_000_000_000_100
INBOX = 700_000_000_000_001_000
OTHER_CATEGORY = 700_000_000_000_001_001
STAFF_MEMBER = 700_000_000_000_000_200
FIRST_USER = 710_000_000_000_000_000
FIRST_MESSAGE_ID = 720_000_000_000_000_000
START = datetime(2024, 1, 1, tzinfo=UTC)
OPEN_EVERY = 5  # one ticket in five is open


def bench_url(url: str) -> tuple[str, str]:
    """The benchmark database's URL and name, beside the configured one."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/api_tickets.py runs on PostgreSQL: set DATABASE_URL=postgres://...")
    name = f"{parts.path.lstrip('/') or 'rustmail'}_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def recreate_database(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _fields(model) -> list:
    """The columns COPY fills: all but an auto-incremented primary key."""
    return [
        f for f in model._meta.concrete_fields if f.get_internal_type() not in ("AutoField", "BigAutoField")
    ]


def _columns(model, values: dict) -> tuple[list[str], list[object]]:
    """Every concrete column of ``model``, with ``values`` or the field's default (JSON as text)."""
    columns, template = [], []
    for field in _fields(model):
        columns.append(field.column)
        value = values.get(field.attname, field.get_default())
        template.append(json.dumps(value) if field.get_internal_type() == "JSONField" else value)
    return columns, template


def _copy(model, rows: Iterator[dict]) -> int:
    """COPY rows (dicts of attname → value; other columns take their defaults) into ``model``'s table."""
    from django.db import connection

    first = next(rows)
    columns, template = _columns(model, first)
    names = [f.attname for f in _fields(model)]
    index = {name: i for i, name in enumerate(names)}
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        quoted = ", ".join(f'"{c}"' for c in columns)
        with raw.copy(f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN') as copy:
            for row in (first, *rows):
                values = list(template)
                for name, value in row.items():
                    values[index[name]] = value
                copy.write_row(values)
                count += 1
    return count


def fill_guild() -> None:
    """The configured guild, its Inbox and another category, and a staff member (``bench-staff``)
    holding ViewPanel who is not an admin."""
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model

    from panel.models import PanelPermission
    from tickets.discord.port import VIEW_CHANNEL
    from tickets.models import BotConfig, GuildChannel, GuildMember, GuildRole, GuildSnapshot

    config = BotConfig.load()
    config.mode_guild_id = GUILD
    config.thread_inbox_category_id = INBOX
    config.save()
    GuildSnapshot.objects.create(guild_id=GUILD, name="Bench", owner_id=GUILD + 1)
    GuildRole.objects.create(guild_id=GUILD, role_id=GUILD, name="@everyone")
    GuildRole.objects.create(guild_id=GUILD, role_id=STAFF_ROLE, name="Staff", position=1)
    staff_view = [
        {"id": str(GUILD), "type": 0, "allow": "0", "deny": str(VIEW_CHANNEL)},
        {"id": str(STAFF_ROLE), "type": 0, "allow": str(VIEW_CHANNEL), "deny": "0"},
    ]
    GuildChannel.objects.create(guild_id=GUILD, channel_id=INBOX, name="Inbox", type=4, overwrites=staff_view)
    GuildChannel.objects.create(
        guild_id=GUILD, channel_id=OTHER_CATEGORY, name="Other", type=4, overwrites=staff_view
    )
    user = get_user_model().objects.create(username="bench-staff")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(STAFF_MEMBER), extra_data={})
    GuildMember.objects.create(
        guild_id=GUILD, user_id=STAFF_MEMBER, username="staff", role_ids=[str(STAFF_ROLE)]
    )
    PanelPermission.objects.create(
        subject_type="User", subject_id=STAFF_MEMBER, permission="ViewPanel", granted_by=1
    )


def ticket_rows(ids: list[uuid.UUID], per_ticket: int) -> Iterator[dict]:
    """The tickets (one in five open, one in ten in the other category), five minutes apart."""
    for n, ticket_id in enumerate(ids):
        created = START + timedelta(minutes=5 * n)
        is_open = n % OPEN_EVERY == 0
        yield {
            "id": ticket_id,
            "user_id": FIRST_USER + n,
            "user_name": f"user{n:06d}",
            "guild_id": GUILD,
            "channel_id": FIRST_USER + 10_000_000 + n,
            "created_at": created,
            "next_message_number": per_ticket // 2 + 1,
            "status": 1 if is_open else 0,
            "closed_at": None if is_open else created + timedelta(hours=3),
            "closed_by": None if is_open else str(STAFF_MEMBER),
            "category_id": OTHER_CATEGORY if n % 10 == 3 else INBOX,
            "category_name": "Inbox",
        }


def message_rows(ids: list[uuid.UUID], per_ticket: int) -> Iterator[dict]:
    """``per_ticket`` messages of each ticket, the user's and the staff's in turn."""
    message_id = FIRST_MESSAGE_ID
    for n, ticket_id in enumerate(ids):
        created = START + timedelta(minutes=5 * n)
        for m in range(per_ticket):
            staff = m % 2 == 1
            message_id += 2
            yield {
                "ticket_id": ticket_id,
                "kind": "staff" if staff else "user",
                "author_id": STAFF_MEMBER if staff else FIRST_USER + n,
                "author_name": "staff" if staff else f"user{n:06d}",
                "message_number": m // 2 + 1 if staff else None,
                "dm_message_id": message_id,
                "inbox_message_id": message_id + 1,
                "content": f"Message {m} of ticket {n}: " + "lorem ipsum dolor sit amet " * 3,
                "created_at": created + timedelta(seconds=30 * m),
            }


def fill(tickets: int, messages: int) -> tuple[int, int]:
    """The configured guild, a staff member, ``tickets`` tickets and ``messages`` messages (COPY)."""
    from django.db import connection

    from tickets.models import Ticket, TicketMessage

    fill_guild()
    ids = [uuid.uuid4() for _ in range(tickets)]
    per_ticket = max(messages // tickets, 1)
    started = time.perf_counter()
    made_tickets = _copy(Ticket, ticket_rows(ids, per_ticket))
    made_messages = _copy(TicketMessage, message_rows(ids, per_ticket))
    with connection.cursor() as cursor:
        # What autovacuum does to a live database: statistics and the visibility map.
        cursor.execute(f'VACUUM ANALYZE "{Ticket._meta.db_table}"')
        cursor.execute(f'VACUUM ANALYZE "{TicketMessage._meta.db_table}"')
    seconds = time.perf_counter() - started
    print(f"filled {made_tickets:,} tickets and {made_messages:,} messages in {seconds:.1f} s")
    return made_tickets, made_messages


@dataclass
class Figures:
    p50: float
    p95: float
    cpu: float  # ms of this process's CPU per request
    queries: int


def measure(client, path: str, repeat: int) -> Figures:
    """p50 and p95 in ms over ``repeat`` requests (after a warm-up), CPU per request, and the
    queries of one request."""
    from django.db import connection

    for _ in range(3):
        assert client.get(path).status_code == 200, path
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    timings = []
    cpu_started = time.process_time()
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.content[:200])
    cpu = (time.process_time() - cpu_started) * 1000 / repeat
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    middle = len(timings) // 2  # the median (not statistics.median: bench/statistics.py shadows it)
    p50 = timings[middle] if len(timings) % 2 else (timings[middle - 1] + timings[middle]) / 2
    return Figures(p50, p95, cpu, len(executed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="Measured requests per case.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Measure an existing benchmark database.")
    options = parser.parse_args()

    configured = os.environ.get("DATABASE_URL", "")
    url, name = bench_url(configured)
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
    from django.core.management import call_command
    from django.test import Client

    from tickets.models import Ticket

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        call_command("migrate", verbosity=0)  # a kept database gets the newer migrations too
        if not options.reuse:
            fill(options.tickets, options.messages)
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-staff"))
        closed = Ticket.objects.filter(status=0).count()
        deep = max(closed // 50 // 2, 1)
        some = Ticket.objects.order_by("created_at")[options.tickets // 2].pk
        cases = [
            ("first page, page_size=50", "/api/bot/tickets", 25),
            ("first page, page_size=200", "/api/bot/tickets?page_size=200", 60),
            (f"deep page {deep} of closed, page_size=50", f"/api/bot/tickets?status=0&page={deep}", 30),
            (
                "closed by closed_at asc, page_size=50",
                "/api/bot/tickets?status=0&sort_by=closed_at&sort_order=asc",
                None,
            ),
            ("one ticket by ?id=", f"/api/bot/tickets?id={some}", None),
        ]
        print(f"{Ticket.objects.count():,} tickets; {options.requests} requests per case, in-process")
        print(machine_line())
        baseline = measure(client, "/api/health", options.requests)
        print(f"{'case':<42} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8} {'p50/base':>9} target")
        row = "{:<42} {:>8.1f} {:>8.1f} {:>8.1f} {:>8} {:>9} {}"
        print(
            row.format(
                "baseline: GET /api/health",
                baseline.p50,
                baseline.p95,
                baseline.cpu,
                baseline.queries,
                "1.0x",
                "",
            )
        )
        for label, path, target in cases:
            f = measure(client, path, options.requests)
            ratio = f"{f.p50 / baseline.p50:.1f}x"
            goal = f"p50 <= {target} ms" if target else ""
            print(row.format(label, f.p50, f.p95, f.cpu, f.queries, ratio, goal))
        print(machine_line())
    finally:
        if not options.keep:
            drop_database(configured, name)


if __name__ == "__main__":
    main()
