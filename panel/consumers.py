"""``/ws/events``: the live event stream of the panel pages (``panel/static/panel/live.js``).

Session-authenticated: the socket is refused to anonymous visitors, to Discord users who are not in
the staff server, and to members without ViewPanel (the API's rules). Events about a ticket reach
only those who may see its Discord category (``panel.selectors.hidden_categories``, the rule of
``GET /api/bot/tickets``). Permissions are checked again every ``LIVE_EVENTS_ACCESS_RECHECK``
seconds: a socket whose session ended or whose grants went is closed.

Frames sent (JSON):
- ``{"type": "hello", "resume": N}`` once accepted;
- an event: ``{"id", "type", "at", "ticket_id", "category_id", "data", "resume"}``;
- ``{"type": "resync", "resume": N}``: events may have been missed (the reconnection came too late,
  or too many were waiting); the page should reload what it shows.

``resume`` is the id to reconnect with: ``/ws/events?after=<resume>`` sends what came since (events
the page already has may come again; skip them by id). Without ``after`` the stream starts now.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model

from panel import live
from panel.models import PanelPermission
from panel.selectors import PanelAccess, hidden_categories, panel_access_cached
from tickets.events import TICKET_EVENTS, Event, catch_up

log = logging.getLogger("panel.consumers")

VIEW_PANEL = PanelPermission.Permission.VIEW_PANEL
# Close codes (4000-4999 are the application's): the page stops reconnecting after these.
CLOSE_SIGNED_OUT = 4401
CLOSE_FORBIDDEN = 4403
# Events waiting for a socket that does not read them; beyond, it is told to resync.
QUEUE_LIMIT = 1000


class Standing:
    """What one socket's user may see, as last computed."""

    def __init__(self, access: PanelAccess, hidden: frozenset[int]) -> None:
        self.access = access
        self.hidden = hidden
        self.checked_at = time.monotonic()

    def may_see(self, event: Event) -> bool:
        if event.type not in TICKET_EVENTS or self.access.is_admin:
            return True
        if event.category_id not in self.hidden:
            return True
        # A ticket moved out of a category its viewers see: they learn that it left.
        moved_from = event.data.get("from_category_id")
        return moved_from is not None and int(moved_from) not in self.hidden


def _standing(user_id: Any, session: Any) -> Standing | None:
    """The socket user's standing, or None when the session ended or no longer gives ViewPanel."""
    if session is not None and session.session_key and not session.exists(session.session_key):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    access = panel_access_cached(user=user)
    if not access.may_use_panel or not access.has(VIEW_PANEL):
        return None
    return Standing(access, hidden_categories(access))


def _after(query_string: bytes) -> int | None:
    """The event ID a reconnecting page resumes after (``?after=N``), or None: only ASCII digits
    that fit the outbox's 64-bit key count ("²", "１２", "-1" or 40 digits are ignored)."""
    values = parse_qs(query_string.decode("latin-1")).get("after")
    if not values or not re.fullmatch(r"[0-9]{1,18}", values[-1]):
        return None
    return int(values[-1])


class LiveEventsConsumer(AsyncJsonWebsocketConsumer):
    """Forwards the live events the signed-in panel user may see."""

    standing: Standing | None = None
    subscribed = False
    overflowed = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_SIGNED_OUT)
            return
        self.standing = await database_sync_to_async(_standing)(user.pk, None)
        if self.standing is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.queue: asyncio.Queue[tuple[Event, int] | None] = asyncio.Queue()
        # Following before accepting: every event committed once the page holds an open socket
        # reaches it, even without ``after``.
        self.follower = await live.subscribe(self)
        self.subscribed = True
        await self.accept()
        self.sender = asyncio.create_task(self._forward(_after(self.scope.get("query_string", b""))))

    async def disconnect(self, code: int) -> None:
        if not self.subscribed:
            return
        self.subscribed = False
        live.unsubscribe(self)
        self.sender.cancel()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """Nothing is expected from the page (the browser's own pings keep the socket open)."""

    def offer(self, event: Event, resume: int) -> None:
        """Called by the follower for every new event (must not block)."""
        if self.overflowed:
            return
        if self.queue.qsize() >= QUEUE_LIMIT:
            self.overflowed = True
            self.queue.put_nowait(None)  # the page reads too slowly: it will resync
            return
        self.queue.put_nowait((event, resume))

    async def _forward(self, after: int | None) -> None:
        sent: set[int] = set()
        try:
            await self.send_json({"type": "hello", "resume": self.follower.resume})
            if after is not None:
                sent = await self._catch_up(after)
            await self._relay(sent)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Live events socket failed")
            await self.close()

    async def _catch_up(self, after: int) -> set[int]:
        missed = await database_sync_to_async(catch_up)(after)
        resume = self.follower.resume
        if not missed.complete:
            await self.send_json({"type": "resync", "resume": max(resume, missed.latest)})
            return set()
        standing = self.standing
        for event in missed.events:
            if standing is not None and standing.may_see(event):
                await self.send_json({**event.as_json(), "resume": min(event.id, resume)})
        return {event.id for event in missed.events}

    async def _relay(self, already_sent: set[int]) -> None:
        recheck = settings.LIVE_EVENTS_ACCESS_RECHECK
        while True:
            try:
                item = await asyncio.wait_for(self.queue.get(), timeout=recheck)
            except TimeoutError:
                item = False
            standing = self.standing
            if standing is None or time.monotonic() - standing.checked_at >= recheck:
                standing = await database_sync_to_async(_standing)(
                    self.scope["user"].pk, self.scope.get("session")
                )
                self.standing = standing
                if standing is None:
                    await self.close(code=CLOSE_FORBIDDEN)
                    return
            if item is False:
                continue
            if item is None:
                await self._resync()
                continue
            event, resume = item
            if event.id in already_sent:
                already_sent.discard(event.id)
                continue
            if standing.may_see(event):
                await self.send_json({**event.as_json(), "resume": resume})

    async def _resync(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.overflowed = False
        await self.send_json({"type": "resync", "resume": self.follower.resume})
