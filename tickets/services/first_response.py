"""Each ticket's first staff response (``Ticket.first_response_at`` and ``first_response_by``),
kept for the statistics: set once, by the first staff reply (anonymous or not) to a ticket a user
opened. Internal notes and the user's messages are not responses; tickets opened by staff have none.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from tickets.models import Ticket, TicketMessage


def record_first_response(*, ticket_id, at: datetime, staff_id: int) -> bool:
    """Record a staff reply sent at ``at`` as the ticket's first response if it has none yet (one
    UPDATE, to run in the reply's transaction). True when it was the first."""
    return bool(
        Ticket.objects.filter(pk=ticket_id, first_response_at__isnull=True)
        .exclude(origin=Ticket.Origin.STAFF)
        .update(first_response_at=at, first_response_by=staff_id)
    )


def refresh_first_responses(tickets: QuerySet) -> int:
    """Set the first response of ``tickets`` from their stored staff replies (the earliest; none
    for tickets opened by staff), as the migration that added it filled existing tickets."""
    first = TicketMessage.objects.filter(ticket_id=OuterRef("pk"), kind=TicketMessage.Kind.STAFF).order_by(
        "created_at", "id"
    )
    return tickets.exclude(origin=Ticket.Origin.STAFF).update(
        first_response_at=Subquery(first.values("created_at")[:1]),
        first_response_by=Subquery(first.values("author_id")[:1]),
    )


def forget_first_response(message: TicketMessage) -> None:
    """A staff reply was withdrawn (Discord refused it): if it was the ticket's first response,
    the earliest remaining staff reply becomes it (or none)."""
    refresh_first_responses(
        Ticket.objects.filter(
            pk=message.ticket_id, first_response_at=message.created_at, first_response_by=message.author_id
        )
    )
