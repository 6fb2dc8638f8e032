"""Tickets for the panel: one page (with the messages of its tickets) or one ticket.

A page costs three queries whatever its size: the count, the page, and the messages of the
page's tickets (no N+1). The count is taken per category and the hidden ones left out in Python:
an index-only scan, cheaper than filtering every row in the database.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from tickets.errors import PermissionDenied, TicketNotFound
from tickets.models import Ticket, TicketMessage

SORT_FIELDS = ("created_at", "closed_at", "user_name")
MAX_PAGE_SIZE = 200
TICKET_FIELDS = (
    "id",
    "user_id",
    "user_name",
    "channel_id",
    "created_at",
    "next_message_number",
    "status",
    "user_left",
    "closed_at",
    "closed_by",
    "category_id",
    "category_name",
    "required_permissions",
)
MESSAGE_FIELDS = (
    "id",
    "ticket_id",
    "author_id",
    "author_name",
    "is_anonymous",
    "dm_message_id",
    "inbox_message_id",
    "message_number",
    "created_at",
    "content",
    "is_internal",
)

Row = dict[str, Any]


@dataclass(frozen=True)
class TicketPage:
    """One page of tickets; ``messages`` maps each ticket's ID to its messages, oldest first."""

    tickets: list[Row]
    messages: dict[uuid.UUID, list[Row]]
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


def _messages_of(ticket_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Row]]:
    grouped: dict[uuid.UUID, list[Row]] = defaultdict(list)
    if ticket_ids:
        rows = (
            TicketMessage.objects.filter(ticket_id__in=ticket_ids)
            .order_by("ticket_id", "created_at", "id")
            .values(*MESSAGE_FIELDS)
        )
        for row in rows:
            grouped[row["ticket_id"]].append(row)
    return grouped


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
    Equal names are ordered by ID so that pages never overlap; timestamps (to the microsecond) need
    no tie-break, which lets PostgreSQL read a page straight off a timestamp index, without sorting.
    """
    page_size = min(page_size, MAX_PAGE_SIZE)
    queryset = Ticket.objects.filter(status=status)
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    total = _count(queryset, hidden)
    order = [F(sort_by).desc() if descending else F(sort_by).asc()]
    if sort_by == "user_name":
        order.append("-id" if descending else "id")
    offset = (page - 1) * page_size
    rows = _visible(queryset, hidden).order_by(*order).values(*TICKET_FIELDS)
    tickets = list(rows[offset : offset + page_size])
    messages = _messages_of([row["id"] for row in tickets])
    return TicketPage(tickets=tickets, messages=messages, total=total, page=page, page_size=page_size)


def ticket_detail(*, ticket_id: str, hidden: frozenset[int] = frozenset()) -> tuple[Row, list[Row]]:
    """One ticket and its messages; ``TicketNotFound`` if there is none with this ID,
    ``PermissionDenied`` if it sits in a hidden category."""
    try:
        key = uuid.UUID(ticket_id)
    except ValueError:
        raise TicketNotFound() from None
    row = Ticket.objects.filter(pk=key).values(*TICKET_FIELDS).first()
    if row is None:
        raise TicketNotFound()
    if row["category_id"] in hidden:
        raise PermissionDenied(_("You don't have permission to view this ticket"))
    return row, _messages_of([key])[key]
