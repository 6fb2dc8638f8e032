"""Benchmark of full-text search, ``GET /api/bot/tickets?q=``, over 1,000,000 messages on PostgreSQL.

Usage (from the repository's root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/search.py

It never touches the database named in ``DATABASE_URL``: it uses a separate one on the same server,
named after it with ``_search_bench`` appended, and keeps it, so that the next run reuses the seed
(``--fresh`` fills it again, ``--drop`` drops it at the end). The seed (``COPY``, the search index
built once after it, then ``VACUUM ANALYZE``): 100,000 tickets and 1,000,000 messages of 8 to 40
words drawn from a 3,000-word vocabulary with a Zipf law (a few words are everywhere, most are
rare), with planted words at known rates: ``refund`` in 1% of messages, the phrase ``credit card``
in 0.5%, ``paypal`` in 0.2%, ``chargeback`` in 0.01%; one closed ticket holds 10,000 of the messages.

The requests go through the whole Django stack in-process as a staff member holding ViewPanel who is
not an admin (hidden categories and deleted messages apply). For each query it prints the matching
tickets, p50 and p95 in milliseconds, the CPU time of this process per request (PostgreSQL's runs
elsewhere) and the SQL queries of one request; then the p50 over all the queries, against the
target of 100 ms, and ``GET /api/health`` as a baseline of the same run. When bench/transcript.py
is there, it also downloads the transcript of the 10,000-message ticket in each format (targets:
under 2 s and under 100 MB).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# bench/statistics.py (a benchmark) would shadow the standard library's module of the same name.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
import statistics  # noqa: E402

sys.path[:0] = [str(BENCH), str(ROOT)]
from machine import machine_line  # noqa: E402

GUILD = 760_000_000_000_000_001
STAFF_ROLE = 760_000_000_000_000_100
INBOX = 760_000_000_000_001_000
STAFF_MEMBER = 760_000_000_000_000_200
FIRST_USER = 770_000_000_000_000_000
FIRST_MESSAGE_ID = 780_000_000_000_000_000
START = datetime(2024, 1, 1, tzinfo=UTC)
LONG_TICKET_MESSAGES = 10_000
PLANTED = (("refund", 0.01), ("credit card", 0.005), ("paypal", 0.002), ("chargeback", 0.0001))
QUERIES = (
    "refund",
    '"credit card"',
    "refund -paypal",
    "paypal OR chargeback",
    "chargeback",
    "user004242",
    "shipping delayed",
    "order",
)
TARGET_MS = 100


def _copy(model, rows: Iterator[dict]) -> int:
    """COPY rows (dicts of attname → value; other columns take their field's default) into the table."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.get_internal_type() != "BigAutoField"]
    names = [f.attname for f in fields]
    template = [
        json.dumps(f.get_default()) if f.get_internal_type() == "JSONField" else f.get_default()
        for f in fields
    ]
    index = {name: i for i, name in enumerate(names)}
    quoted = ", ".join(f'"{f.column}"' for f in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            values = list(template)
            for name, value in row.items():
                values[index[name]] = value
            copy.write_row(values)
            count += 1
    return count


@dataclass
class Figures:
    p50: float
    p95: float
    cpu: float  # ms of this process's CPU per request
    queries: int


def measure(client, path: str, repeat: int) -> Figures:
    """p50 and p95 in ms over ``repeat`` requests (after a warm-up), this process's CPU per
    request, and the SQL queries of one request."""
    from django.db import connection

    for _ in range(2):
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
    return Figures(statistics.median(timings), p95, cpu, len(executed))


def bench_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/search.py runs on PostgreSQL: set DATABASE_URL=postgres://...")
    name = f"{parts.path.lstrip('/') or 'rustmail'}_search_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def ensure_database(url: str, name: str, *, fresh: bool) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}"')
        if not exists or fresh:
            connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def vocabulary(size: int = 3000) -> list[str]:
    """Pronounceable made-up words plus everyday support words (the most frequent)."""
    common = [
        *("order", "hello", "thanks", "please", "help", "account", "issue", "problem", "still"),
        *("waiting", "shipping", "delayed", "package", "address", "email", "password", "login"),
        *("error", "update", "question", "answer", "today", "tomorrow"),
    ]
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pa", "do", "fi", "gu", "be"]
    words = list(common)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def writer(rng: random.Random) -> Callable[[], str]:
    """A maker of message texts: Zipf-distributed words, with the planted words at their rates."""
    words = vocabulary()
    cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))

    def text() -> str:
        chosen = rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 40))
        for planted, rate in PLANTED:
            if rng.random() < rate:
                chosen.insert(rng.randrange(len(chosen)), planted)
        return " ".join(chosen).capitalize() + "."

    return text


