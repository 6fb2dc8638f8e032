"""How the bot's async code calls the synchronous services: in a thread pool, in order per key.

The gateway loop must never block, so every service call runs in a worker thread. Events of one
user (or one ticket channel) run one after another in arrival order, so a user's DMs are relayed in
the order they were sent; different users proceed in parallel. Each worker thread keeps its database
connection for its whole life (whatever ``CONN_MAX_AGE`` says): opening one per call would cost
more than most calls. A connection that failed, or that sat idle long enough for the server to have
dropped it, is checked and replaced before the next call.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, connections

# A connection unused for this long is pinged before its next use (servers drop idle clients).
IDLE_CHECK_AFTER = 30.0
_thread = threading.local()


def _keep_connections() -> None:
    """Worker thread initializer: this thread's connections never expire by age."""
    for alias in connections:
        connection = connections[alias]
        connection.settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": None}


def _check_idle_connections() -> None:
    now = time.monotonic()
    if now - getattr(_thread, "last_call", now) > IDLE_CHECK_AFTER:
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None and not connection.is_usable():
                connection.close()
    _thread.last_call = now


def _in_thread[T](func: Callable[..., T], args: tuple, kwargs: dict) -> T:
    _check_idle_connections()
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_old_connections()


class ServiceRunner:
    """A thread pool for service calls, per-key ordering, and a count of the work in flight."""

    def __init__(self, *, threads: int = 8) -> None:
        self.threads = threads
        self.executor = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="service", initializer=_keep_connections
        )
        self._locks: dict[Any, list] = {}
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def call[T](self, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``func(*args, **kwargs)`` in the pool and return its result (or raise its error)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(_in_thread, func, args, kwargs))

    @contextlib.asynccontextmanager
    async def ordered(self, key: Any) -> AsyncIterator[None]:
        """Hold ``key``'s turn: work under the same key runs one at a time, first come first served."""
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1  # holders and waiters: the lock is dropped only when nobody needs it
        try:
            async with self.tracked(), entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]

    def queued(self, key: Any) -> int:
        """How many pieces of work wait for ``key`` behind the one holding it."""
        entry = self._locks.get(key)
        return max(entry[1] - 1, 0) if entry else 0

    @contextlib.asynccontextmanager
    async def tracked(self) -> AsyncIterator[None]:
        """Count work in flight, so a shutdown can wait for it."""
        self._inflight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    @property
    def inflight(self) -> int:
        return self._inflight

    async def drain(self, timeout: float) -> bool:
        """Wait until no work is in flight; False if ``timeout`` ran out first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def shutdown(self) -> None:
        """Close every thread's database connection, then stop the pool."""
        barrier = threading.Barrier(self.threads, timeout=5)

        def close() -> None:
            connections.close_all()
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

        for _ in range(self.threads):
            self.executor.submit(close)
        self.executor.shutdown(wait=True)
