"""Events published by another process (the bot, the worker) reach a socket of this one within a
second: through the outbox alone on SQLite or PostgreSQL, woken by Redis when it is configured.

Run on PostgreSQL with ``DATABASE_URL=postgres://...`` and with Redis with ``REDIS_URL=redis://...``
(the same tests; each prints its latency figures with ``-s``).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from tests.events.conftest import (
    INBOX,
    SECRET_CATEGORY,
    db,
    make_user,
    next_frame,
    next_id,
    open_socket,
    percentile,
    session_key,
    start_publisher,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

COUNT = 40


async def test_events_of_another_process_arrive_within_a_second(guild, settings) -> None:
    session = await db(
        lambda: session_key(make_user(next_id(), roles=(900_000_000_000_000_100,), grants=("ViewPanel",)))
    )
    ticket = str(uuid.uuid4())
    publisher = await sync_to_async(start_publisher)(COUNT, 0.05, ticket, INBOX)
    hidden = await sync_to_async(start_publisher)(3, 0.0, str(uuid.uuid4()), SECRET_CATEGORY)
    latencies = []
    try:
        async with open_socket(session) as socket:
            await next_frame(socket, control=True)  # hello: following
            for process in (hidden, publisher):
                process.stdin.write("go\n")
                process.stdin.flush()
            for n in range(COUNT):
                frame = await next_frame(socket, timeout=5)
                latencies.append(time.time() - frame["data"]["sent"])
                assert (frame["ticket_id"], frame["data"]["n"]) == (ticket, n)  # in order, nothing hidden
        assert (await asyncio.to_thread(publisher.wait, 10)) == 0
        assert (await asyncio.to_thread(hidden.wait, 10)) == 0
    finally:
        for process in (publisher, hidden):
            if process.poll() is None:
                process.kill()
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    layer = "redis" if settings.REDIS_URL else "outbox polling"
    print(
        f"\ncross-process delivery on {connection.vendor} ({layer}), {COUNT} events: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    assert p95 < 1.0
