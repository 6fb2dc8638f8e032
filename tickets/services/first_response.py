"""First staff responses, kept for the statistics: each ticket's first response
(``Ticket.first_response_at`` and ``first_response_by``: the first staff reply, anonymous or not,
to a ticket a user opened) and each staff member's first reply in each ticket
(``TicketMessage.first_of_author``). Both are set once, when the reply is stored. Internal notes
and the user's messages are not responses; tickets opened by staff have no first response.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from tickets.models import Ticket, TicketMessage

STAFF = TicketMessage.Kind.STAFF


def record_first_response(message: TicketMessage) -> None:
    """A staff reply was just stored (in its transaction, the ticket locked): mark it as its
    author's first in the ticket if it is, and as the ticket's first response if it has none
    yet. Two or three queries."""
    mine = TicketMessage.objects.filter(ticket_id=message.ticket_id, kind=STAFF, author_id=message.author_id)
    if not mine.exclude(pk=message.pk).exists():
        TicketMessage.objects.filter(pk=message.pk).update(first_of_author=True)
        message.first_of_author = True
    Ticket.objects.filter(pk=message.ticket_id, first_response_at__isnull=True).exclude(
        origin=Ticket.Origin.STAFF
    ).update(first_response_at=message.created_at, first_response_by=message.author_id)


def _earlier(replies: QuerySet) -> Exists:
    """An earlier reply (by time, then ID) of the same author in the same ticket."""
    return Exists(
        replies.filter(ticket_id=OuterRef("ticket_id"), author_id=OuterRef("author_id")).filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
        )
    )


def refresh_first_responses(tickets: QuerySet) -> int:
    """Set the first responses of ``tickets`` from their stored staff replies (the earliest; none
    for tickets opened by staff) and mark each author's first reply, as the migration that added
    them did for existing tickets. Returns how many tickets users opened were refreshed."""
    replies = TicketMessage.objects.filter(kind=STAFF, ticket__in=tickets.values("pk"))
    replies.update(first_of_author=False)
    replies.filter(~_earlier(TicketMessage.objects.filter(kind=STAFF))).update(first_of_author=True)
    first = TicketMessage.objects.filter(ticket_id=OuterRef("pk"), kind=STAFF).order_by("created_at", "id")
    return tickets.exclude(origin=Ticket.Origin.STAFF).update(
        first_response_at=Subquery(first.values("created_at")[:1]),
        first_response_by=Subquery(first.values("author_id")[:1]),
    )


def forget_first_response(message: TicketMessage) -> None:
    """A staff reply was withdrawn (Discord refused it) and deleted: if it was its author's first
    in the ticket or the ticket's first response, the earliest remaining replies take its place."""
    if message.first_of_author:
        refresh_first_responses(Ticket.objects.filter(pk=message.ticket_id))
        return
    stale = Ticket.objects.filter(
        pk=message.ticket_id, first_response_at=message.created_at, first_response_by=message.author_id
    )
    refresh_first_responses(stale)
