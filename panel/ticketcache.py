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

Where the stamp lives, so that replacing it costs no SQL (the relay's budget is 6 statements):

- with Redis as the shared cache (``REDIS_URL``): a Redis value, one command per committed write;
- on SQLite without Redis (the embedded default, one host by nature): the modification time of a
  file beside the database file (``<database>.pages``), set once per committed write (no
  statement) and read with one ``stat`` per request;
- otherwise (PostgreSQL with the database cache) the cache is off: its stamp would cost SQL.

It is also off inside a transaction (a request that reads its own uncommitted writes). Writes made
outside the product (``psql``, ``sqlite3``) are not noticed: the stamp is replaced with
``cache.delete("api-tickets:stamp")`` (Redis) or by deleting the ``.pages`` file (SQLite).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, connections, transaction
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
        path = _stamp_file()
        if path is None:
            cache.set(STAMP_KEY, uuid.uuid4().hex, None)
            return
        # A time of its own, never one seen before by this process (two writes in the same clock
        # tick still give two stamps); other processes' writes set times of their own.
        global _last_touch
        now = max(time.time_ns(), _last_touch + 1)
        _last_touch = now
        try:
            os.utime(path, ns=(now, now))
        except FileNotFoundError:
            with open(path, "a"):  # created empty, then dated
                pass
            os.utime(path, ns=(now, now))
    except Exception:  # the write itself is committed: say so loudly, keep this process fresh
        logger.exception("the ticket list's cache stamp could not be replaced")
        clear()


_last_touch = 0


def shared_cache_is_redis() -> bool:
    """Whether the processes share a Redis cache, where the stamp costs no SQL."""
    return isinstance(caches["default"], RedisCache)


def _stamp_file() -> str | None:
    """The file whose modification time is the stamp: on SQLite without Redis, beside the
    database file (``<database>.pages``); None otherwise (or for a database in memory)."""
    if shared_cache_is_redis():
        return None
    database = connections["default"]
    name = str(database.settings_dict.get("NAME") or "")
    if database.vendor != "sqlite" or not name or name.startswith("file:") or ":memory:" in name:
        return None
    return f"{name}.pages"


def _stamped() -> bool:
    """Whether this configuration has a stamp that costs no SQL (the cache can be on)."""
    return shared_cache_is_redis() or _stamp_file() is not None


def _watch(execute: Callable, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    if not (isinstance(sql, str) and writes_tickets(sql) and _stamped()):
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
    """Whether pages may be cached now: a stamp that costs no SQL (Redis, or a file beside the
    SQLite database), outside a transaction."""
    return _stamped() and not connection.in_atomic_block


def stamp() -> str:
    """The current data stamp (one cache read, or one ``stat``; a missing stamp is created)."""
    path = _stamp_file()
    if path is not None:
        try:
            return str(os.stat(path).st_mtime_ns)
        except FileNotFoundError:
            bump()
            return str(os.stat(path).st_mtime_ns)
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
