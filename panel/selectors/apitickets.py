"""Tickets for ``GET /api/bot/tickets``: one page (with the messages of its tickets) or one ticket.

A page costs four queries whatever its size and depth: the count, the page, the messages of the
page's tickets and their attachments (no N+1). Rows come out of the database already in the shape of the API
(Rustmail's): timestamps as Unix seconds or UTC text and snowflakes as text are computed by the
database, so no ``datetime`` is built per row, and each row becomes a dict in one ``zip``.

- The count is taken per category and the hidden ones left out in Python: an index-only scan,
  cheaper than filtering every row in the database.
- A page is read with a deferred join: the IDs of the page are picked off an index that holds the
  sort key, the category and the ID (migration 0020: an index-only scan, even a thousand pages
  deep), then only those fifty rows are read from the table.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.db.models import CharField, Count, F, Func, IntegerField, QuerySet
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from panel.renderers import JsonText
from tickets.errors import PermissionDenied, TicketNotFound
from tickets.models import Ticket, TicketMessage
from tickets.services.attachments.serving import attachments_json

SORT_FIELDS = ("created_at", "closed_at", "user_name")
MAX_PAGE_SIZE = 200

Row = dict[str, Any]


class UnixSeconds(Func):
    """A timestamp as whole Unix seconds (NULL stays NULL), as ``int(dt.timestamp())`` gives."""

    # SQLite (Django stores UTC text there), cut to the second first (SQLite rounds to milliseconds);
    # "%" is doubled twice: for this template, then for the driver.
    template = "CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)"
    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"
        )


class UtcText(Func):
    """A timestamp as UTC text ``YYYY-MM-DD HH:MM:SS`` (Rustmail's message time)."""

    template = "datetime(substr(%(expressions)s, 1, 19))"  # SQLite (cut first: it rounds to milliseconds)
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')",
        )


class UuidText(Func):
    """A UUID as its canonical text (``8-4-4-4-12`` hex digits): a ``str`` is what the API shows, and
    it hashes faster than a ``uuid.UUID`` when messages are grouped by ticket."""

    # SQLite: Django stores the 32 hex digits without dashes.
    template = (
        "substr(%(expressions)s, 1, 8) || '-' || substr(%(expressions)s, 9, 4) || '-' || "
        "substr(%(expressions)s, 13, 4) || '-' || substr(%(expressions)s, 17, 4) || '-' || "
        "substr(%(expressions)s, 21, 12)"
    )
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="%(expressions)s::text")


def _text(field: str) -> Cast:
    """A snowflake as text (JSON numbers lose digits past 2**53); NULL stays NULL."""
    return Cast(field, CharField())


# Each key of the API's ticket and message objects, in their order, and the column behind it.
TICKET_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("id", UuidText("id")),
    ("user_id", "user_id"),
    ("user_name", "user_name"),
    ("channel_id", _text("channel_id")),
    ("created_at", UnixSeconds("created_at")),
    ("new_message_number", "next_message_number"),
    ("status", "status"),
    ("user_left", "user_left"),
    ("closed_at", UnixSeconds("closed_at")),
    ("closed_by", "closed_by"),
    ("category_id", _text("category_id")),
    ("category_name", "category_name"),
    ("required_permissions", "required_permissions"),
)
MESSAGE_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("id", "id"),
    ("thread_id", UuidText("ticket_id")),
    ("user_id", "author_id"),
    ("user_name", "author_name"),
    ("is_anonymous", "is_anonymous"),
    ("dm_message_id", _text("dm_message_id")),
    ("inbox_message_id", _text("inbox_message_id")),
    ("message_number", "message_number"),
    ("created_at", UtcText("created_at")),
    ("content", "content"),
    ("is_internal", "is_internal"),
)
TICKET_KEYS = tuple(key for key, _column in TICKET_COLUMNS)
MESSAGE_KEYS = tuple(key for key, _column in MESSAGE_COLUMNS)


@dataclass(frozen=True)
class TicketPage:
    """One page of tickets, each a dict in the API's shape; ``messages`` maps each ticket's ID (as
    text) to its messages (dicts in the API's shape), oldest first."""

    tickets: list[Row]
    messages: dict[str, list[Row] | JsonText]
    total: int
    page: int
    page_size: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.page_size)


