"""First responses of the period, per ticket and per staff member.

A staff member's response time in a ticket is the time from the ticket's opening to their first
reply in it (Rustmail's definition); a ticket's first response is the smallest of those. The reply
service stores both: the ticket's ``first_response_at`` and each member's first reply in a ticket
(``TicketMessage.first_of_author``), so no query groups the period's replies. Both are over the
tickets users opened in the period (tickets staff opened are nobody's request).
"""

from __future__ import annotations

from django.db.models import F, QuerySet

from tickets.models import Ticket, TicketMessage

from .sql import Seconds, Summary, summarise
from .types import RESPONSE_BUCKETS, Period, ResponseBucket

LIMITS = tuple(upper for _key, _lower, upper in RESPONSE_BUCKETS if upper is not None)


def staff_responses(period: Period, hidden: frozenset[int]) -> QuerySet:
    """Each staff member's first reply in each ticket users opened in the period (internal notes
    and system lines are not replies; the reply service marks those first replies), with
    ``response``: seconds from the ticket's opening. Replies are looked for from the period's
    start: a reply never precedes its ticket, and the bound lets the database read only the
    period's first replies (a partial index of them)."""
    replies = TicketMessage.objects.filter(
        kind=TicketMessage.Kind.STAFF,
        first_of_author=True,
        created_at__gte=period.since,
        ticket__created_at__gte=period.since,
    ).exclude(ticket__origin=Ticket.Origin.STAFF)
    if hidden:
        replies = replies.exclude(ticket__category_id__in=hidden)
    return replies.annotate(response=Seconds(F("created_at"), F("ticket__created_at")))


def ticket_responses(period: Period, hidden: frozenset[int]) -> QuerySet:
    """The tickets users opened in the period that got a staff reply, with ``response``: seconds
    from the opening to the first reply (stored on the ticket by the reply service)."""
    tickets = Ticket.objects.filter(created_at__gte=period.since, first_response_at__isnull=False).exclude(
        origin=Ticket.Origin.STAFF
    )
    if hidden:
        tickets = tickets.exclude(category_id__in=hidden)
    return tickets.annotate(response=Seconds(F("first_response_at"), F("created_at")))


def response_summaries(period: Period, hidden: frozenset[int]) -> tuple[Summary, dict[int, Summary]]:
    """The summary of the tickets' first responses (with how many came within each bucket's upper
    bound), and one per staff member of theirs. Two queries: the tickets' own first responses, and
    the (ticket, staff member) pairs summarised per member."""
    tickets = summarise(ticket_responses(period, hidden), "response", below=LIMITS).get(0, Summary())
    return tickets, summarise(staff_responses(period, hidden), "response", group="author_id")


def response_distribution(response: Summary) -> list[ResponseBucket]:
    """How many of the period's answered tickets got their first reply within each bucket (from
    the counts under each upper bound)."""
    under = [*response.below, response.count] if response.count else [0] * len(RESPONSE_BUCKETS)
    counts = [n - (under[index - 1] if index else 0) for index, n in enumerate(under)]
    return [
        ResponseBucket(key, lower, upper, counts[index])
        for index, (key, lower, upper) in enumerate(RESPONSE_BUCKETS)
    ]
