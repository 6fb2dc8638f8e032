"""The ✅ on relayed DMs goes apart from the relay: only the newest DM of a user still waiting for
its ✅ gets one, every user gets theirs, and a shutdown sends those still due."""

from __future__ import annotations

import asyncio

import pytest

from botrunner.confirmations import Confirmations

pytestmark = pytest.mark.asyncio


class Runner:
    """Stands for the service runner: records the ✅ requests, each taking ``delay`` seconds."""

    def __init__(self, delay: float = 0.0, fail: set[int] | None = None) -> None:
        self.delay = delay
        self.fail = fail or set()
        self.sent: list[tuple[int, int]] = []

    async def call(self, func, /, **kwargs):
        await asyncio.sleep(self.delay)
        if kwargs["dm_message_id"] in self.fail:
            raise RuntimeError("Discord said no")
        self.sent.append((kwargs["dm_channel_id"], kwargs["dm_message_id"]))


async def test_the_newest_dm_of_each_user_gets_the_tick():
    runner = Runner(delay=0.01)
    confirmations = Confirmations(runner, senders=1)
    for message in (1, 2, 3):
        confirmations.due(100, 10, message)
    confirmations.due(200, 20, 4)
    confirmations.due(100, 10, 5)
    assert await confirmations.flush(5)
    confirmations.stop()
    # User 100's 1, 2 and 3 were replaced by 5 before any went; user 200 came before 5.
    assert runner.sent == [(20, 4), (10, 5)]


async def test_a_failed_tick_does_not_stop_the_others():
    runner = Runner(fail={1})
    confirmations = Confirmations(runner)
    confirmations.due(100, 10, 1)
    await asyncio.sleep(0.05)
    confirmations.due(200, 20, 2)
    assert await confirmations.flush(5)
    confirmations.stop()
    assert runner.sent == [(20, 2)]


async def test_flush_says_when_time_ran_out():
    runner = Runner(delay=1.0)
    confirmations = Confirmations(runner, senders=1)
    confirmations.due(100, 10, 1)
    assert not await confirmations.flush(0.05)
    confirmations.stop()


async def test_a_tick_held_for_the_next_dm_goes_to_it_or_is_released():
    runner = Runner()
    confirmations = Confirmations(runner)
    confirmations.due(100, 10, 1, more_coming=True)
    confirmations.due(100, 10, 2)  # the next DM takes the tick
    confirmations.due(200, 20, 3, more_coming=True)
    confirmations.release(200)  # the next DM was not relayed: the held one gets its tick
    confirmations.due(300, 30, 4, more_coming=True)  # held at shutdown: flush sends it
    assert await confirmations.flush(5)
    confirmations.stop()
    assert sorted(runner.sent) == [(10, 2), (20, 3), (30, 4)]