def top_up(missing: int) -> None:
    """Messages added to a seed that has too few (one more to each of the first tickets)."""
    from django.db import connection

    from tickets.models import Ticket, TicketMessage

    text = writer(random.Random(43))
    last = TicketMessage.objects.order_by("-inbox_message_id").values_list("inbox_message_id", flat=True)[0]
    # Read before the COPY starts: the connection can do nothing else while it runs.
    columns = ("id", "user_id", "user_name", "created_at")
    tickets = list(Ticket.objects.order_by("created_at").values_list(*columns)[:missing])

    def rows() -> Iterator[dict]:
        for n, (ticket_id, user_id, user_name, created) in enumerate(tickets):
            yield {
                "ticket_id": ticket_id,
                "kind": "user",
                "author_id": user_id,
                "author_name": user_name,
                "dm_message_id": last + 1 + 2 * n,
                "inbox_message_id": last + 2 + 2 * n,
                "content": text(),
                "created_at": created + timedelta(hours=1),
            }

    started = time.perf_counter()
    made = _copy(TicketMessage, rows())
    with connection.cursor() as cursor:
        cursor.execute('VACUUM ANALYZE "tickets_ticketmessage"')
    print(f"added {made:,} messages to the seed in {time.perf_counter() - started:.1f} s")


def fill(tickets: int, messages: int) -> uuid.UUID:
    """The guild, a staff member, the tickets and their messages; returns the long ticket's ID."""
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model
    from django.db import connection

    from panel.models import PanelPermission
    from tickets.models import BotConfig, GuildMember, GuildRole, GuildSnapshot, Ticket, TicketMessage

    config = BotConfig.load()
    config.mode_guild_id = GUILD
    config.thread_inbox_category_id = INBOX
    config.save()
    GuildSnapshot.objects.create(guild_id=GUILD, name="Bench", owner_id=GUILD + 1)
    GuildRole.objects.create(guild_id=GUILD, role_id=GUILD, name="@everyone")
    GuildRole.objects.create(guild_id=GUILD, role_id=STAFF_ROLE, name="Staff", position=1)
    user = get_user_model().objects.create(username="bench-staff")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(STAFF_MEMBER), extra_data={})
    GuildMember.objects.create(
        guild_id=GUILD, user_id=STAFF_MEMBER, username="staff", role_ids=[str(STAFF_ROLE)]
    )
    PanelPermission.objects.create(
        subject_type="User", subject_id=STAFF_MEMBER, permission="ViewPanel", granted_by=1
    )

    ids = [uuid.uuid4() for _ in range(tickets)]
    long_ticket = ids[tickets // 3]
    rest = messages - LONG_TICKET_MESSAGES
    per_ticket, extra = divmod(rest, tickets - 1)  # the first ``extra`` tickets get one more
    rng = random.Random(42)

    text = writer(rng)

    def ticket_rows() -> Iterator[dict]:
        for n, ticket_id in enumerate(ids):
            created = START + timedelta(minutes=5 * n)
            is_open = n % 5 == 0
            yield {
                "id": ticket_id,
                "user_id": FIRST_USER + n,
                "user_name": f"user{n:06d}",
                "guild_id": GUILD,
                "channel_id": FIRST_USER + 10_000_000 + n,
                "created_at": created,
                "status": 1 if is_open and ticket_id != long_ticket else 0,
                "closed_at": None if is_open and ticket_id != long_ticket else created + timedelta(hours=3),
                "category_id": INBOX,
                "category_name": "Inbox",
                "label": "urgent" if n % 50 == 0 else "",
            }

    def message_rows() -> Iterator[dict]:
        message_id = FIRST_MESSAGE_ID
        for n, ticket_id in enumerate(ids):
            created = START + timedelta(minutes=5 * n)
            count = LONG_TICKET_MESSAGES if ticket_id == long_ticket else per_ticket + (n < extra)
            for m in range(count):
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
                    "content": text(),
                    "created_at": created + timedelta(seconds=30 * m),
                }

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Building the GIN indexes once after the load is much faster than growing them row by row.
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute("DROP INDEX IF EXISTS message_search")
        cursor.execute("DROP INDEX IF EXISTS ticket_search")
    made_tickets = _copy(Ticket, ticket_rows())
    made_messages = _copy(TicketMessage, message_rows())  # the trigger computes each tsvector
    copied = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX message_search ON tickets_ticketmessage USING gin (search_vector)")
        cursor.execute("CREATE INDEX ticket_search ON tickets_ticket USING gin (search_vector)")
        cursor.execute('VACUUM ANALYZE "tickets_ticket"')
        cursor.execute('VACUUM ANALYZE "tickets_ticketmessage"')
    done = time.perf_counter()
    print(
        f"filled {made_tickets:,} tickets and {made_messages:,} messages: COPY with triggers "
        f"{copied - started:.1f} s, GIN indexes and VACUUM ANALYZE {done - copied:.1f} s"
    )
    return long_ticket