def _visible(queryset: QuerySet[Ticket], hidden: frozenset[int]) -> QuerySet[Ticket]:
    """Leave out the tickets in a hidden category."""
    return queryset.exclude(category_id__in=hidden) if hidden else queryset


def _count(queryset: QuerySet[Ticket], hidden: frozenset[int]) -> int:
    """How many of ``queryset`` are visible, counted per category (an index-only scan)."""
    per_category = queryset.order_by().values_list("category_id").annotate(count=Count("*"))
    return sum(count for category_id, count in per_category if category_id not in hidden)


def _ticket_rows(queryset: QuerySet[Ticket], *extra: str) -> list[tuple]:
    return list(queryset.values_list(*(column for _key, column in TICKET_COLUMNS), *extra))


# PostgreSQL writes each message's JSON object itself: compact, the keys in the API's order, the
# same values as MESSAGE_COLUMNS give, text escaped by ``to_json``; ``attachments`` last and empty,
# filled in Python for the few messages that have files. Put together by concatenation, twice as
# fast as ``row_to_json`` or ``json_build_object`` (which look each column's type up per row). Each
# ticket's messages are read in order off the (ticket, created_at) index, one ticket after the
# other in the order asked: sorting all the page's messages together (a long ticket's megabytes)
# would spill to disk.
_PG_MESSAGES_JSON = """
SELECT m.id, m.ticket_id::text, concat(
  '{"id":', m.id,
  ',"thread_id":"', m.ticket_id::text,
  '","user_id":', m.author_id,
  ',"user_name":', to_json(m.author_name)::text,
  ',"is_anonymous":', CASE WHEN m.is_anonymous THEN 'true' ELSE 'false' END,
  ',"dm_message_id":', COALESCE('"' || m.dm_message_id::text || '"', 'null'),
  ',"inbox_message_id":', COALESCE('"' || m.inbox_message_id::text || '"', 'null'),
  ',"message_number":', COALESCE(m.message_number::text, 'null'),
  ',"created_at":"', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
  '","content":', to_json(m.content)::text,
  ',"is_internal":', CASE WHEN m.is_internal THEN 'true' ELSE 'false' END,
  ',"attachments":[]}'
)
FROM unnest(%s::uuid[]) AS t(id)
CROSS JOIN LATERAL (
  SELECT * FROM tickets_ticketmessage m WHERE m.ticket_id = t.id ORDER BY m.created_at, m.id
) m"""
_NO_FILES = "[]}"


def _messages_json(ticket_ids: list[str]) -> dict[str, JsonText]:
    """``_messages_of`` on PostgreSQL: each ticket's messages as one piece of JSON text, written by
    the database; Python only joins them (a 10,000-message ticket costs a few milliseconds here
    instead of a dict and its encoding per message)."""
    files = attachments_json(ticket_ids=ticket_ids)
    grouped: dict[str, list[str]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_PG_MESSAGES_JSON, [ticket_ids])
        for message_id, thread_id, text in cursor.fetchall():
            if message_id in files:  # "attachments":[] closes the object: put the files there
                text = text[: -len(_NO_FILES)] + orjson.dumps(files[message_id]).decode() + "}"
            grouped[thread_id].append(text)
    return {key: JsonText("[" + ",".join(texts) + "]") for key, texts in grouped.items()}


def _messages_of(ticket_ids: Iterable[str]) -> dict[str, list[Row] | JsonText]:
    """The messages of these tickets, oldest first, grouped by ticket, each with its attachments
    (links to the stored copies): two queries. On PostgreSQL each ticket's list comes as JSON
    text (``JsonText``, which the API's renderer writes as it is)."""
    ticket_ids = [str(key) for key in ticket_ids]
    if ticket_ids and connection.vendor == "postgresql":
        return _messages_json(ticket_ids)
    grouped: dict[str, list[Row]] = defaultdict(list)
    if ticket_ids:
        rows = (
            TicketMessage.objects.filter(ticket_id__in=ticket_ids)
            .order_by("ticket_id", "created_at", "id")
            .values_list(*(column for _key, column in MESSAGE_COLUMNS))
        )
        keys = MESSAGE_KEYS
        files = attachments_json(ticket_ids=ticket_ids)
        for row in rows:
            message = dict(zip(keys, row))  # noqa: B905 - a hot loop
            message["attachments"] = files.get(row[0], [])
            grouped[row[1]].append(message)
    return grouped


