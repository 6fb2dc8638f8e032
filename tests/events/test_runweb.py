"""``manage.py runweb`` with several daphne processes on one port (WEB_CONCURRENCY): every process
answers HTTP, live events reach sockets whichever process holds them, and stopping the command
stops them all. Run on PostgreSQL with ``DATABASE_URL=postgres://...``."""

from __future__ import annotations

import asyncio
import os
import signal
import socket as sockets
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import aiohttp
import pytest
from django.conf import settings as django_settings

from tests.events.conftest import INBOX, STAFF_ROLE, db, make_user, next_id, session_key
from tests.panel.conftest import live_database_url
from tickets.events import EventType, latest_id, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ROOT = Path(__file__).resolve().parents[2]
NO_DISCORD = "http://127.0.0.1:9/api/v10"


def free_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def start_runweb(port: int, workers: int) -> subprocess.Popen:
    """``runweb --workers N`` against the test database; returns once every process answers."""
    env = {
        **os.environ,
        "DATABASE_URL": live_database_url(),
        "DISCORD_API_BASE": NO_DISCORD,
        "SECRET_KEY": django_settings.SECRET_KEY,
        "DATA_DIR": str(django_settings.DATA_DIR),
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "PANEL_ACCESS_CACHE_SECONDS": "0",
        "DJANGO_SETTINGS_MODULE": "rustmail.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runweb", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    answered = 0
    while answered < 2 * workers:  # several answers in a row: every process is up (they share one port)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as answer:
                answered += answer.status == 200
        except OSError:
            answered = 0
            assert server.poll() is None and time.monotonic() < deadline, "runweb did not start"
            time.sleep(0.3)
    return server


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


async def receive_event(ws: aiohttp.ClientWebSocketResponse) -> dict:
    while True:
        frame = await ws.receive_json(timeout=5)
        if frame["type"] not in ("hello", "resync"):
            return frame


async def test_several_processes_serve_one_port_http_and_live_events(guild) -> None:
    session = await db(lambda: session_key(make_user(next_id(), roles=(STAFF_ROLE,), grants=("ViewPanel",))))
    port = free_port()
    server = await asyncio.to_thread(start_runweb, port, 2)
    daphnes: list[int] = []
    try:
        daphnes = children_of(server.pid)
        assert len(daphnes) == 2 and all(alive(pid) for pid in daphnes)
        headers = {
            "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}",
            "Origin": f"http://127.0.0.1:{port}",
        }
        async with aiohttp.ClientSession(headers=headers) as http:
            # Sockets opened one after the other land on either process (the kernel's choice).
            sockets_ = [await http.ws_connect(f"ws://127.0.0.1:{port}/ws/events") for _ in range(8)]
            for ws in sockets_:
                assert (await ws.receive_json(timeout=5))["type"] == "hello"
            answers = await asyncio.gather(
                *(http.get(f"http://127.0.0.1:{port}/api/bot/tickets") for _ in range(10))
            )
            assert [a.status for a in answers] == [200] * 10
            await db(lambda: publish(EventType.MESSAGE_CREATED, ticket_id=uuid.uuid4(), category_id=INBOX))
            published = await db(latest_id)
            frames = await asyncio.gather(*(receive_event(ws) for ws in sockets_))
            assert [frame["id"] for frame in frames] == [published] * len(sockets_)
            for ws in sockets_:
                await ws.close()
    finally:
        await asyncio.to_thread(stop, server)
    assert server.returncode == 0
    assert not [pid for pid in daphnes if alive(pid)]


async def test_a_process_that_fails_at_startup_stops_the_command(guild) -> None:
    env = {**os.environ, "DATABASE_URL": live_database_url(), "WEB_CONCURRENCY": "0", "PYTHONUNBUFFERED": "1"}
    refused = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "manage.py", "runweb", "--port", str(free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "WEB_CONCURRENCY=0 is outside 1..64" in refused.stderr
