"""pytest fixtures (loaded through ``pytest_plugins`` in ``tests/conftest.py``) and ``nextcord_client``.

- ``fake_discord``: async; an emulator with the demo guild on a free port, on the test's loop.
- ``fake_discord_thread``: sync; the same in a background thread (a :class:`FakeDiscordThread` proxy).

Both fail the test at teardown when the code under test called a route the emulator does not
implement, or when a route handler crashed, so a gap can never hide behind a passing test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio

from .server import LIVE_EMULATORS, FakeDiscord
from .thread import FakeDiscordThread

TEST_HEARTBEAT_MS = 2000


def _gaps(emu: FakeDiscord, ignore: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    found = [
        (id(c), f"unimplemented Discord route called: {c.method} {c.path}") for c in list(emu.unimplemented)
    ]
    found += [(id(e), f"fakediscord route crashed: {e}") for e in list(emu.server_errors)]
    return [(key, text) for key, text in found if key not in ignore and key not in emu.reported_gaps]


def assert_no_gaps(emu: FakeDiscord | FakeDiscordThread) -> None:
    """Fail when an unimplemented route was called or a route handler raised (each reported once)."""
    target = emu.emu if isinstance(emu, FakeDiscordThread) else emu
    gaps = _gaps(target)
    if gaps:
        target.reported_gaps.update(key for key, _ in gaps)
        pytest.fail("\n".join(text for _, text in gaps), pytrace=False)


def gap_snapshot() -> dict[int, set[int]]:
    """The gaps every live emulator already had (so only new ones are blamed on a test)."""
    return {id(emu): {key for key, _ in _gaps(emu)} for emu in list(LIVE_EMULATORS)}


def new_gaps(before: dict[int, set[int]]) -> list[str]:
    """Gaps that appeared in any emulator since ``before``; they count as reported."""
    problems = []
    for emu in list(LIVE_EMULATORS):
        gaps = _gaps(emu, before.get(id(emu), set()))
        emu.reported_gaps.update(key for key, _ in gaps)
        problems += [text for _, text in gaps]
    return problems


@pytest.fixture(autouse=True)
def _fakediscord_gap_guard() -> Iterator[None]:
    """Also catch gaps of emulators a test built by hand (not through the fixtures below)."""
    before = gap_snapshot()
    yield
    problems = new_gaps(before)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def make_emulator(*, demo: bool = True, heartbeat_interval_ms: int = TEST_HEARTBEAT_MS) -> FakeDiscord:
    """A FakeDiscord suited to tests (short heartbeat), with the demo guild unless ``demo=False``."""
    emu = FakeDiscord(heartbeat_interval_ms=heartbeat_interval_ms)
    if demo:
        emu.seed_demo()
    return emu


@pytest_asyncio.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """An emulator on a free port with the demo guild (``emu.demo``), running on the test's loop."""
    emu = make_emulator()
    await emu.start(port=0)
    try:
        yield emu
    finally:
        await emu.stop()
    assert_no_gaps(emu)


@pytest.fixture
def fake_discord_thread() -> Iterator[FakeDiscordThread]:
    """An emulator with the demo guild in a background thread, for synchronous tests."""
    emu = FakeDiscordThread(make_emulator()).start()
    try:
        yield emu
    finally:
        emu.stop()
    assert_no_gaps(emu.emu)


@contextlib.asynccontextmanager
async def nextcord_client(
    emu: FakeDiscord,
    client: Any = None,
    *,
    intents: Any = None,
    ready_timeout: float = 10.0,
    **client_kwargs: Any,
) -> AsyncIterator[Any]:
    """Connect a real ``nextcord.Client`` (or the given client/bot) to the emulator and wait for on_ready.

    Sets ``nextcord.http.Route.BASE = emu.api_base`` (nothing else is patched) and restores it
    after closing the client, which happens before the emulator stops.
    """
    import nextcord
    from nextcord.http import Route

    old_base = Route.BASE
    Route.BASE = emu.api_base
    if client is None:
        client_kwargs.setdefault("guild_ready_timeout", 0.1)
        client = nextcord.Client(intents=intents or nextcord.Intents.all(), **client_kwargs)
    runner = asyncio.ensure_future(client.start(emu.bot_token))
    ready = asyncio.ensure_future(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {runner, ready}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if runner in done:
            runner.result()
            raise RuntimeError("nextcord client stopped before it was ready")
        if ready not in done:
            raise TimeoutError(f"nextcord client not ready within {ready_timeout} s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(runner, 5.0)
        Route.BASE = old_base
