"""The two engines behind :func:`tickets.search.search_tickets`: PostgreSQL and SQLite FTS5.

Each answers two questions in raw SQL over the index the triggers keep (``schema``): which tickets
match, best first, with how many match in all (one query); and, for one page of them, the best few
matching messages and the matching ticket fields, with the matched words between ``MARK_START`` and
``MARK_END`` (one query each). The ticket filter (status, category, hidden categories) is the
caller's queryset, used as a subquery.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from tickets.models import Ticket

from .highlight import MARK_END, MARK_START, Highlight
from .query import SearchQuery

TICKET_FIELDS = ("user_name", "user_id", "label", "category")
Ranked = list[tuple[uuid.UUID, float, int]]


def _filter_sql(tickets: QuerySet[Ticket]) -> tuple[str, tuple[Any, ...]]:
    """``AND b.ticket_id IN (...)`` for the caller's filter; nothing when it keeps every ticket."""
    if not tickets.query.where:
        return "", ()
    sql, params = tickets.order_by().values("pk").query.sql_with_params()
    return f"AND b.ticket_id IN ({sql})", tuple(params)


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _fetch(sql: str, params: tuple[Any, ...] | list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- PostgreSQL ---------------------------------------------------------------------------------
PG_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=24, MinWords=8, ShortWord=2, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
PG_QUERY = (
    "SELECT tickets_search_config() AS config, websearch_to_tsquery(tickets_search_config(), %s) AS query"
)


def pg_rank(text: str, tickets: QuerySet[Ticket], *, deleted: bool, limit: int, offset: int) -> Ranked:
    """The tickets matching ``text`` (websearch syntax), best first: ``(id, rank, total)`` rows."""
    filter_sql, filter_params = _filter_sql(tickets)
    live = "" if deleted else "AND m.deleted_at IS NULL"
    sql = f"""
WITH q AS MATERIALIZED ({PG_QUERY}),
hits AS (
  SELECT m.ticket_id, max(ts_rank(m.search_vector, q.query)) AS rank, count(*) AS hits,
    max(m.created_at) AS latest
  FROM tickets_ticketmessage m CROSS JOIN q
  WHERE m.search_vector @@ q.query {live}
  GROUP BY m.ticket_id
  UNION ALL
  SELECT t.id, 2 * ts_rank(t.search_vector, q.query), 1, t.created_at
  FROM tickets_ticket t CROSS JOIN q WHERE t.search_vector @@ q.query
),
best AS (
  SELECT ticket_id, max(rank) AS rank, sum(hits) AS hits, max(latest) AS latest FROM hits GROUP BY ticket_id
)
SELECT b.ticket_id, b.rank, count(*) OVER () FROM best b
WHERE TRUE {filter_sql}
ORDER BY b.rank DESC, b.hits DESC, b.latest DESC, b.ticket_id DESC
LIMIT %s OFFSET %s"""
    return [(_uuid(r[0]), r[1], r[2]) for r in _fetch(sql, (text, *filter_params, limit, offset))]


def pg_highlights(
    text: str, ticket_ids: list[uuid.UUID], *, deleted: bool, per_ticket: int
) -> list[tuple[uuid.UUID, Highlight]]:
    """The best ``per_ticket`` matching messages of each ticket, then the ticket's matching fields."""
    live = "" if deleted else "AND m.deleted_at IS NULL"
    messages = f"""
WITH q AS MATERIALIZED ({PG_QUERY})
SELECT s.ticket_id, s.id, ts_headline(q.config, s.content, q.query, %s) FROM (
  SELECT m.ticket_id, m.id, m.content, row_number() OVER (
    PARTITION BY m.ticket_id ORDER BY ts_rank(m.search_vector, q.query) DESC, m.created_at DESC, m.id DESC
  ) AS n
  FROM tickets_ticketmessage m CROSS JOIN q
  WHERE m.ticket_id = ANY(%s) AND m.search_vector @@ q.query {live}
) s CROSS JOIN q WHERE s.n <= %s ORDER BY s.ticket_id, s.n"""
    found = [
        (_uuid(t), Highlight(source="message", text=h, message_id=i))
        for t, i, h in _fetch(messages, (text, PG_OPTIONS, ticket_ids, per_ticket))
    ]
    fields = f"""
WITH q AS MATERIALIZED ({PG_QUERY})
SELECT t.id, ts_headline(q.config, t.user_name, q.query, %s),
  ts_headline('simple', t.user_id::text, q.query, %s),
  ts_headline(q.config, t.label, q.query, %s),
  ts_headline(q.config, COALESCE(t.category_name, ''), q.query, %s)
FROM tickets_ticket t CROSS JOIN q WHERE t.id = ANY(%s) AND t.search_vector @@ q.query"""
    for ticket_id, *values in _fetch(fields, (text, *[PG_OPTIONS] * 4, ticket_ids)):
        found += [
            (_uuid(ticket_id), Highlight(source=name, text=value))
            for name, value in zip(TICKET_FIELDS, values, strict=True)
            if MARK_START in (value or "")
        ]
    return found


# --- SQLite FTS5 --------------------------------------------------------------------------------
MS, ME = f"char({ord(MARK_START)})", f"char({ord(MARK_END)})"


def sqlite_rank(
    query: SearchQuery, tickets: QuerySet[Ticket], *, deleted: bool, limit: int, offset: int
) -> Ranked:
    """As :func:`pg_rank`, with FTS5's bm25 (negated: higher is better)."""
    filter_sql, filter_params = _filter_sql(tickets)
    live = "" if deleted else "AND m.deleted_at IS NULL"
    match = query.fts5()
    sql = f"""
WITH hits AS (
  SELECT m.ticket_id AS ticket_id, max(-f.rank) AS rank, count(*) AS hits, max(m.created_at) AS latest
  FROM tickets_message_fts f JOIN tickets_ticketmessage m ON m.id = f.rowid
  WHERE tickets_message_fts MATCH %s {live}
  GROUP BY m.ticket_id
  UNION ALL
  SELECT t.id, -2 * f.rank, 1, t.created_at
  FROM tickets_ticket_fts f JOIN tickets_ticket t ON t.rowid = f.rowid WHERE tickets_ticket_fts MATCH %s
),
best AS (
  SELECT ticket_id, max(rank) AS rank, sum(hits) AS hits, max(latest) AS latest FROM hits GROUP BY ticket_id
)
SELECT b.ticket_id, b.rank, count(*) OVER () FROM best b
WHERE TRUE {filter_sql}
ORDER BY b.rank DESC, b.hits DESC, b.latest DESC, b.ticket_id DESC
LIMIT %s OFFSET %s"""
    rows = _fetch(sql, (match, match, *filter_params, limit, offset))
    return [(_uuid(r[0]), r[1], r[2]) for r in rows]


def sqlite_highlights(
    query: SearchQuery, ticket_ids: list[uuid.UUID], *, deleted: bool, per_ticket: int
) -> list[tuple[uuid.UUID, Highlight]]:
    """As :func:`pg_highlights`, with FTS5's ``snippet`` and ``highlight``."""
    live = "" if deleted else "AND m.deleted_at IS NULL"
    match = query.fts5()
    keys = [t.hex for t in ticket_ids]
    marks = ", ".join(["%s"] * len(keys))
    # FTS5 allows its auxiliary functions in a plain MATCH query only: choose, then cut snippets.
    best = f"""
SELECT ticket_id, id FROM (
  SELECT m.ticket_id, m.id,
    row_number() OVER (PARTITION BY m.ticket_id ORDER BY f.rank, m.created_at DESC, m.id DESC) AS n
  FROM tickets_message_fts f JOIN tickets_ticketmessage m ON m.id = f.rowid
  WHERE tickets_message_fts MATCH %s AND m.ticket_id IN ({marks}) {live}
) WHERE n <= %s ORDER BY ticket_id, n"""
    chosen = _fetch(best, (match, *keys, per_ticket))
    found: list[tuple[uuid.UUID, Highlight]] = []
    if chosen:
        rowids = ", ".join(["%s"] * len(chosen))
        cut = f"""
SELECT rowid, snippet(tickets_message_fts, 0, {MS}, {ME}, '…', 24) FROM tickets_message_fts
WHERE tickets_message_fts MATCH %s AND rowid IN ({rowids})"""
        snippets = dict(_fetch(cut, (match, *[i for _t, i in chosen])))
        found = [
            (_uuid(t), Highlight(source="message", text=snippets[i], message_id=i))
            for t, i in chosen
            if i in snippets
        ]
    columns = ", ".join(f"highlight(tickets_ticket_fts, {n}, {MS}, {ME})" for n in range(len(TICKET_FIELDS)))
    fields = f"""
SELECT t.id, {columns} FROM tickets_ticket_fts f JOIN tickets_ticket t ON t.rowid = f.rowid
WHERE tickets_ticket_fts MATCH %s AND t.id IN ({marks})"""
    for ticket_id, *values in _fetch(fields, (match, *keys)):
        found += [
            (_uuid(ticket_id), Highlight(source=name, text=str(value)))
            for name, value in zip(TICKET_FIELDS, values, strict=True)
            if MARK_START in str(value or "")
        ]
    return found
