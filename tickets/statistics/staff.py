"""Figures about staff members: the leaderboard and the top performers of the period.

Response times come from ``responses.response_summaries``.
"""

from __future__ import annotations

from django.db.models import Count, Max

from tickets.models import GuildMember, Ticket, TicketMessage

from .sql import Summary
from .tickets import CLOSED, STAFF, visible, visible_messages, whole_seconds
from .types import Period, StaffMember, TopPerformer, TopPerformers

LEADERBOARD_SIZE = 20  # as Rustmail
FASTEST_MINIMUM = 5  # tickets answered before someone can be the fastest responder (as Rustmail)


def _replies(period: Period, hidden: frozenset[int]) -> list[dict]:
    """Staff replies sent in the period per author (most first), with a name they used."""
    return list(
        visible_messages(TicketMessage.objects.filter(kind=STAFF, created_at__gte=period.since), hidden)
        .values("author_id")
        .annotate(n=Count("*"), name=Max("author_name"))
        .order_by("-n", "author_id")
    )


def _closes(period: Period, hidden: frozenset[int]) -> dict[int, int]:
    """Tickets each staff member closed in the period (closes by the scheduler, the API or a
    departure are nobody's). Counted per ``closed_by`` off an index alone; the few groups that are
    not a staff member's ID are left out here."""
    rows = (
        visible(Ticket.objects.filter(status=CLOSED, closed_at__gte=period.since), hidden)
        .values("closed_by")
        .annotate(n=Count("*"))
        .values_list("closed_by", "n")
    )
    return {int(by): n for by, n in rows if by and by.isascii() and by.isdigit() and len(by) <= 20}


def _names(ids: set[int], known: dict[int, str]) -> dict[int, str]:
    """Names for ``ids``: those used in replies, else the guild cache's, else the ID itself."""
    missing = ids - known.keys()
    cached = dict(GuildMember.objects.filter(user_id__in=missing).values_list("user_id", "username"))
    return {user_id: known.get(user_id) or cached.get(user_id) or str(user_id) for user_id in ids}


def staff_activity(period: Period, hidden: frozenset[int]) -> tuple[list[dict], dict[int, int]]:
    """What ``staff_figures`` reads about the period: replies per author, closes per member."""
    return _replies(period, hidden), _closes(period, hidden)


def staff_figures(
    responses: dict[int, Summary], activity: tuple[list[dict], dict[int, int]]
) -> tuple[list[StaffMember], TopPerformers]:
    """The leaderboard (the 20 staff members with the most replies in the period) and the top
    performers: the fastest average responder (5 tickets at least), the most replies, the most
    tickets closed. ``responses``: each member's response times (``responses.response_summaries``);
    ``activity``: the period's replies and closes (``staff_activity``). One query (names)."""
    replies, closes = activity
    used = {row["author_id"]: row["name"] for row in replies}
    names = _names(used.keys() | closes.keys() | responses.keys(), used)

    leaderboard = []
    for row in replies[:LEADERBOARD_SIZE]:
        user_id = row["author_id"]
        summary = responses.get(user_id, Summary())
        leaderboard.append(
            StaffMember(
                user_id=user_id,
                username=names[user_id],
                messages_count=row["n"],
                tickets_closed=closes.get(user_id, 0),
                avg_response_time_seconds=whole_seconds(summary.average),
                median_response_time_seconds=whole_seconds(summary.median),
                tickets_answered=summary.count,
            )
        )

    fastest = min(
        ((s.average, user_id) for user_id, s in responses.items() if s.count >= FASTEST_MINIMUM),
        default=None,
    )
    closer = min(((-n, user_id) for user_id, n in closes.items()), default=None)
    top = TopPerformers(
        fastest_responder=(TopPerformer(fastest[1], names[fastest[1]], int(fastest[0])) if fastest else None),
        most_messages=(
            TopPerformer(replies[0]["author_id"], names[replies[0]["author_id"]], replies[0]["n"])
            if replies
            else None
        ),
        most_tickets_closed=TopPerformer(closer[1], names[closer[1]], -closer[0]) if closer else None,
    )
    return leaderboard, top
