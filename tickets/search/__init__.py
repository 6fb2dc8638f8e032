"""Full-text search over every message (user, staff, internal notes) and the tickets' names, user
IDs, labels and categories, on PostgreSQL (tsvector + GIN, websearch syntax, the bot's language) and
on SQLite (FTS5), behind one selector: :func:`search_tickets`.

The index is kept by database triggers (``schema``, created by migration 0016), so it follows edits
and deletions exactly and costs the relay no Python work. Deleted messages are found only when the
caller may see them (``include_deleted``: administrators).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from tickets.models import Ticket

from . import engine
from .highlight import MARK_END, MARK_START, Highlight
from .query import SearchQuery, parse

MAX_QUERY_LENGTH = 200
__all__ = ["MARK_END", "MARK_START", "MAX_QUERY_LENGTH", "Highlight", "SearchQuery", "SearchResult"]
__all__ += ["parse", "search_tickets"]


@dataclass(frozen=True)
class SearchResult:
    """One page of matching tickets, best first, how many match in all, and for each ticket of the
    page where it matched (its best messages first, then its fields)."""

    ticket_ids: list[uuid.UUID]
    total: int
    highlights: dict[uuid.UUID, list[Highlight]] = field(default_factory=dict)


def search_tickets(
    *,
    text: str,
    tickets: QuerySet[Ticket] | None = None,
    include_deleted: bool = False,
    offset: int = 0,
    limit: int = 50,
    snippets: int = 3,
) -> SearchResult:
    """The tickets among ``tickets`` (default: all) whose messages or fields match ``text``, in web
    search syntax: words and "phrases" must all appear in one message (or in the ticket's fields),
    ``-word`` must not, ``OR`` joins alternatives. Ranked by the best matching message, then by how
    many match, then by the latest match. A query with nothing positive to look for matches nothing (it
    is never an error); ``text`` is cut at ``MAX_QUERY_LENGTH`` characters. Two queries on a page
    of results plus one for the highlights (``snippets`` messages per ticket at most)."""
    text = text[:MAX_QUERY_LENGTH].replace("\x00", " ")
    query = parse(text)
    if query.is_empty or limit <= 0:
        return SearchResult(ticket_ids=[], total=0)
    tickets = Ticket.objects.all() if tickets is None else tickets
    postgres = connection.vendor == "postgresql"

    def rank(limit: int, offset: int) -> engine.Ranked:
        if postgres:
            return engine.pg_rank(text, tickets, deleted=include_deleted, limit=limit, offset=offset)
        return engine.sqlite_rank(query, tickets, deleted=include_deleted, limit=limit, offset=offset)

    rows = rank(limit, max(offset, 0))
    if not rows and offset > 0:  # past the last page: the count alone
        first = rank(1, 0)
        total = first[0][2] if first else 0
    else:
        total = rows[0][2] if rows else 0
    ids = [row[0] for row in rows]
    highlights: dict[uuid.UUID, list[Highlight]] = defaultdict(list)
    if ids and snippets > 0:
        if postgres:
            found = engine.pg_highlights(text, ids, deleted=include_deleted, per_ticket=snippets)
        else:
            found = engine.sqlite_highlights(query, ids, deleted=include_deleted, per_ticket=snippets)
        for ticket_id, highlight in found:
            highlights[ticket_id].append(highlight)
    return SearchResult(ticket_ids=ids, total=total, highlights=dict(highlights))
