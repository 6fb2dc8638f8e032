"""Live events: panel users of each standing with a session, WebSockets on the real ASGI application,
and publishers in other processes.

The staff guild is the API tests' ``guild`` fixture (tests/api/conftest.py). Socket tests need
``django_db(transaction=True)``: the web side reads the outbox from its own thread.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.test import Client

from panel import live
from tests.api.conftest import (  # noqa: F401 (guild is a fixture used through its name)
    GUILD,
    INBOX,
    SECRET_CATEGORY,
    STAFF_ROLE,
    Guild,
    guild,
    make_user,
    next_id,
)
from tests.bot.conftest import modmail  # noqa: F401 (a fixture, for test_end_to_end)
from tests.panel.conftest import live_database_url
from tests.services.conftest import scene  # noqa: F401 (a fixture, for test_service_events)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _fresh_cache(db) -> None:
    """Cached panel access from another test must not leak in."""
    cache.clear()


def session_key(user: Any) -> str:
    """A new session of ``user`` (what a login makes); returns its key."""
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


async def db(func: Callable[[], Any]) -> Any:
    """Run ORM code from a test coroutine, closing the thread's connection afterwards."""

    def run() -> Any:
        try:
            return func()
        finally:
            connection.close()

    return await sync_to_async(run, thread_sensitive=False)()


@asynccontextmanager
async def open_socket(
    session: str | None, *, after: int | str | None = None, origin: str = "http://127.0.0.1"
) -> AsyncIterator[WebsocketCommunicator]:
    """A WebSocket to ``/ws/events`` on the product's ASGI application, with that session cookie."""
    from rustmail.asgi import application

    path = "/ws/events" + (f"?after={after}" if after is not None else "")
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    if session:
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={session}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    communicator.refused_with = None if connected else code
    try:
        yield communicator
    finally:
        if not communicator.future.done():  # a receive that timed out has cancelled the app
            await communicator.disconnect()
        await live.wait_stopped()  # its database connection is closed before the test database goes


async def next_frame(socket: WebsocketCommunicator, timeout: float = 2.0, *, control: bool = False) -> dict:
    """The next event frame (control frames, hello and resync, are skipped unless ``control``)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = await socket.receive_json_from(timeout=max(0.01, deadline - time.monotonic()))
        if control or frame["type"] not in ("hello", "resync"):
            return frame


async def no_frame(socket: WebsocketCommunicator, wait: float = 0.6) -> None:
    """Assert that no event frame comes within ``wait`` seconds (a hello may)."""
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        if await socket.receive_nothing(timeout=left):
            return
        frame = await socket.receive_json_from()
        assert frame["type"] == "hello", f"unexpected frame {frame}"


def publisher_env(**extra: str) -> dict[str, str]:
    """The environment of a process publishing into the test database."""
    env = {
        **os.environ,
        "DATABASE_URL": live_database_url(),
        "DATA_DIR": str(django_settings.DATA_DIR),
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "rustmail.settings",
        **extra,
    }
    if django_settings.REDIS_URL:
        env["REDIS_URL"] = django_settings.REDIS_URL
    return env


PUBLISHER = """
import json, sys, time
import django
django.setup()
from tickets.events import publish
count, gap, ticket, category = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
print("ready", flush=True)
sys.stdin.readline()
for n in range(count):
    publish("message.created", ticket_id=ticket, category_id=category, data={"n": n, "sent": time.time()})
    time.sleep(gap)
print("done", flush=True)
"""


def start_publisher(count: int, gap: float, ticket_id: str, category_id: int) -> subprocess.Popen:
    """Another process (as the bot or the worker) that publishes ``count`` message.created events,
    ``gap`` seconds apart, each stamped with the time it was published, once it reads a line."""
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(count), str(gap), ticket_id, str(category_id)],
        cwd=ROOT,
        env=publisher_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.strip() == "ready", line
    return process


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
