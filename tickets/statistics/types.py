"""What the statistics are made of: plain values, shaped like Rustmail's ``Statistics`` JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

PERIODS = (7, 30, 90)

# First-response buckets: (key, lower bound in seconds, upper bound in seconds or None).
RESPONSE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("under_5_minutes", 0, 5 * 60),
    ("5_to_15_minutes", 5 * 60, 15 * 60),
    ("15_to_60_minutes", 15 * 60, 60 * 60),
    ("1_to_4_hours", 60 * 60, 4 * 3600),
    ("4_to_24_hours", 4 * 3600, 24 * 3600),
    ("1_to_3_days", 24 * 3600, 3 * 86400),
    ("over_3_days", 3 * 86400, None),
)


@dataclass(frozen=True)
class Period:
    """The days counted: ``days`` calendar days in ``time_zone`` ending today, from ``since``."""

    days: int
    time_zone: str
    now: datetime
    today: date
    first_day: date
    since: datetime
    start_of_today: datetime
    start_of_week: datetime
    start_of_month: datetime


@dataclass(frozen=True)
class Overview:
    """Rustmail's overview, plus medians and the period's counts."""

    open_tickets: int
    total_closed: int
    closed_today: int
    closed_this_week: int
    closed_this_month: int
    avg_response_time_seconds: int | None
    avg_resolution_time_seconds: int | None
    median_response_time_seconds: int | None
    median_resolution_time_seconds: int | None
    tickets_opened: int
    tickets_closed: int
    tickets_answered: int
    tickets_unanswered: int


@dataclass(frozen=True)
class DailyActivity:
    date: date
    created: int
    closed: int


@dataclass(frozen=True)
class CategoryStats:
    """Tickets opened in the period in one Discord category (``name`` None: no category)."""

    name: str | None
    count: int
    percentage: float


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    username: str
    messages_count: int
    tickets_closed: int
    avg_response_time_seconds: int | None
    median_response_time_seconds: int | None
    tickets_answered: int


@dataclass(frozen=True)
class TopPerformer:
    user_id: int
    username: str
    value: int


@dataclass(frozen=True)
class TopPerformers:
    fastest_responder: TopPerformer | None
    most_messages: TopPerformer | None
    most_tickets_closed: TopPerformer | None


@dataclass(frozen=True)
class ResponseBucket:
    key: str
    min_seconds: int
    max_seconds: int | None
    count: int


@dataclass(frozen=True)
class Statistics:
    """Everything the statistics page and ``GET /api/bot/statistics`` show."""

    period: Period
    overview: Overview
    activity: list[DailyActivity]
    categories: list[CategoryStats]
    staff_leaderboard: list[StaffMember]
    top_performers: TopPerformers
    # busiest_hours[weekday - 1][hour]: messages from users, Monday first, hours in ``time_zone``.
    busiest_hours: list[list[int]] = field(default_factory=list)
    first_response_distribution: list[ResponseBucket] = field(default_factory=list)
