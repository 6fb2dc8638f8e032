"""A cache of ``GET /api/bot/tickets`` pages: the rendered JSON, kept in each web process.

A page is kept under a key made of a **data stamp**, the exact query (status, page, page size,
category, sort) and the caller's **hidden categories** (what the caller may not see, computed for
every request): two callers share a page only if they may see exactly the same tickets.

The stamp is one value in the shared cache (the database cache table, or Redis), replaced by a
fresh random value after every committed write to the tickets, their messages or their
attachments. Writes are noticed below the ORM: every database connection of every process (web,
bot, worker) runs a wrapper that looks at each statement it executes, so ``save()``,
``QuerySet.update()``, ``bulk_create()``, cascades and the relay's raw SQL all count. The stamp
changes once the transaction commits (``on_commit``), so a page built from uncommitted data is
never kept. A page built while a write commits may be kept under the old stamp; that stamp is
replaced right after the commit, so the next request builds the page again.

The cache is on only when the shared cache is Redis (``REDIS_URL``): replacing the stamp is then
one Redis command per committed write, whereas on the database cache of the embedded default it
would add statements to every relayed DM (the relay's budget is 6). It is also off inside a
transaction (a request that reads its own uncommitted writes). Writes made outside the product
(``psql``, ``sqlite3``) are not noticed: the stamp is cleared with ``cache.delete("api-tickets:stamp")``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.db.backends.signals import connection_created

logger = logging.getLogger(__name__)

STAMP_KEY = "api-tickets:stamp"
MAX_PAGES = 32  # rendered pages kept per process (a first page of 50 tickets is ~150 KB)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "TRUNCATE")

_pages: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


def _watched_tables() -> tuple[str, ...]:
    from tickets.models import Attachment, Ticket, TicketMessage

    return tuple(model._meta.db_table for model in (Ticket, TicketMessage, Attachment))


_TABLES: tuple[str, ...] = ()


def writes_tickets(sql: str) -> bool:
    """Whether a statement may change a ticket, a message or an attachment (a statement that
    only reads may say yes: it costs a cache miss, never a stale page)."""
    head = sql.lstrip()[:8].upper()
    if not head.startswith(_WRITES):
        return False
    return any(table in sql for table in _TABLES)


def bump() -> None:
    """Replace the data stamp (after a committed write): every page kept so far is stale."""
    try:
        cache.set(STAMP_KEY, uuid.uuid4().hex, None)
    except Exception:  # the write itself is committed: say so loudly, keep this process fresh
        logger.exception("the ticket list's cache stamp could not be replaced")
        clear()


def shared_cache_is_redis() -> bool:
    """Whether the processes share a Redis cache, where the stamp costs no SQL."""
    return isinstance(caches["default"], RedisCache)


def _watch(execute: Callable, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if not (isinstance(sql, str) and writes_tickets(sql) and shared_cache_is_redis()):
        return execute(sql, params, many, context)
    db = context["connection"]
    if db.in_atomic_block:
        result = execute(sql, params, many, context)
        if not any(entry[1] is bump for entry in db.run_on_commit):  # once per transaction
            transaction.on_commit(bump, using=db.alias)
        return result
    result = execute(sql, params, many, context)
    if db.vendor == "sqlite" and "RETURNING" in sql.upper():
        # Autocommit on SQLite: an INSERT ... RETURNING is committed once its rows are read, and
        # another statement before that would lose it; read them now, the caller gets them after.
        _buffer(context["cursor"].cursor)
    bump()
    return result


def _buffer(cursor: Any) -> None:
    rows = iter(cursor.fetchall())
    cursor.fetchone = lambda: next(rows, None)
    cursor.fetchall = lambda: list(rows)
    cursor.fetchmany = lambda size=None: [
        row for _n, row in zip(range(size or cursor.arraysize), rows, strict=False)
    ]


def _install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def connect() -> None:
    """Watch every database connection of this process for writes to tickets (``AppConfig.ready``)."""
    global _TABLES
    _TABLES = _watched_tables()
    connection_created.connect(_install, dispatch_uid="panel.ticketcache")


def enabled() -> bool:
    """Whether pages may be cached now: a Redis cache shared by the processes, outside a transaction."""
    return shared_cache_is_redis() and not connection.in_atomic_block


def stamp() -> str:
    """The current data stamp (one cache read; a missing stamp is created)."""
    value = cache.get(STAMP_KEY)
    if value is None:
        cache.add(STAMP_KEY, uuid.uuid4().hex, None)
        value = cache.get(STAMP_KEY)
    return value


def cached_page(key: Hashable, build: Callable[[], bytes]) -> bytes:
    """The rendered page kept under ``(stamp, key)``, or ``build()`` kept there. ``key`` must hold
    everything the page depends on besides the data: the query and the caller's hidden categories."""
    full = (stamp(), key)
    with _lock:
        body = _pages.get(full)
        if body is not None:
            _pages.move_to_end(full)
            return body
    body = build()
    with _lock:
        _pages[full] = body
        while len(_pages) > MAX_PAGES:
            _pages.popitem(last=False)
    return body


def clear() -> None:
    """Forget the pages kept by this process."""
    with _lock:
        _pages.clear()
