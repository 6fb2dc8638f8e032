"""Search results as pages: for ``GET /api/bot/tickets?q=`` and for the panel's tickets list.

The search itself is :func:`tickets.search.search_tickets`; this module applies the panel's rules
around it (hidden categories, deleted messages for administrators only) and shapes the page.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from tickets.models import Ticket
from tickets.search import Highlight, search_tickets

from .apitickets import MAX_PAGE_SIZE, TicketPage, ticket_page_of
from .tickets import ACTIVITY, TicketListPage, TicketListQuery
from .tickets import _annotate_counts as annotate_counts
from .tickets import _list_queryset as list_queryset


@dataclass(frozen=True)
class SearchPage:
    """A page of matching tickets in the API's shape, and where each matched."""

    page: TicketPage
    highlights: dict[uuid.UUID, list[Highlight]]


def visible_tickets(
    *, status: int | None = None, category_id: int | None = None, hidden: frozenset[int] = frozenset()
) -> QuerySet[Ticket]:
    """The tickets a search may return: any status unless one is asked for, optionally one Discord
    category, never one in a ``hidden`` category."""
    tickets = Ticket.objects.all()
    if status is not None:
        tickets = tickets.filter(status=status)
    if category_id is not None:
        tickets = tickets.filter(category_id=category_id)
    return tickets.exclude(category_id__in=hidden) if hidden else tickets


def ticket_search_page(
    *,
    text: str,
    status: int | None = None,
    category_id: int | None = None,
    page: int = 1,
    page_size: int = 50,
    hidden: frozenset[int] = frozenset(),
    include_deleted: bool = False,
) -> SearchPage:
    """One page (from 1) of the tickets matching ``text``, best first, with their messages and
    highlights. Deleted messages are searched only with ``include_deleted`` (administrators); for
    anyone else a deleted message is not found. Five queries whatever the page size."""
    page_size = min(max(page_size, 1), MAX_PAGE_SIZE)
    result = search_tickets(
        text=text,
        tickets=visible_tickets(status=status, category_id=category_id, hidden=hidden),
        include_deleted=include_deleted,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    rows = ticket_page_of(ticket_ids=result.ticket_ids, total=result.total, page=page, page_size=page_size)
    return SearchPage(page=rows, highlights=result.highlights)


def ticket_search_list(
    *, query: TicketListQuery, text: str, hidden: frozenset[int] = frozenset(), include_deleted: bool = False
) -> TicketListPage:
    """One page of the panel's tickets list for a search: the list's filters (``query``; its sort is
    replaced by relevance), best match first, each ticket with ``message_count`` and
    ``highlights``. The cursors are offsets into the results."""
    size = min(max(query.page_size, 1), MAX_PAGE_SIZE)
    cursor = query.after or query.before
    offset = int(cursor) if cursor.isascii() and cursor.isdigit() and len(cursor) < 10 else 0
    result = search_tickets(
        text=text,
        tickets=list_queryset(query, hidden),
        include_deleted=include_deleted,
        offset=offset,
        limit=size,
    )
    found = Ticket.objects.annotate(sort_value=ACTIVITY).in_bulk(result.ticket_ids)
    rows = [found[key] for key in result.ticket_ids if key in found]
    annotate_counts(rows)
    for ticket in rows:
        ticket.highlights = result.highlights.get(ticket.pk, [])
    return TicketListPage(
        tickets=rows,
        next_cursor=str(offset + size) if offset + size < result.total else "",
        previous_cursor=str(max(offset - size, 0)) if offset > 0 else "",
    )
