"""The ✅ on users' relayed DMs, sent apart from the relay itself.

A DM's relay ends when its copy is in the ticket channel; the ✅ that tells the user so is a
courtesy (``services.user_message_confirm``): it waits until Discord's request budget is not needed
by a copy, so under load the copies use the whole budget. Only the newest relayed DM of each user
waiting for its ✅ gets one: it vouches for those before it, and a burst costs one ✅, not one per DM.
A shutdown sends those still waiting (``flush``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tickets import services

log = logging.getLogger("rustmail.bot")

# ✅ requests in flight at once (each holds a service thread while it waits for the budget).
SENDERS = 2


class Confirmations:
    """Users' DMs waiting for their ✅, newest per user, sent by ``SENDERS`` tasks."""

    def __init__(self, runner: Any, *, senders: int = SENDERS) -> None:
        self.runner = runner
        self.senders = senders
        self.pending: dict[int, tuple[int, int]] = {}  # user → (DM channel, DM), in order of arrival
        self.held: dict[int, tuple[int, int]] = {}  # user → their newest relayed DM, more coming
        self.sending = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def due(self, user_id: int, dm_channel_id: int, dm_message_id: int, *, more_coming: bool = False) -> None:
        """``dm_message_id`` was relayed: it gets a ✅, replacing an older DM of the user's still
        waiting for one. ``more_coming``: the user's next DMs are already queued for relay; the ✅
        waits for them (the newest relayed takes it) or for ``release``. Called from the event loop."""
        self.pending.pop(user_id, None)
        self.held.pop(user_id, None)
        if more_coming:
            self.held[user_id] = (dm_channel_id, dm_message_id)
            return
        self.pending[user_id] = (dm_channel_id, dm_message_id)
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._send(), name=f"confirmations-{n}") for n in range(self.senders)
            ]
        self._wake.set()

    def release(self, user_id: int) -> None:
        """The user's DM after a held one was not relayed (refused, failed, a duplicate): the held
        one gets its ✅ now."""
        held = self.held.pop(user_id, None)
        if held is not None:
            self.due(user_id, *held)

    async def flush(self, timeout: float) -> bool:
        """Wait until every ✅ due has been sent (False when ``timeout`` seconds were not enough)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for user_id in list(self.held):
            self.release(user_id)
        while self.pending or self.sending:
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    async def _send(self) -> None:
        while True:
            if not self.pending:
                self._wake.clear()
                await self._wake.wait()
                continue
            user_id = next(iter(self.pending))
            dm_channel_id, dm_message_id = self.pending.pop(user_id)
            self.sending += 1
            try:
                await self.runner.call(
                    services.user_message_confirm, dm_channel_id=dm_channel_id, dm_message_id=dm_message_id
                )
            except Exception:  # a ✅ that could not go must not stop the others
                log.exception("Could not confirm DM %s", dm_message_id)
            finally:
                self.sending -= 1
