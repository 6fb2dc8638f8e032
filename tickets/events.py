"""Live events: what changed, published by the services, followed by every web process.

``publish()`` writes one row of the outbox (``tickets.models.LiveEvent``) in the caller's
transaction. The event therefore exists exactly when the change does: a rolled-back transaction
publishes nothing, and no process sees the event before the change is committed. It costs one
INSERT inside a transaction the service already holds (no second commit on the bot's hot path).

Each web process follows the table (``panel.live``) and hands new rows to its WebSocket consumers,
which drop what their user may not see. Because the stream is a table, it crosses processes with
SQLite alone, and a page that reconnects catches up from the last id it saw. With Redis, every
commit that published also pings the followers, so they read at once instead of at their next poll.

Event payloads carry IDs and small values, never message text: a page fetches what it shows
through its own views, which apply the caller's permissions.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import redis
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.utils import timezone

from tickets.models import LiveEvent

if TYPE_CHECKING:
    from tickets.models import Ticket

log = logging.getLogger("tickets.events")

# The Redis pub/sub channel on which publishers ping the followers after a commit.
WAKE_CHANNEL = "rustmail:live-events"


class EventType(StrEnum):
    """The names of the events. A page listens to ``rm:<name>`` (see ``panel/static/panel/live.js``)."""

    TICKET_OPENED = "ticket.opened"
    """A ticket was opened (by a DM, by staff, through the API, or on a channel)."""
    TICKET_UPDATED = "ticket.updated"
    """Something about a ticket changed: ``data.change`` says what (taken, released, moved, label,
    close_scheduled, close_cancelled, user_left, user_returned, channel)."""
    TICKET_CLOSED = "ticket.closed"
    """A ticket was closed."""
    MESSAGE_CREATED = "message.created"
    """A message was added to a ticket: ``data.kind`` is user, staff, internal or system."""
    MESSAGE_UPDATED = "message.updated"
    """A ticket message was edited (``data.change`` "edited") or deleted ("deleted")."""
    BOT_STATUS = "bot.status"
    """The bot started or stopped, or what it was asked to do changed (``data`` has ``status``,
    ``presence``, ``desired_state``)."""
    CONFIG_UPDATED = "config.updated"
    """The bot configuration was saved (``data.sections``: the sections that changed)."""
    CATEGORIES_UPDATED = "categories.updated"
    """Ticket categories or the category prompt changed (``data.change``, ``data.name``)."""


# Events about one ticket: they carry its id and Discord category, and reach only those who may see it.
TICKET_EVENTS = frozenset(
    {
        EventType.TICKET_OPENED,
        EventType.TICKET_UPDATED,
        EventType.TICKET_CLOSED,
        EventType.MESSAGE_CREATED,
        EventType.MESSAGE_UPDATED,
    }
)


@dataclass(frozen=True)
class Event:
    """One event as the followers read it."""

    id: int
    type: str
    created_at: datetime
    ticket_id: str | None = None
    category_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The frame a browser receives. Snowflakes are strings, as in Discord's JSON (a JavaScript
        number cannot hold 64 bits)."""
        return {
            "id": self.id,
            "type": self.type,
            "at": self.created_at.isoformat(),
            "ticket_id": self.ticket_id,
            "category_id": str(self.category_id) if self.category_id is not None else None,
            "data": self.data,
        }


EVENT_FIELDS = ("id", "type", "created_at", "ticket_id", "category_id", "data")


def _event(row: tuple[Any, ...]) -> Event:
    event_id, event_type, created_at, ticket_id, category_id, data = row
    return Event(
        id=event_id,
        type=event_type,
        created_at=created_at,
        ticket_id=str(ticket_id) if ticket_id is not None else None,
        category_id=category_id,
        data=data or {},
    )


def publish(
    event_type: EventType | str,
    *,
    ticket_id: uuid.UUID | str | None = None,
    category_id: int | None = None,
    data: dict[str, Any] | None = None,
    ticket: Ticket | None = None,
) -> None:
    """Publish an event, in the current transaction if there is one (it exists only if that commits).

    ``ticket`` fills ``ticket_id`` and ``category_id`` from a ticket; an event about a ticket must
    carry its category, which decides who receives it. ``data`` holds IDs and small values
    (datetimes and UUIDs are encoded). Raises ``ValueError`` for an unknown event name.
    """
    event_type = EventType(event_type)
    if ticket is not None:
        ticket_id = ticket.pk
        category_id = ticket.category_id
    _insert((event_type.value, timezone.now(), ticket_id, category_id, _plain(data or {})))
    if settings.REDIS_URL:
        transaction.on_commit(_wake, robust=True)


