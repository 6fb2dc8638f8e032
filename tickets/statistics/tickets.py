"""Figures about tickets: the overview, the daily activity, the categories, the busiest hours and
the first-response distribution. Each is a constant number of SQL aggregates."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, Count, F, IntegerField, Min, Q, QuerySet, Value, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from tickets.models import Ticket, TicketMessage

from .sql import Seconds, count_by, summarise
from .types import RESPONSE_BUCKETS, CategoryStats, DailyActivity, Overview, Period, ResponseBucket

CLOSED, OPEN = Ticket.Status.CLOSED, Ticket.Status.OPEN
STAFF, USER = TicketMessage.Kind.STAFF, TicketMessage.Kind.USER


def visible(queryset: QuerySet, hidden: frozenset[int], prefix: str = "") -> QuerySet:
    """``queryset`` without tickets in the ``hidden`` Discord categories (tickets with no category
    stay)."""
    return queryset.exclude(**{f"{prefix}category_id__in": hidden}) if hidden else queryset


def whole_seconds(value: float | None) -> int | None:
    """Seconds as a whole number, truncated as Rustmail's ``CAST(... AS INTEGER)``."""
    return None if value is None else int(value)


def first_responses(period: Period, hidden: frozenset[int]) -> QuerySet:
    """Tickets opened by users in the period that staff answered, with ``response``: seconds from
    the opening to the first staff reply (internal notes and system lines are not replies).

    Staff replies are looked for from the period's start: a reply never precedes its ticket, and
    the bound lets the database read only the period's replies.
    """
    return (
        visible(TicketMessage.objects.filter(kind=STAFF, created_at__gte=period.since), hidden, "ticket__")
        .filter(ticket__created_at__gte=period.since)
        .exclude(ticket__origin=Ticket.Origin.STAFF)
        .values("ticket_id")
        .annotate(opened=Min("ticket__created_at"), first_reply=Min("created_at"))
        .annotate(response=Seconds(F("first_reply"), F("opened")))
    )


def overview(period: Period, hidden: frozenset[int]) -> Overview:
    """Rustmail's counts (open now; closed ever, today, this week, this month) and the period's
    response and resolution times (average and median), with the period's ticket counts."""
    tickets = visible(Ticket.objects.all(), hidden)
    closed = Q(status=CLOSED)
    counts = tickets.aggregate(
        open=Count("id", filter=Q(status=OPEN)),
        total_closed=Count("id", filter=closed),
        closed_today=Count("id", filter=closed & Q(closed_at__gte=period.start_of_today)),
        closed_week=Count("id", filter=closed & Q(closed_at__gte=period.start_of_week)),
        closed_month=Count("id", filter=closed & Q(closed_at__gte=period.start_of_month)),
    )
    period_counts = tickets.filter(created_at__gte=period.since).aggregate(
        opened=Count("id"), by_users=Count("id", filter=~Q(origin=Ticket.Origin.STAFF))
    )
    response = summarise(first_responses(period, hidden), "response").get(0)
    resolutions = tickets.filter(status=CLOSED, closed_at__gte=period.since).annotate(
        resolution=Seconds(F("closed_at"), F("created_at"))
    )
    resolution = summarise(resolutions, "resolution").get(0)
    answered = response.count if response else 0
    return Overview(
        open_tickets=counts["open"],
        total_closed=counts["total_closed"],
        closed_today=counts["closed_today"],
        closed_this_week=counts["closed_week"],
        closed_this_month=counts["closed_month"],
        avg_response_time_seconds=whole_seconds(response.average) if response else None,
        avg_resolution_time_seconds=whole_seconds(resolution.average) if resolution else None,
        median_response_time_seconds=whole_seconds(response.median) if response else None,
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
    """Messages from users in the period by weekday (Monday first) and hour of the time zone."""
    zone = timezone.get_default_timezone()
    rows = (
        visible(TicketMessage.objects.filter(kind=USER, created_at__gte=period.since), hidden, "ticket__")
        .annotate(
            weekday=ExtractIsoWeekDay("created_at", tzinfo=zone), hour=ExtractHour("created_at", tzinfo=zone)
        )
        .values("weekday", "hour")
        .annotate(n=Count("id"))
        .values_list("weekday", "hour", "n")
    )
    grid = [[0] * 24 for _ in range(7)]
    for weekday, hour, n in rows:
        grid[int(weekday) - 1][int(hour)] = n
    return grid


def response_distribution(period: Period, hidden: frozenset[int]) -> list[ResponseBucket]:
    """How many of the period's answered tickets got their first reply within each bucket."""
    whens = [
        When(response__lt=upper, then=Value(index))
        for index, (_key, _lower, upper) in enumerate(RESPONSE_BUCKETS)
        if upper is not None
    ]
    bucket = Case(*whens, default=Value(len(RESPONSE_BUCKETS) - 1), output_field=IntegerField())
    counts = count_by(first_responses(period, hidden).annotate(bucket=bucket), "bucket")
    return [
        ResponseBucket(key, lower, upper, counts.get(index, 0))
        for index, (key, lower, upper) in enumerate(RESPONSE_BUCKETS)
    ]
