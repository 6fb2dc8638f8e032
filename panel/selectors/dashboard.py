"""Reads of the dashboard: the bot's state, today's figures, the latest activity.

Every figure follows the API's category rule: tickets in a category the caller may not view
(``hidden``, from ``panel.selectors.hidden_categories``) are left out. Each read is a constant
number of queries, whatever the number of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet
from django.utils import timezone

from tickets.models import SystemState, Ticket, TicketMessage
from tickets.selectors import bot_is_alive

Kind = TicketMessage.Kind


@dataclass(frozen=True)
class BotState:
    """What the dashboard shows of the bot."""

    running: bool
    desired_state: str
    presence: str
    started_at: datetime | None
    heartbeat_at: datetime | None
    latency_ms: int | None

    @property
    def uptime(self) -> timedelta | None:
        """How long the current gateway session has been up (None when stopped)."""
        if not self.running or self.started_at is None:
            return None
        return timezone.now() - self.started_at

    @property
    def transitioning(self) -> bool:
        """Asked to run but not running yet, or asked to stop but still running."""
        return self.running != (self.desired_state == SystemState.Desired.RUNNING)


def bot_state() -> BotState:
    """The bot's state from the shared ``SystemState`` row (one query)."""
    state = SystemState.load()
    running = bot_is_alive(state)
    return BotState(
        running=running,
        desired_state=state.desired_state,
        presence=state.presence,
        started_at=state.bot_started_at,
        heartbeat_at=state.bot_heartbeat_at,
        latency_ms=state.bot_latency_ms if running else None,
    )


def start_of_today(now: datetime | None = None) -> datetime:
    """Midnight of today in ``TIME_ZONE`` (the day the figures count)."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _visible(queryset: QuerySet[Ticket], hidden: frozenset[int]) -> QuerySet[Ticket]:
    return queryset.exclude(category_id__in=hidden) if hidden else queryset


@dataclass(frozen=True)
class TodayFigures:
    """Counts and the median first response, for the tickets the caller may see."""

    open_tickets: int
    opened_today: int
    closed_today: int
    answered_today: int
    median_first_response: timedelta | None


def median_first_response(
    *, since: datetime, hidden: frozenset[int] = frozenset()
) -> tuple[int, timedelta | None]:
    """The tickets whose first staff reply came after ``since``, and the median time from their
    opening to that reply (None when there is none). Internal notes and system lines are not
    replies. Two queries: a count, then the one or two middle values, ordered in SQL."""
    first_replies = (
        _visible(Ticket.objects.all(), hidden)
        .annotate(first_reply=Min("messages__created_at", filter=Q(messages__kind=Kind.STAFF)))
        .filter(first_reply__gte=since)
        .annotate(
            response=ExpressionWrapper(F("first_reply") - F("created_at"), output_field=DurationField())
        )
    )
    count = first_replies.count()
    if not count:
        return 0, None
    middle = list(
        first_replies.order_by("response").values_list("response", flat=True)[
            (count - 1) // 2 : count // 2 + 1
        ]
    )
    return count, sum(middle, timedelta()) / len(middle)


def today_figures(*, hidden: frozenset[int] = frozenset(), now: datetime | None = None) -> TodayFigures:
    """Open tickets now; tickets opened and closed today; today's median first-response time."""
    since = start_of_today(now)
    counts = _visible(Ticket.objects.all(), hidden).aggregate(
        open=Count("id", filter=Q(status=Ticket.Status.OPEN)),
        opened=Count("id", filter=Q(created_at__gte=since)),
        closed=Count("id", filter=Q(status=Ticket.Status.CLOSED, closed_at__gte=since)),
    )
    answered, median = median_first_response(since=since, hidden=hidden)
    return TodayFigures(
        open_tickets=counts["open"],
        opened_today=counts["opened"],
        closed_today=counts["closed"],
        answered_today=answered,
        median_first_response=median,
    )


@dataclass(frozen=True)
class Activity:
    """One line of the activity feed."""

    kind: str  # "opened", "closed", "user_message", "staff_reply"
    at: datetime
    ticket_id: Any
    user_id: int
    user_name: str
    actor_name: str = ""
    excerpt: str = ""


EXCERPT = 90


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def latest_activity(*, hidden: frozenset[int] = frozenset(), limit: int = 12) -> list[Activity]:
    """The newest ``limit`` events among tickets opened, tickets closed and messages (the user's and
    staff replies; not internal notes), newest first. Three queries of at most ``limit`` rows."""
    tickets = _visible(Ticket.objects.all(), hidden)
    opened = tickets.order_by("-created_at").values("id", "created_at", "user_id", "user_name")[:limit]
    closed = (
        tickets.filter(status=Ticket.Status.CLOSED, closed_at__isnull=False)
        .order_by("-closed_at")
        .values("id", "closed_at", "user_id", "user_name")[:limit]
    )
    messages = TicketMessage.objects.filter(kind__in=(Kind.USER, Kind.STAFF), deleted_at__isnull=True)
    if hidden:
        messages = messages.exclude(ticket__category_id__in=hidden)
    messages = messages.order_by("-created_at").values(
        "ticket_id",
        "created_at",
        "kind",
        "author_name",
        "is_anonymous",
        "content",
        "ticket__user_id",
        "ticket__user_name",
    )[:limit]
    items = [
        Activity("opened", row["created_at"], row["id"], row["user_id"], row["user_name"]) for row in opened
    ]
    items += [
        Activity("closed", row["closed_at"], row["id"], row["user_id"], row["user_name"]) for row in closed
    ]
    items += [
        Activity(
            "user_message" if row["kind"] == Kind.USER else "staff_reply",
            row["created_at"],
            row["ticket_id"],
            row["ticket__user_id"],
            row["ticket__user_name"],
            row["author_name"],
            _excerpt(row["content"]),
        )
        for row in messages
    ]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
