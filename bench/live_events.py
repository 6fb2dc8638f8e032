"""Benchmark of the live event stream across processes: how long an event takes to reach a panel
WebSocket when another process publishes it, and from a user's DM to its ``message.created``.

Usage (from the repository's root)::

    .venv/bin/python bench/live_events.py                                  # SQLite, no Redis
    .venv/bin/python bench/live_events.py --redis redis://127.0.0.1:6379/7  # with Redis pings

Everything runs on a fresh SQLite database in a temporary folder, each part in processes of its
own, as in production: daphne serving ``rustmail.asgi:application``; a WebSocket client (aiohttp)
signed in as a staff member holding ViewPanel.

- **publish → socket** (``--events``): a separate Python process publishes events 50 ms apart, each
  stamped with the time of its commit; the client notes when it receives each one.
- **DM → socket** (``--dms``): the Discord emulator, ``manage.py runbot`` and daphne; users DM the
  bot one after the other and each DM is timed from its creation in the emulator to its
  ``message.created`` on the socket (the bot's relay included).

``dm_to_event`` and ``events_socket`` are the building blocks other benchmarks may import.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PUBLISHER = """
import sys, time, uuid
import django
django.setup()
from tickets.events import publish
count = int(sys.argv[1])
ticket = uuid.uuid4()
sys.stdin.readline()
for n in range(count):
    publish("message.created", ticket_id=ticket, category_id=1, data={"n": n, "sent": time.time()})
    time.sleep(0.05)
"""


@asynccontextmanager
async def events_socket(server_url: str, session_cookie: str, after: int | None = None) -> AsyncIterator[Any]:
    """An open ``/ws/events`` (aiohttp) with that session, past its hello frame."""
    import aiohttp
    from django.conf import settings

    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie}", "Origin": server_url}
    url = server_url.replace("http", "ws", 1) + "/ws/events" + (f"?after={after}" if after else "")
    async with aiohttp.ClientSession(headers=headers) as http, http.ws_connect(url) as ws:
        hello = await ws.receive_json(timeout=10)
        assert hello["type"] == "hello", hello
        yield ws


async def next_event(ws: Any, accept: Callable[[dict], bool], timeout: float = 15.0) -> dict:
    """The next event frame ``accept`` takes (others are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = await ws.receive_json(timeout=max(0.01, deadline - time.monotonic()))
        if frame.get("id") is not None and accept(frame):
            return frame


async def dm_to_event(emu: Any, ws: Any, user_id: int, text: str) -> float:
    """Have ``user_id`` DM the bot in the emulator (a ``FakeDiscordThread``); the milliseconds until
    the socket receives the ``message.created`` of that DM."""
    from tickets.models import TicketMessage

    started = time.perf_counter()
    sent = await asyncio.to_thread(emu.call, lambda: emu.emu.user_dm(user_id, text))
    frame = await next_event(ws, lambda f: f["type"] == "message.created" and f["data"].get("kind") == "user")
    elapsed = (time.perf_counter() - started) * 1000
    stored = await asyncio.to_thread(
        lambda: list(
            TicketMessage.objects.filter(pk=frame["data"]["message_id"]).values_list(
                "dm_message_id", flat=True
            )
        )
    )
    assert stored == [int(sent["id"])], "the event is not that DM's"
    return elapsed


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name}: {len(values)} samples, p50 {statistics.median(ordered):.0f} ms, "
        f"p95 {p95:.0f} ms, max {ordered[-1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100, help="Events published by another process.")
    parser.add_argument("--dms", type=int, default=40, help="DMs relayed by the bot (0: skip).")
    parser.add_argument("--redis", default="", help="REDIS_URL to use (default: none, the embedded way).")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="rm-bench-events-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "DATA_DIR": str(workdir),
            "SECRET_KEY": "benchmark-only-secret-key-" + "z" * 32,
            "DJANGO_SETTINGS_MODULE": "rustmail.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    if options.redis:
        os.environ["REDIS_URL"] = options.redis
    else:
        os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from allauth.socialaccount.models import SocialAccount
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from tests.fakediscord.fixtures import make_emulator
    from tests.fakediscord.thread import FakeDiscordThread
    from tests.panel.conftest import start_panel_server
    from tickets.models import BotConfig, GuildMember, SystemState

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    call_command("migrate", verbosity=0)
    emu = FakeDiscordThread(make_emulator(heartbeat_interval_ms=41250)).start()
    demo = emu.demo
    cfg = BotConfig.load()
    cfg.bot_token, cfg.mode_type, cfg.mode_guild_id = emu.bot_token, "single", demo.guild_id
    cfg.thread_inbox_category_id, cfg.bot_logs_channel_id = demo.inbox_category_id, demo.logs_channel_id
    cfg.save()
    staff = get_user_model().objects.create(username="bench-staff", is_superuser=True)
    SocialAccount.objects.create(user=staff, provider="discord", uid=str(demo.staff_id), extra_data={})
    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    env = {**os.environ, "DISCORD_API_BASE": emu.api_base, "DISCORD_REST_RATE": "1000", "DEBUG": "false"}
    server = bot = None
    layer = f"Redis {options.redis}" if options.redis else "no Redis"
    try:
        server = start_panel_server(emu.api_base, {"LOG_LEVEL": "INFO"})  # it reads its port from the log
        print(f"SQLite, {layer}; load average {os.getloadavg()[0]:.2f}")

        async def publish_to_socket() -> list[float]:
            latencies = []
            publisher = subprocess.Popen(
                [sys.executable, "-c", PUBLISHER, str(options.events)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
            )
            try:
                async with events_socket(server.url, cookie) as ws:
                    publisher.stdin.write(b"go\n")
                    publisher.stdin.flush()
                    for _ in range(options.events):
                        frame = await next_event(ws, lambda f: "sent" in f["data"])
                        latencies.append((time.time() - frame["data"]["sent"]) * 1000)
            finally:
                publisher.wait(30)
            return latencies

        if options.events:
            print(summary("publish (other process) → socket", asyncio.run(publish_to_socket())))
        if options.dms:
            with (workdir / "bot.log").open("w") as out:
                bot = subprocess.Popen(
                    [sys.executable, "manage.py", "runbot"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            deadline = time.monotonic() + 60
            while not (
                SystemState.load().bot_connected
                and GuildMember.objects.filter(user_id=demo.staff_id).exists()
            ):
                if time.monotonic() > deadline or bot.poll() is not None:
                    sys.exit(f"the bot did not start:\n{(workdir / 'bot.log').read_text()}")
                time.sleep(0.2)

            async def dms() -> list[float]:
                users = list(demo.user_ids)
                async with events_socket(server.url, cookie) as ws:
                    for user in users:  # each user's ticket opens first (not measured)
                        await dm_to_event(emu, ws, user, "opening")
                    return [
                        await dm_to_event(emu, ws, users[n % len(users)], f"dm {n}")
                        for n in range(options.dms)
                    ]

            print(summary("DM in the emulator → message.created on the socket", asyncio.run(dms())))
    finally:
        if bot is not None and bot.poll() is None:
            bot.terminate()
            bot.wait(30)
        if server is not None:
            server.stop()
        emu.stop()


if __name__ == "__main__":
    main()
