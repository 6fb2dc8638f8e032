"""Figures about tickets: the overview, the daily activity, the categories and the busiest hours.
Each is a constant number of SQL aggregates."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from tickets.models import Ticket, TicketMessage

from .sql import Seconds, Summary, summarise
from .types import CategoryStats, DailyActivity, Overview, Period

CLOSED, OPEN = Ticket.Status.CLOSED, Ticket.Status.OPEN
STAFF, USER = TicketMessage.Kind.STAFF, TicketMessage.Kind.USER


def visible(queryset: QuerySet, hidden: frozenset[int]) -> QuerySet:
    """``queryset`` (of tickets) without those in the ``hidden`` Discord categories (tickets with no
    category stay)."""
    return queryset.exclude(category_id__in=hidden) if hidden else queryset


def visible_messages(queryset: QuerySet, hidden: frozenset[int]) -> QuerySet:
    """``queryset`` (of messages) without those of tickets in the ``hidden`` categories: a
    subquery of those tickets rather than a join with all the others."""
    if not hidden:
        return queryset
    return queryset.exclude(ticket_id__in=Ticket.objects.filter(category_id__in=hidden).values("pk"))


def whole_seconds(value: float | None) -> int | None:
    """Seconds as a whole number, truncated as Rustmail's ``CAST(... AS INTEGER)``."""
    return None if value is None else int(value)


def overview(period: Period, hidden: frozenset[int], response: Summary) -> Overview:
    """Rustmail's counts (open now; closed ever, today, this week, this month) and the period's
    first-response (``responses.response_summaries``) and resolution times (average and
    median), with the period's ticket counts."""
    tickets = visible(Ticket.objects.all(), hidden)
    # Per status from the (status, category) index alone; the recent closes from (status, closed_at).
    by_status = dict(tickets.values("status").annotate(n=Count("*")).values_list("status", "n"))
    since_week = min(period.start_of_week, period.start_of_month)
    counts = tickets.filter(status=CLOSED, closed_at__gte=since_week).aggregate(
        closed_today=Count("closed_at", filter=Q(closed_at__gte=period.start_of_today)),
        closed_week=Count("closed_at", filter=Q(closed_at__gte=period.start_of_week)),
        closed_month=Count("closed_at", filter=Q(closed_at__gte=period.start_of_month)),
    )
    period_counts = tickets.filter(created_at__gte=period.since).aggregate(
        opened=Count("id"), by_users=Count("id", filter=~Q(origin=Ticket.Origin.STAFF))
    )
    resolutions = tickets.filter(status=CLOSED, closed_at__gte=period.since).annotate(
        resolution=Seconds(F("closed_at"), F("created_at"))
    )
    resolution = summarise(resolutions, "resolution").get(0)
    answered = response.count
    return Overview(
        open_tickets=by_status.get(OPEN, 0),
        total_closed=by_status.get(CLOSED, 0),
        closed_today=counts["closed_today"],
        closed_this_week=counts["closed_week"],
        closed_this_month=counts["closed_month"],
        avg_response_time_seconds=whole_seconds(response.average),
        avg_resolution_time_seconds=whole_seconds(resolution.average) if resolution else None,
        median_response_time_seconds=whole_seconds(response.median),
        median_resolution_time_seconds=whole_seconds(resolution.median) if resolution else None,
        tickets_opened=period_counts["opened"],
        tickets_closed=resolution.count if resolution else 0,
        tickets_answered=answered,
        tickets_unanswered=max(period_counts["by_users"] - answered, 0),
    )


def daily_activity(period: Period, hidden: frozenset[int]) -> list[DailyActivity]:
    """Tickets opened and closed on each day of the period (days in the time zone, oldest first,
    days without any included)."""
    zone = timezone.get_default_timezone()
    tickets = visible(Ticket.objects.all(), hidden)
    created = dict(
        tickets.filter(created_at__gte=period.since)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    closed = dict(
        tickets.filter(status=CLOSED, closed_at__gte=period.since)
        .annotate(day=TruncDate("closed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [period.first_day + timedelta(days=n) for n in range(period.days)]
    return [DailyActivity(day, created.get(day, 0), closed.get(day, 0)) for day in days]


def category_stats(period: Period, hidden: frozenset[int], limit: int = 10) -> list[CategoryStats]:
    """The ``limit`` Discord categories with the most tickets opened in the period, with their
    share of all the period's tickets (in percent)."""
    tickets = visible(Ticket.objects.filter(created_at__gte=period.since), hidden)
    by_category = tickets.values("category_name").annotate(n=Count("id"))
    rows = list(by_category.order_by("-n", F("category_name").asc(nulls_last=True))[:limit])
    total = tickets.count() if rows else 0
    return [CategoryStats(row["category_name"], row["n"], row["n"] * 100.0 / total) for row in rows]


def busiest_hours(period: Period, hidden: frozenset[int]) -> list[list[int]]:
    """Messages from users in the period by weekday (Monday first) and hour of the time zone. The
    database counts them per hour of the period (a truncation per message, nothing more); those
    few thousand counts are added up here by weekday and hour."""
    zone = timezone.get_default_timezone()
    rows = (
        visible_messages(TicketMessage.objects.filter(kind=USER, created_at__gte=period.since), hidden)
        .order_by()
        .annotate(slot=TruncHour("created_at", tzinfo=zone))
        .values("slot")
        .annotate(n=Count("*"))
        .values_list("slot", "n")
    )
    grid = [[0] * 24 for _ in range(7)]
    for slot, n in rows:
        local = timezone.localtime(slot, zone) if timezone.is_aware(slot) else slot
        grid[local.weekday()][local.hour] += n
    return grid
