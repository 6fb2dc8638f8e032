"""Tickets for the panel's pages: a keyset-paged list, and one conversation page by page.

The REST API's pages (``GET /api/bot/tickets``) are read by ``apitickets``, re-exported here.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tickets.errors import PermissionDenied, TicketNotFound
from tickets.models import ScheduledClosure, Ticket, TicketChange, TicketMessage
from tickets.snowflake import is_snowflake, parse_snowflake

from .apitickets import (
    MAX_PAGE_SIZE,
    SORT_FIELDS,
    Row,
    TicketPage,
    _visible,
    ticket_detail,
    ticket_page,
    ticket_page_of,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "SORT_FIELDS",
    "Row",
    "TicketPage",
    "ticket_detail",
    "ticket_page",
    "ticket_page_of",
]


# --- the panel's pages: a keyset-paged list, and one conversation page by page ---------------------
# "Last activity" is the last message's time, or the opening time before any message; an index on the
# same expression (migration 0004) lets a page be read straight off it.
ACTIVITY = Coalesce("last_message_at", "created_at")
LIST_SORTS = {
    "activity": ACTIVITY,
    "created": F("created_at"),
    "closed": F("closed_at"),
    "user": F("user_name"),
}
LIST_STATUSES = ("open", "closed", "all")
UNASSIGNED = "none"


@dataclass(frozen=True)
class TicketListQuery:
    """What the tickets list shows: filters, order, and where the page starts (a keyset cursor).

    ``user`` is a Discord ID (digits) or part of a name; ``staff`` a staff member's Discord ID or
    ``"none"`` (nobody handles it); sorting by closing time shows closed tickets only."""

    status: str = "open"
    category_id: int | None = None
    staff: str = ""
    user: str = ""
    sort: str = "activity"
    descending: bool = True
    after: str = ""
    before: str = ""
    page_size: int = 50


@dataclass(frozen=True)
class TicketListPage:
    """One page of the list; cursors lead to the next (older in the order) and previous pages."""

    tickets: list[Ticket]
    next_cursor: str
    previous_cursor: str


def encode_cursor(value: Any, key: uuid.UUID) -> str:
    """A page boundary as an opaque URL-safe string: the sort value and the ticket's ID."""
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, str(key)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, uuid.UUID] | None:
    """The boundary a cursor names, or None when it is not one (a hand-edited URL): the first page."""
    try:
        value, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = uuid.UUID(key)
        if sort != "user":
            value = datetime.fromisoformat(value)
        elif not isinstance(value, str):
            return None
    except (ValueError, TypeError):
        return None
    return value, key


def _list_queryset(query: TicketListQuery, hidden: frozenset[int]) -> QuerySet[Ticket]:
    tickets = _visible(Ticket.objects.all(), hidden)
    if query.status == "open":
        tickets = tickets.filter(status=Ticket.Status.OPEN)
    elif query.status == "closed" or query.sort == "closed":
        tickets = tickets.filter(status=Ticket.Status.CLOSED)
    if query.sort == "closed":
        tickets = tickets.filter(closed_at__isnull=False)  # lets the closed_at index skip open tickets
    if query.category_id is not None:
        tickets = tickets.filter(category_id=query.category_id)
    if query.staff == UNASSIGNED:
        tickets = tickets.filter(taken_by__isnull=True)
    elif is_snowflake(query.staff):
        tickets = tickets.filter(taken_by=parse_snowflake(query.staff))
    user = query.user.strip()
    if is_snowflake(user):
        tickets = tickets.filter(user_id=parse_snowflake(user))
    elif user:
        tickets = tickets.filter(user_name__icontains=user)
    return tickets


