"""The web process's side of live events: one follower per event loop reads the outbox and hands each
new event to the WebSocket consumers of this process (``panel.consumers``).

The outbox (``tickets.models.LiveEvent``) is written by every process, so following it is what
makes an event of the bot or the worker reach a browser connected to this web process, with SQLite
and no Redis. The follower reads every ``LIVE_EVENTS_POLL`` seconds while at least one socket is
open, in a thread of its own that keeps its database connection; with Redis, a publisher's ping
wakes it at once. It stops when the last socket closes and starts again with the next one.

On PostgreSQL ids are handed out when rows are inserted, not when they are committed, so a slow
transaction can commit id 10 after id 11 was read. The follower remembers such holes for
``HOLE_GRACE`` seconds and reads them again: the event is delivered late rather than lost. The
``resume`` it gives with each event is the id below which nothing is pending any more; a client
that reconnects catches up from there (and skips what it already has).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

import redis.asyncio as aioredis
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q

from tickets.events import EVENT_FIELDS, WAKE_CHANNEL, Event, _event, latest_id
from tickets.models import LiveEvent

log = logging.getLogger("panel.live")

# Seconds a missing id is waited for before it is taken for a rolled-back or aborted insert.
HOLE_GRACE = 10.0
# Rows read at most per look (a burst beyond it is read on the next look, without waiting).
BATCH = 500
# A jump in ids larger than this is not tracked hole by hole (ids burnt in bulk, never coming).
MAX_HOLES = 1000


class Subscriber(Protocol):
    """What the follower hands events to (a consumer): ``offer`` must not block."""

    def offer(self, event: Event, resume: int) -> None: ...


class Follower:
    """Reads the outbox for the subscribers of one event loop."""

    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self.max_seen = 0
        self.holes: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._redis_task: asyncio.Task[None] | None = None
        self._started = asyncio.Event()
        # SQLite takes one writer at a time, so ids are committed in order there: no holes to wait for.
        self.track_holes = connection.vendor != "sqlite"
        # One thread: it keeps its database connection between looks (no connection per poll).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-events")

    @property
    def resume(self) -> int:
        """Every event up to this id has been handed over (or given up on)."""
        return min(self.holes) - 1 if self.holes else self.max_seen

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _in_thread(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="live-events-follower")
        if settings.REDIS_URL:
            self._redis_task = asyncio.create_task(self._listen_redis(), name="live-events-redis")

    async def wait_started(self) -> None:
        """Wait until the follower knows where the stream stands (events after that reach it)."""
        await self._started.wait()

    def stop(self) -> None:
        self._wake.set()
        if self._redis_task is not None:
            self._redis_task.cancel()

    async def _run(self) -> None:
        poll = settings.LIVE_EVENTS_POLL
        failures = 0
        try:
            while self.subscribers and not self._started.is_set():
                try:
                    self.max_seen = await self._in_thread(latest_id)
                    self._started.set()
                except Exception:
                    failures += 1
                    log.exception("Could not read the live events (attempt %d)", failures)
                    await self._in_thread(_close_connection)
                    await asyncio.sleep(min(5.0, poll * 2**failures))
            failures = 0
            while self.subscribers:
                self._wake.clear()
                try:
                    events = await self._in_thread(self._read)
                    failures = 0
                except Exception:
                    failures += 1
                    log.exception("Could not read the live events (attempt %d)", failures)
                    await self._in_thread(_close_connection)
                    await asyncio.sleep(min(5.0, poll * 2**failures))
                    continue
                self._deliver(events)
                if len(events) >= BATCH:
                    continue  # more are waiting
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=poll)
        finally:
            self._started.set()
            await self._in_thread(_close_connection)
            self._executor.shutdown(wait=False)

    def _read(self) -> list[Event]:
        close_old_connections()  # a connection the server dropped is replaced, not reused
        wanted = Q(id__gt=self.max_seen)
        if self.holes:
            wanted |= Q(id__in=list(self.holes))
        rows = LiveEvent.objects.filter(wanted).order_by("id").values_list(*EVENT_FIELDS)[:BATCH]
        return [_event(row) for row in rows]

    def _deliver(self, events: list[Event]) -> None:
        now = time.monotonic()
        for event in events:
            if event.id in self.holes:
                del self.holes[event.id]
            elif event.id > self.max_seen:
                if self.track_holes and self.max_seen and event.id - self.max_seen - 1 <= MAX_HOLES:
                    for missing in range(self.max_seen + 1, event.id):
                        self.holes[missing] = now
                self.max_seen = event.id
        for missing, since in list(self.holes.items()):
            if now - since > HOLE_GRACE:
                del self.holes[missing]
        resume = self.resume
        for event in events:
            for subscriber in list(self.subscribers):
                try:
                    subscriber.offer(event, resume)
                except Exception:
                    log.exception("A live event subscriber failed")

    async def _listen_redis(self) -> None:
        """Set the wake-up flag whenever a publisher pings (reconnects after a failure)."""
        delay = 1.0
        while True:
            client = aioredis.Redis.from_url(settings.REDIS_URL)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(WAKE_CHANNEL)
                    delay = 1.0
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("Live events: Redis pings unavailable (%s); polling only", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
            finally:
                await client.aclose()


def _close_connection() -> None:
    """Close the calling thread's database connection (run in the follower's thread)."""
    connection.close()


_followers: dict[asyncio.AbstractEventLoop, Follower] = {}
_stopping: set[asyncio.Task[None]] = set()


async def subscribe(subscriber: Subscriber) -> Follower:
    """Register a subscriber with this event loop's follower (started if needed). Returns once the
    follower reads: every event committed from then on reaches ``subscriber.offer``."""
    loop = asyncio.get_running_loop()
    follower = _followers.get(loop)
    if follower is None or not follower.running:
        follower = Follower()
        _followers[loop] = follower
        follower.subscribers.add(subscriber)
        follower.start()
    else:
        follower.subscribers.add(subscriber)
    await follower.wait_started()
    return follower


def unsubscribe(subscriber: Subscriber) -> None:
    """Forget a subscriber; the follower stops after the last one."""
    loop = asyncio.get_running_loop()
    follower = _followers.get(loop)
    if follower is None:
        return
    follower.subscribers.discard(subscriber)
    if not follower.subscribers:
        follower.stop()
        del _followers[loop]
        if follower._task is not None:
            _stopping.add(follower._task)
            follower._task.add_done_callback(_stopping.discard)


async def wait_stopped() -> None:
    """Wait until the followers that lost their last subscriber have closed their connections."""
    tasks = [task for task in _stopping if task.get_loop() is asyncio.get_running_loop()]
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def follower_for_loop() -> Follower | None:
    """This event loop's follower, if one runs (for tests and diagnostics)."""
    return _followers.get(asyncio.get_running_loop())
