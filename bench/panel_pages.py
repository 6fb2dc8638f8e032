"""Benchmark of the panel's tickets pages: server time at 100,000 tickets / 1,000,000 messages on
PostgreSQL, and the latency from a DM to its row updating in an open browser.

Usage (from the repository's root)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rustmail .venv/bin/python bench/panel_pages.py
    ... bench/panel_pages.py --tickets 5000 --messages 50000     # a quick run
    .venv/bin/python bench/panel_pages.py --live-only              # only the browser latency (SQLite)

**Server time.** It never touches the database named in ``DATABASE_URL``: it (re)creates one of
its own on the same server, ``rm_tickets_bench``, migrates it, fills it with ``COPY`` (then
``VACUUM ANALYZE``), measures and drops it (``--keep`` keeps it, ``--reuse`` measures a kept one).
One ticket holds 10,000 messages (fewer when ``--messages`` is small); the others share the rest.
Requests go through the whole Django stack in-process (middleware, session, panel access, the
category rule, templates) as a staff member holding ViewPanel and ManageTickets who is not an
admin. For each case: p50 and p95 in ms, and the SQL queries of one request (its access cached,
as in a session). The list is read at 50 and at 200 rows a page, the conversation at 60 and at
200 messages a page: the query counts must match. Target: p50 under 100 ms.

**Live latency** (``--dms``, 0 to skip): on the embedded default (SQLite in a temporary folder,
no Redis), it starts the Discord emulator, ``manage.py runbot`` and daphne as separate processes,
opens ``/panel/tickets`` in Debian's Chromium, then has users DM the bot one after the other and
times each DM from its creation in the emulator to its ticket's row showing the new message count
in the page, which is never reloaded. Target: p50 under 1 s.

It prints the machine's load and a reference loop (the CPU time of a fixed Python loop): this
shared machine's speed drifts, so compare runs in proportion to it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from api_tickets import (  # noqa: E402  (the same guild, staff member and COPY as the API bench)
    GUILD,
    INBOX,
    OTHER_CATEGORY,
    STAFF_MEMBER,
    STAFF_ROLE,
    _copy,
    drop_database,
    recreate_database,
)

DATABASE = "rm_tickets_bench"
FIRST_USER = 730_000_000_000_000_000
FIRST_MESSAGE_ID = 740_000_000_000_000_000
START = datetime(2025, 1, 1, tzinfo=UTC)
BIG = 10_000
OPEN_EVERY = 5


def machine_speed() -> float:
    """CPU seconds of a fixed loop: the machine's speed right now."""
    started = time.process_time()
    total = 0
    for n in range(3_000_000):
        total += n * n % 7
    return time.process_time() - started


def fill(tickets: int, messages: int) -> uuid.UUID:
    """The API bench's guild and staff member (with ManageTickets too), ``tickets`` tickets and
    ``messages`` messages, one ticket holding ``BIG`` of them. Returns that ticket's ID."""
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
        guild_id=GUILD, channel_id=OTHER_CATEGORY, name="Other", type=4, overwrites=[]
    )
    user = get_user_model().objects.create(username="bench-staff")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(STAFF_MEMBER), extra_data={})
    GuildMember.objects.create(
        guild_id=GUILD, user_id=STAFF_MEMBER, username="staff", role_ids=[str(STAFF_ROLE)]
    )
    for permission in ("ViewPanel", "ManageTickets"):
        PanelPermission.objects.create(
            subject_type="User", subject_id=STAFF_MEMBER, permission=permission, granted_by=1
        )

    ids = [uuid.uuid4() for _ in range(tickets)]
    big = min(BIG, messages // 2)
    others = max(tickets - 1, 1)
    per_ticket, extra = divmod(messages - big, others)
    counts = [big] + [max(per_ticket + (n < extra), 1) for n in range(tickets - 1)]

    def ticket_rows() -> Iterator[dict]:
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
                "next_message_number": counts[n] // 2 + 1,
                "status": 1 if is_open else 0,
                "closed_at": None if is_open else created + timedelta(hours=3),
                "closed_by": None if is_open else str(STAFF_MEMBER),
                "category_id": OTHER_CATEGORY if n % 10 == 3 else INBOX,
                "category_name": "Inbox",
                "taken_by": STAFF_MEMBER if n % 7 == 0 else None,
                "last_message_at": created + timedelta(seconds=30 * counts[n]),
                "last_message_by": "user",
            }

    def message_rows() -> Iterator[dict]:
        message_id = FIRST_MESSAGE_ID
        for n, ticket_id in enumerate(ids):
            created = START + timedelta(minutes=5 * n)
            for m in range(counts[n]):
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

    started = time.perf_counter()
    made_tickets = _copy(Ticket, ticket_rows())
    made_messages = _copy(TicketMessage, message_rows())
    with connection.cursor() as cursor:
        cursor.execute(f'VACUUM ANALYZE "{Ticket._meta.db_table}"')
        cursor.execute(f'VACUUM ANALYZE "{TicketMessage._meta.db_table}"')
    print(
        f"filled {made_tickets:,} tickets and {made_messages:,} messages "
        f"(one ticket of {big:,}) in {time.perf_counter() - started:.1f} s"
    )
    return ids[0]