def ticket_list(*, query: TicketListQuery, hidden: frozenset[int] = frozenset()) -> TicketListPage:
    """One page of tickets for the panel's list, each with ``message_count``, without counting the
    whole table: keyset paging on (sort value, ID), so a page costs the same at any depth. Tickets
    in a ``hidden`` category are left out. Two queries whatever the page size."""
    size = min(max(query.page_size, 1), MAX_PAGE_SIZE)
    sort = query.sort if query.sort in LIST_SORTS else "activity"
    value = LIST_SORTS[sort]
    tickets = _list_queryset(query, hidden).annotate(sort_value=value)
    backwards = bool(query.before) and not query.after
    boundary = decode_cursor(query.before if backwards else query.after, sort)
    # Walking back (the previous page) reads the order reversed from the boundary, then flips it.
    descending = query.descending != backwards
    if boundary is not None:
        mark, key = boundary
        if descending:
            tickets = tickets.filter(sort_value__lte=mark).filter(
                Q(sort_value__lt=mark) | Q(sort_value=mark, id__lt=key)
            )
        else:
            tickets = tickets.filter(sort_value__gte=mark).filter(
                Q(sort_value__gt=mark) | Q(sort_value=mark, id__gt=key)
            )
    order = ("-sort_value", "-id") if descending else ("sort_value", "id")
    rows = list(tickets.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    _annotate_counts(rows)
    first, last = (rows[0], rows[-1]) if rows else (None, None)
    has_next = more if not backwards else True
    has_previous = (boundary is not None) if not backwards else more
    return TicketListPage(
        tickets=rows,
        next_cursor=encode_cursor(last.sort_value, last.id) if last and has_next else "",
        previous_cursor=encode_cursor(first.sort_value, first.id) if first and has_previous else "",
    )


def ticket_row(*, ticket_id: uuid.UUID, hidden: frozenset[int] = frozenset()) -> Ticket | None:
    """One ticket as a row of the list (with ``message_count``), or None if it is hidden or unknown."""
    ticket = _visible(Ticket.objects.filter(pk=ticket_id), hidden).annotate(sort_value=ACTIVITY).first()
    if ticket is not None:
        _annotate_counts([ticket])
    return ticket


def _annotate_counts(tickets: list[Ticket]) -> None:
    """Set ``message_count`` on each ticket: one grouped query over the message index."""
    counts = (
        dict(
            TicketMessage.objects.filter(ticket_id__in=[t.pk for t in tickets])
            .order_by()
            .values_list("ticket_id")
            .annotate(count=Count("*"))
        )
        if tickets
        else {}
    )
    for ticket in tickets:
        ticket.message_count = counts.get(ticket.pk, 0)


def visible_ticket(*, ticket_id: str | uuid.UUID, hidden: frozenset[int] = frozenset()) -> Ticket:
    """The ticket a panel page is about; ``TicketNotFound`` if there is none with this ID,
    ``PermissionDenied`` if it sits in a hidden category (the rule of ``ticket_detail``)."""
    try:
        key = ticket_id if isinstance(ticket_id, uuid.UUID) else uuid.UUID(str(ticket_id))
    except ValueError:
        raise TicketNotFound() from None
    ticket = Ticket.objects.select_related("ticket_category").filter(pk=key).first()
    if ticket is None:
        raise TicketNotFound()
    if ticket.category_id in hidden:
        raise PermissionDenied(_("You don't have permission to view this ticket"))
    return ticket


MESSAGE_KINDS = tuple(TicketMessage.Kind.values)


@dataclass(frozen=True)
class TicketEvent:
    """Something that happened to a ticket, drawn from what the models keep (opened, taken,
    released, moved, labelled, a close scheduled or cancelled, closed), shown among the messages.
    ``actor`` is the display name of ``actor_id``, filled in by the page."""

    at: datetime
    kind: str
    actor_id: int | None = None
    due_at: datetime | None = None
    silent: bool = False
    detail: str = ""
    actor: str = ""

    is_event = True


@dataclass(frozen=True)
class ConversationPage:
    """Messages (oldest first) of one page of a ticket, with its events in the same span.

    ``older_cursor`` leads to the page before (empty at the start); ``newest_cursor`` marks the
    newest message, from which live updates fetch what came after."""

    items: list[TicketMessage | TicketEvent]
    older_cursor: str
    newest_cursor: str


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def message_cursor(message: TicketMessage) -> str:
    """A message's place in its conversation: its time in microseconds (exact) and its ID."""
    return f"{(message.created_at - EPOCH) // MICROSECOND}_{message.pk}"


def _parse_message_cursor(cursor: str) -> tuple[datetime, int] | None:
    stamp, _sep, pk = cursor.partition("_")
    try:
        return EPOCH + int(stamp) * MICROSECOND, int(pk)
    except (ValueError, OverflowError):
        return None


def _ticket_events(ticket: Ticket) -> list[TicketEvent]:
    """Every change of the ticket (taken, released, moved, labelled), every scheduled close (and
    its fate), and its closing; two queries."""
    events: list[TicketEvent] = [
        TicketEvent(at=change.at, kind=change.kind, actor_id=change.actor_id, detail=change.detail)
        for change in TicketChange.objects.filter(ticket=ticket).only("at", "kind", "actor_id", "detail")
    ]
    closures = ScheduledClosure.objects.filter(ticket=ticket).order_by("created_at", "id")
    for closure in closures.only("created_at", "due_at", "silent", "scheduled_by", "state", "finished_at"):
        events.append(
            TicketEvent(
                at=closure.created_at,
                kind="close_scheduled",
                actor_id=closure.scheduled_by or None,
                due_at=closure.due_at,
                silent=closure.silent,
            )
        )
        if closure.state == ScheduledClosure.State.CANCELLED and closure.finished_at:
            events.append(TicketEvent(at=closure.finished_at, kind="close_cancelled"))
    if ticket.closed_at:
        closer = ticket.closed_by or ""
        events.append(
            TicketEvent(
                at=ticket.closed_at,
                kind="closed",
                actor_id=int(closer) if closer.isascii() and closer.isdigit() else None,
                silent=ticket.close_silently,
                detail="" if closer.isascii() and closer.isdigit() else closer,
            )
        )
    return events


def _moment(item: TicketMessage | TicketEvent) -> datetime:
    return item.at if isinstance(item, TicketEvent) else item.created_at


def conversation_page(
    *,
    ticket: Ticket,
    kinds: tuple[str, ...] = MESSAGE_KINDS,
    search: str = "",
    before: str = "",
    after: str = "",
    page_size: int = 100,
) -> ConversationPage:
    """One page of a ticket's conversation: the newest ``page_size`` messages (or those before the
    ``before`` cursor; or, with ``after``, the ones that came since), with their attachments and
    edits and the ticket's events of the same span. ``kinds`` keeps some kinds of messages only
    (``system`` also keeps the events); ``search`` keeps messages whose text contains it. The same
    five queries whatever the page size."""
    size = min(max(page_size, 1), MAX_PAGE_SIZE)
    messages = TicketMessage.objects.filter(ticket=ticket).prefetch_related("attachments", "edits")
    if set(kinds) != set(MESSAGE_KINDS):
        messages = messages.filter(kind__in=kinds)
    search = search.strip()
    if search:
        messages = messages.filter(content__icontains=search)
    newer = _parse_message_cursor(after) if after else None
    older = _parse_message_cursor(before) if before and newer is None else None
    if newer is not None:
        stamp, pk = newer
        messages = messages.filter(created_at__gte=stamp).filter(Q(created_at__gt=stamp) | Q(pk__gt=pk))
        page = list(messages.order_by("created_at", "id")[:size])
        more_before = False
    else:
        if older is not None:
            stamp, pk = older
            messages = messages.filter(created_at__lte=stamp).filter(Q(created_at__lt=stamp) | Q(pk__lt=pk))
        page = list(messages.order_by("-created_at", "-id")[: size + 1])
        more_before = len(page) > size
        page = page[:size][::-1]
    for message in page:
        message.cursor = message_cursor(message)  # where the live tail asks for what follows
    items: list[TicketMessage | TicketEvent] = list(page)
    # Events join full pages only: the live tail brings messages, the header shows the ticket's state.
    if "system" in kinds and not search and newer is None:
        start = page[0].created_at if more_before and page else None
        end = older[0] if older else None
        events = [
            e
            for e in _ticket_events(ticket)
            if e.kind != "opened" and (start is None or e.at > start) and (end is None or e.at <= end)
        ]
        items = sorted([*items, *events], key=_moment)
        if not more_before:
            # The ticket row is written just after its first message arrived: its opening comes first.
            items.insert(0, TicketEvent(at=ticket.created_at, kind="opened", detail=ticket.origin))
    newest = page[-1] if page else None
    return ConversationPage(
        items=items,
        older_cursor=message_cursor(page[0]) if more_before and page else "",
        newest_cursor=message_cursor(newest) if newest else after,
    )
