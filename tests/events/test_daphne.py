"""The stream under daphne, as in production: a real server process, a real WebSocket client, and a
server restart in the middle that loses nothing."""

from __future__ import annotations

import asyncio
import socket as sockets
import uuid

import aiohttp
import pytest
from django.conf import settings as django_settings

from tests.events.conftest import INBOX, SECRET_CATEGORY, STAFF_ROLE, db, make_user, next_id, session_key
from tests.panel.conftest import start_panel_server
from tickets.events import EventType, latest_id, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

WS = aiohttp.WSMsgType
NO_DISCORD = "http://127.0.0.1:9/api/v10"  # nothing here talks to Discord


def free_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def publish_now(event_type: str, **kwargs) -> int:
    await db(lambda: publish(event_type, **kwargs))
    return await db(latest_id)


async def receive_event(ws: aiohttp.ClientWebSocketResponse, timeout: float = 3.0) -> dict:
    while True:
        frame = await ws.receive_json(timeout=timeout)
        if frame["type"] not in ("hello", "resync"):
            return frame


async def test_a_client_reconnecting_after_a_server_restart_gets_what_it_missed(guild) -> None:
    session = await db(lambda: session_key(make_user(next_id(), roles=(STAFF_ROLE,), grants=("ViewPanel",))))
    port = free_port()
    headers = {
        "Cookie": f"{django_settings.SESSION_COOKIE_NAME}={session}",
        "Origin": f"http://127.0.0.1:{port}",
    }
    url = f"ws://127.0.0.1:{port}/ws/events"
    ticket = uuid.uuid4()
    server = await asyncio.to_thread(start_panel_server, NO_DISCORD, port=port)
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.ws_connect(url) as ws:
                assert (await ws.receive_json(timeout=5))["type"] == "hello"
                first = await publish_now(EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX)
                frame = await receive_event(ws)
                assert frame["id"] == first
                resume = frame["resume"]
                await asyncio.to_thread(server.stop)
                closed = await ws.receive(timeout=10)
                assert closed.type in (
                    aiohttp.WSMsgType.CLOSE,
                    aiohttp.WSMsgType.CLOSED,
                    aiohttp.WSMsgType.ERROR,
                )
            # While the web is down, the bot goes on: one event for this user, one they may not see.
            missed = await publish_now(EventType.MESSAGE_CREATED, ticket_id=ticket, category_id=INBOX)
            await publish_now(EventType.TICKET_OPENED, ticket_id=uuid.uuid4(), category_id=SECRET_CATEGORY)
            server = await asyncio.to_thread(start_panel_server, NO_DISCORD, port=port)
            async with http.ws_connect(f"{url}?after={resume}") as ws:
                assert (await ws.receive_json(timeout=5))["type"] == "hello"
                assert (await receive_event(ws))["id"] == missed
                after = await publish_now(EventType.TICKET_CLOSED, ticket_id=ticket, category_id=INBOX)
                assert (await receive_event(ws))["id"] == after
    finally:
        await asyncio.to_thread(server.stop)


async def test_daphne_refuses_a_socket_without_a_session(guild) -> None:
    server = await asyncio.to_thread(start_panel_server, NO_DISCORD)
    try:
        origin = {"Origin": server.url}
        async with aiohttp.ClientSession(headers=origin) as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await http.ws_connect(server.url.replace("http", "ws") + "/ws/events")
        assert refused.value.status == 403
    finally:
        await asyncio.to_thread(server.stop)