_INSERT_FIELDS = ("type", "created_at", "ticket_id", "category_id", "data")
# (database alias, vendor) -> the INSERT of one event, which the ORM writes once: ``publish`` runs on
# the bot's hot path (every relayed DM), where compiling a query costs more CPU than running it.
_insert_sql: dict[tuple[str, str], str] = {}


def _insert(values: tuple[Any, ...]) -> None:
    """``LiveEvent.objects.create`` with ``values`` in ``_INSERT_FIELDS``' order, its SQL compiled once."""
    fields = [LiveEvent._meta.get_field(name) for name in _INSERT_FIELDS]
    key = (connection.alias, connection.vendor)
    sql = _insert_sql.get(key)
    if sql is None:
        query = InsertQuery(LiveEvent)
        query.insert_values(fields, [LiveEvent(**dict(zip(_INSERT_FIELDS, values, strict=True)))])
        [(sql, params)] = query.get_compiler(connection=connection).as_sql()
        if len(params) != len(fields):  # one placeholder per field, in their order
            raise RuntimeError(f"Unexpected INSERT of a live event: {sql}")
        _insert_sql[key] = sql
    params = [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def publish_for_tickets(
    event_type: EventType | str,
    tickets: Iterable[tuple[uuid.UUID | str, int | None]],
    *,
    data: dict[str, Any] | None = None,
) -> None:
    """Publish one event per ``(ticket_id, category_id)`` (a batch of closes, say) in one INSERT."""
    event_type = EventType(event_type)
    payload = _plain(data or {})
    rows = [
        LiveEvent(type=event_type.value, ticket_id=ticket_id, category_id=category_id, data=payload)
        for ticket_id, category_id in tickets
    ]
    if not rows:
        return
    LiveEvent.objects.bulk_create(rows)
    if settings.REDIS_URL:
        transaction.on_commit(_wake, robust=True)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Datetimes, UUIDs and the like as JSON text, so a stored event reads back as it was sent."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


_redis_lock = threading.Lock()
_redis_client: Any = None
_redis_failed_at: float = 0.0


def _wake() -> None:
    """Ping the followers through Redis (best effort: they poll anyway)."""
    global _redis_client, _redis_failed_at
    if time.monotonic() - _redis_failed_at < 5.0:
        return  # Redis just failed: do not slow every publish down while it is away
    try:
        if _redis_client is None:
            with _redis_lock:
                if _redis_client is None:
                    _redis_client = redis.Redis.from_url(
                        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
                    )
        _redis_client.publish(WAKE_CHANNEL, b"1")
    except redis.RedisError as error:
        _redis_failed_at = time.monotonic()
        log.warning("Could not ping the live event followers through Redis: %s", error)


def latest_id() -> int:
    """The id of the newest event (0 when there is none): a page rendered now catches up from here."""
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(after: int, *, limit: int) -> list[Event]:
    """Up to ``limit`` events with an id above ``after``, oldest first."""
    rows = LiveEvent.objects.filter(id__gt=after).order_by("id").values_list(*EVENT_FIELDS)[:limit]
    return [_event(row) for row in rows]


@dataclass(frozen=True)
class CatchUp:
    """What a reconnecting client missed: the events, and whether they are all of them."""

    events: list[Event]
    complete: bool
    latest: int


def catch_up(after: int, *, limit: int | None = None) -> CatchUp:
    """The events after ``after`` for a client that reconnects.

    Not ``complete`` when some may be gone (trimmed, or more than ``limit``), or when ``after`` is
    beyond the newest event (the database was replaced): the client must then reload what it shows.
    """
    limit = limit or settings.LIVE_EVENTS_CATCH_UP
    events = events_after(after, limit=limit + 1)
    oldest = LiveEvent.objects.order_by("id").values_list("id", flat=True).first()
    latest = latest_id()
    complete = (
        len(events) <= limit
        # The newest row is never trimmed, so ``oldest`` tells whether rows after ``after`` went.
        and (oldest is None or oldest <= after + 1)
        and after <= latest
    )
    return CatchUp(events=events[:limit] if complete else [], complete=complete, latest=latest)


def trim(*, older_than: timedelta | None = None, at: datetime | None = None) -> int:
    """Delete events older than the retention (``LIVE_EVENTS_RETENTION`` seconds), always keeping
    the newest one (it tells a reconnecting client whether it missed trimmed events). Returns how
    many went."""
    older_than = older_than if older_than is not None else timedelta(seconds=settings.LIVE_EVENTS_RETENTION)
    cutoff = (at or timezone.now()) - older_than
    newest = latest_id()
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff, id__lt=newest).delete()
    return deleted
