"""The bot's service threads: each keeps its database connection, and replaces one that died."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from botrunner import runtime
from botrunner.runtime import ServiceRunner
from tickets.models import SystemState

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def raw_connection() -> int:
    SystemState.load()
    return id(connection.connection)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    connection.close()


@pytest.fixture
def runner():
    runner = ServiceRunner(threads=1)
    yield runner
    runner.shutdown()


async def test_a_service_thread_keeps_its_connection_from_one_call_to_the_next(runner):
    first = await runner.call(raw_connection)
    assert await runner.call(raw_connection) == first


async def test_a_connection_that_died_while_idle_is_replaced_before_the_next_call(runner, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite connections do not die (Django never finds one unusable)")
    first = await runner.call(raw_connection)
    backend = await runner.call(backend_pid)
    await sync_to_async(terminate, thread_sensitive=False)(backend)  # as a server restart would
    monkeypatch.setattr(runtime, "IDLE_CHECK_AFTER", -1.0)  # as if idle for long

    assert await runner.call(raw_connection) != first
    assert await runner.call(backend_pid) != backend