def seeded(messages: int) -> bool:
    from django.contrib.auth import get_user_model

    from tickets.models import TicketMessage

    return (
        get_user_model().objects.filter(username="bench-staff").exists()
        and TicketMessage.objects.count() >= messages
    )


def long_ticket_id() -> uuid.UUID:
    from django.db.models import Count

    from tickets.models import Ticket

    return (
        Ticket.objects.annotate(n=Count("messages"))
        .filter(n__gte=LONG_TICKET_MESSAGES)
        .values_list("pk", flat=True)
        .first()
    )


def transcripts(ticket_id: uuid.UUID) -> None:
    """The transcript figures of bench/transcript.py for the long ticket, when it is there."""
    try:
        from transcript import transcript_figures
    except ImportError:
        print("bench/transcript.py is not there: no transcript figures")
        return
    print(f"transcript of the {LONG_TICKET_MESSAGES:,}-message ticket (targets: under 2 s, under 100 MB)")
    for f in transcript_figures(ticket_id):
        print(
            f"  {f['format']:<5} {f['seconds']:6.2f} s wall {f['cpu_seconds']:6.2f} s CPU "
            f"{f['bytes'] / 1024 / 1024:7.1f} MB written, peak {f['peak_mb']:6.1f} MB allocated"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="Measured requests per query.")
    parser.add_argument("--fresh", action="store_true", help="Fill the benchmark database again.")
    parser.add_argument("--drop", action="store_true", help="Drop the benchmark database at the end.")
    parser.add_argument("--no-transcript", action="store_true", help="Skip the transcript figures.")
    options = parser.parse_args()

    configured = os.environ.get("DATABASE_URL", "")
    url, name = bench_url(configured)
    ensure_database(configured, name, fresh=options.fresh)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 32)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from tickets.models import Ticket, TicketMessage
    from tickets.search import search_tickets

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        call_command("migrate", verbosity=0)
        if seeded(options.messages):
            print("reusing the seed already in the benchmark database")
        elif get_user_model().objects.filter(username="bench-staff").exists():
            top_up(options.messages - TicketMessage.objects.count())
        else:
            fill(options.tickets, options.messages)
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-staff"))
        print(
            f"{Ticket.objects.count():,} tickets, {TicketMessage.objects.count():,} messages; "
            f"{options.requests} requests per query, in-process"
        )
        print(machine_line())
        baseline = measure(client, "/api/health", options.requests)
        header = f"{'query':<24} {'tickets':>8} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}"
        print(header)
        row = "{:<24} {:>8} {:>8.1f} {:>8.1f} {:>8.1f} {:>8}"
        print(row.format("/api/health", "", baseline.p50, baseline.p95, baseline.cpu, baseline.queries))
        p50s = []
        for text in QUERIES:
            matching = search_tickets(text=text, limit=1, snippets=0).total
            path = "/api/bot/tickets?" + f"q={text}".replace(" ", "+").replace('"', "%22")
            f = measure(client, path, options.requests)
            p50s.append(f.p50)
            print(row.format(text, f"{matching:,}", f.p50, f.p95, f.cpu, f.queries))
        overall = statistics.median(p50s)
        verdict = "met" if overall < TARGET_MS else "NOT met"
        print(
            f"p50 over the {len(QUERIES)} queries: {overall:.1f} ms (target: under {TARGET_MS} ms: {verdict})"
        )
        print(machine_line())
        if not options.no_transcript:
            ticket_id = long_ticket_id()
            if ticket_id is not None:
                transcripts(ticket_id)
    finally:
        if options.drop:
            drop_database(configured, name)


if __name__ == "__main__":
    main()