def ticket_filter(*, status: int = Ticket.Status.OPEN, category_id: int | None = None) -> QuerySet[Ticket]:
    """The tickets a page is drawn from: ``status``, optionally in one Discord category."""
    queryset = Ticket.objects.filter(status=status)
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    return queryset


def ticket_page(
    *,
    status: int = Ticket.Status.OPEN,
    page: int = 1,
    page_size: int = 50,
    category_id: int | None = None,
    sort_by: str = "created_at",
    descending: bool = True,
    hidden: frozenset[int] = frozenset(),
) -> TicketPage:
    """Tickets with ``status``, optionally in one Discord category, sorted and paginated.

    ``page_size`` is capped at 200 as Rustmail does; tickets in a ``hidden`` category are left out.
    Equal sort values are ordered by ID, so that pages never overlap. A page in the second half is
    picked from the other end (the same rows, read backwards from the end): the deepest page costs
    what the middle one does.
    """
    page_size = min(page_size, MAX_PAGE_SIZE)
    queryset = ticket_filter(status=status, category_id=category_id)
    total = _count(queryset, hidden)
    offset = (page - 1) * page_size
    if offset >= total:  # past the last page: nothing to read
        return TicketPage(tickets=[], messages={}, total=total, page=page, page_size=page_size)
    end = min(offset + page_size, total)
    start, backwards = (total - end, True) if total - end < offset else (offset, False)
    ids = (
        _visible(queryset, hidden)
        .order_by(*_order(sort_by, descending=descending != backwards))
        .values("id")[start : start + end - offset]
    )
    rows = _ticket_rows(Ticket.objects.filter(id__in=ids).order_by(*_order(sort_by, descending=descending)))
    return _page(rows, total=total, page=page, page_size=page_size)


def _order(sort_by: str, *, descending: bool) -> list[OrderBy]:
    """The order of a page: the sort field, then the ID (both ways alike, as the indexes hold them)."""
    if descending:
        return [F(sort_by).desc(), F("id").desc()]
    return [F(sort_by).asc(), F("id").asc()]


def ticket_page_of(*, ticket_ids: list[uuid.UUID], total: int, page: int, page_size: int) -> TicketPage:
    """A page of the tickets with these IDs, in this order (a page another selector chose, such as
    a search's results), with their messages: two queries. Unknown IDs are left out."""
    found = {row[0]: row for row in _ticket_rows(Ticket.objects.filter(id__in=ticket_ids))}
    rows = [found[str(key)] for key in ticket_ids if str(key) in found]
    return _page(rows, total=total, page=page, page_size=min(page_size, MAX_PAGE_SIZE))


def _page(rows: list[tuple], *, total: int, page: int, page_size: int) -> TicketPage:
    tickets = [dict(zip(TICKET_KEYS, row, strict=True)) for row in rows]
    messages = _messages_of(row[0] for row in rows)
    return TicketPage(tickets=tickets, messages=messages, total=total, page=page, page_size=page_size)


def ticket_detail(
    *, ticket_id: str, hidden: frozenset[int] = frozenset()
) -> tuple[Row, list[Row] | JsonText]:
    """One ticket and its messages, in the API's shape; ``TicketNotFound`` if there is none with
    this ID, ``PermissionDenied`` if it sits in a hidden category."""
    try:
        key = uuid.UUID(ticket_id)
    except ValueError:
        raise TicketNotFound() from None
    rows = _ticket_rows(Ticket.objects.filter(pk=key), "category_id")
    if not rows:
        raise TicketNotFound()
    *values, category_id = rows[0]
    if category_id in hidden:
        raise PermissionDenied(_("You don't have permission to view this ticket"))
    return dict(zip(TICKET_KEYS, values, strict=True)), _messages_of([key]).get(str(key), [])