def measure(client, path: str, repeat: int) -> tuple[float, float, int]:
    """p50 and p95 in ms over ``repeat`` requests (after a warm-up), and the queries of one request."""
    from django.db import connection

    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)], len(executed)


def server_times(options: argparse.Namespace) -> None:
    """The tickets list and the big conversation, in-process, on PostgreSQL."""
    configured = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(configured)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("The server-time part runs on PostgreSQL: set DATABASE_URL=postgres://... (or --live-only)")
    url = urlunsplit(parts._replace(path=f"/{DATABASE}"))
    if not options.reuse:
        recreate_database(configured, DATABASE)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 32)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rustmail.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from panel.pages import tickets as pages
    from panel.selectors.tickets import encode_cursor, message_cursor
    from tickets.models import Ticket, TicketMessage

    settings.ALLOWED_HOSTS = ["testserver"]
    try:
        if not options.reuse:
            call_command("migrate", verbosity=0)
            fill(options.tickets, options.messages)
        big = (
            TicketMessage.objects.values("ticket_id").order_by().annotate(n=Count("id")).order_by("-n")
        ).first()["ticket_id"]
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-staff"))
        closed = Ticket.objects.filter(status=0).order_by("-created_at", "-id")
        middle = closed[closed.count() // 2]
        deep = encode_cursor(middle.created_at, middle.id)
        halfway = TicketMessage.objects.filter(ticket_id=big).order_by("created_at", "id")[
            TicketMessage.objects.filter(ticket_id=big).count() // 2
        ]
        cases = [
            ("list: open, by activity, 50 rows", "/panel/tickets", None),
            ("list: open, by activity, 200 rows", "/panel/tickets?size=200", None),
            ("list: all, by activity, 50 rows", "/panel/tickets?status=all", None),
            (
                "list: closed, by opening, deep page",
                f"/panel/tickets?status=closed&sort=created&after={deep}",
                None,
            ),
            ("list: closed, by closing time", "/panel/tickets?status=closed&sort=closed", None),
            ("list: handled by the staff member", f"/panel/tickets?status=all&staff={STAFF_MEMBER}", None),
            ("list: user name contains 04999", "/panel/tickets?status=all&user=04999", None),
            ("list fragment (live refresh)", "/panel/tickets?fragment=list", None),
            ("ticket of 10,000 msgs, 60 a page", f"/panel/tickets/{big}", 60),
            ("ticket of 10,000 msgs, 200 a page", f"/panel/tickets/{big}", 200),
            (
                "its older page, mid-conversation",
                f"/panel/tickets/{big}/messages?before={message_cursor(halfway)}",
                60,
            ),
            ("search within it", f"/panel/tickets/{big}?q=Message%209999", 60),
            ("live tail (nothing new)", f"/panel/tickets/{big}/messages?after={message_cursor(halfway)}", 60),
        ]
        print(
            f"{Ticket.objects.count():,} tickets, {TicketMessage.objects.count():,} messages; "
            f"{options.requests} requests per case, in-process"
        )
        print(f"{'case':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, path, page_size in cases:
            if page_size:
                pages.CONVERSATION_PAGE_SIZE = page_size
            p50, p95, queries = measure(client, path, options.requests)
            print(f"{label:<40} {p50:>8.1f} {p95:>8.1f} {queries:>8}", flush=True)
    finally:
        if not options.keep:
            drop_database(configured, DATABASE)


def live_latency(options: argparse.Namespace) -> None:
    """From a DM in the emulator to its row changing in an open browser, on SQLite without Redis."""
    workdir = Path(tempfile.mkdtemp(prefix="rm-bench-live-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["DATA_DIR"] = str(workdir)
    os.environ.pop("REDIS_URL", None)
    os.environ["SECRET_KEY"] = "benchmark-only-secret-key-" + "y" * 32
    os.environ["DJANGO_SETTINGS_MODULE"] = "rustmail.settings"

    import django

    django.setup()
    from allauth.socialaccount.models import SocialAccount
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from panel.models import PanelPermission
    from tests.fakediscord.fixtures import make_emulator
    from tests.fakediscord.thread import FakeDiscordThread
    from tests.panel.conftest import CHROMIUM, CHROMIUM_ARGS, start_panel_server
    from tickets.models import BotConfig, GuildMember, SystemState, Ticket

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    call_command("migrate", verbosity=0)
    emu = FakeDiscordThread(make_emulator(heartbeat_interval_ms=41250)).start()
    demo = emu.demo
    cfg = BotConfig.load()
    cfg.bot_token, cfg.mode_type, cfg.mode_guild_id = emu.bot_token, "single", demo.guild_id
    cfg.thread_inbox_category_id, cfg.bot_logs_channel_id = demo.inbox_category_id, demo.logs_channel_id
    cfg.save()
    user = get_user_model().objects.create(username="bench-live-staff")
    SocialAccount.objects.create(user=user, provider="discord", uid=str(demo.staff_id), extra_data={})
    for permission in ("ViewPanel", "ManageTickets"):
        PanelPermission.objects.create(
            subject_type="User", subject_id=demo.staff_id, permission=permission, granted_by=1
        )
    users = list(demo.user_ids)[: options.dms]
    env = {
        **os.environ,
        "DISCORD_API_BASE": emu.api_base,
        "DISCORD_REST_RATE": "1000",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "false",
        "PANEL_ACCESS_CACHE_SECONDS": "0",
    }
    bot = server = None
    log = workdir / "bot.log"
    try:
        with log.open("w") as out:
            bot = subprocess.Popen(
                [sys.executable, "manage.py", "runbot"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while not (
            SystemState.load().bot_connected and GuildMember.objects.filter(user_id=demo.staff_id).exists()
        ):
            if time.monotonic() > deadline or bot.poll() is not None:
                sys.exit(f"the bot did not start:\n{log.read_text()}")
            time.sleep(0.2)
        server = start_panel_server(emu.api_base, {"PANEL_ACCESS_CACHE_SECONDS": "0"})
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        latencies = []
        # Playwright's sync API runs an event loop in this thread, which Django takes for async code.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=server.url)
            page.context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}]
            )
            # Each user's ticket opens first (not measured): then each DM changes an existing row.
            for member in users:
                emu.call(lambda m=member: emu.emu.user_dm(m, "opening"))
            deadline = time.monotonic() + 60
            while Ticket.objects.filter(user_id__in=users, channel_id__isnull=False).count() < len(users):
                if time.monotonic() > deadline:
                    sys.exit("the tickets did not open")
                time.sleep(0.1)
            page.goto("/panel/tickets?size=200")
            time.sleep(1.0)  # the live socket connects
            rows = {t.user_id: t.pk for t in Ticket.objects.filter(user_id__in=users)}
            for round_ in range(options.rounds):
                for member in users:
                    ticket_id = rows[member]
                    expected = str(int(page.locator(f"#ticket-{ticket_id} td.num").inner_text()) + 1)
                    started = time.perf_counter()
                    emu.call(lambda m=member, r=round_: emu.emu.user_dm(m, f"dm {r}"))
                    page.wait_for_function(
                        "([id, n]) => { const c = document.querySelector('#ticket-' + id + ' td.num');"
                        " return c && c.textContent.trim() === n; }",
                        arg=[str(ticket_id), expected],
                        timeout=15_000,
                        polling="raf",
                    )
                    latencies.append((time.perf_counter() - started) * 1000)
            browser.close()
        latencies.sort()
        print(
            f"live: {len(latencies)} DMs, DM → row updated in the browser: "
            f"p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {latencies[max(int(len(latencies) * 0.95) - 1, 0)]:.0f} ms, max {latencies[-1]:.0f} ms "
            "(SQLite, no Redis)"
        )
    finally:
        if server is not None:
            server.stop()
        if bot is not None and bot.poll() is None:
            bot.terminate()
            bot.wait(30)
        emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50, help="Measured requests per case.")
    parser.add_argument("--keep", action="store_true", help="Keep the benchmark database afterwards.")
    parser.add_argument("--reuse", action="store_true", help="Measure a kept benchmark database.")
    parser.add_argument("--dms", type=int, default=5, help="Users DMing in the live part (0: skip it).")
    parser.add_argument("--rounds", type=int, default=4, help="DMs per user in the live part.")
    parser.add_argument("--live-only", action="store_true", help="Only the browser latency.")
    options = parser.parse_args()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
        f"reference loop {machine_speed():.2f} s"
    )
    if options.live_only:
        live_latency(options)
        return
    if options.dms:
        # Django is set up once per process: the live part runs in a child of its own.
        live = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--live-only",
                "--dms",
                str(options.dms),
                "--rounds",
                str(options.rounds),
            ],
            cwd=ROOT,
        )
        live.wait()
    server_times(options)


if __name__ == "__main__":
    main()
