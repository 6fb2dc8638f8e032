"""Statistics of the tickets and the staff over the last 7, 30 or 90 days (``statistics()``).

Every figure is an SQL aggregate; medians go through ``sql.summarise`` (``percentile_cont`` on
PostgreSQL, a window-function query on SQLite). Days, weekdays and hours are those of the
``TIME_ZONE`` setting (UTC by default). A period of N days is today and the N - 1 days before it,
from midnight. Tickets in Discord categories the caller may not view (``hidden``) are left out,
as everywhere in the panel.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from .responses import response_distribution, response_summaries
from .staff import staff_activity, staff_figures
from .tickets import busiest_hours, category_stats, daily_activity, overview
from .types import (
    PERIODS,
    RESPONSE_BUCKETS,
    CategoryStats,
    DailyActivity,
    Overview,
    Period,
    ResponseBucket,
    StaffMember,
    Statistics,
    TopPerformer,
    TopPerformers,
)

__all__ = [
    "PERIODS",
    "RESPONSE_BUCKETS",
    "CategoryStats",
    "DailyActivity",
    "Overview",
    "Period",
    "ResponseBucket",
    "StaffMember",
    "Statistics",
    "TopPerformer",
    "TopPerformers",
    "period_for",
    "statistics",
    "statistics_served",
]


# Figures computed faster than this are not kept: computing them again costs less than a stale page.
SLOW_SECONDS = 0.1


def period_for(days: int, now: datetime | None = None) -> Period:
    """The period of ``days`` days ending today (in ``TIME_ZONE``), with the starts of today, of
    this week (Monday) and of this month."""
    if days not in PERIODS:
        raise ValueError(f"days must be one of {PERIODS}")
    zone = timezone.get_default_timezone()
    now = now or timezone.now()
    today = timezone.localdate(now, zone)

    def midnight(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=zone)

    first_day = today - timedelta(days=days - 1)
    return Period(
        days=days,
        time_zone=settings.TIME_ZONE,
        now=now,
        today=today,
        first_day=first_day,
        since=midnight(first_day),
        start_of_today=midnight(today),
        start_of_week=midnight(today - timedelta(days=today.weekday())),
        start_of_month=midnight(today.replace(day=1)),
    )


def statistics(*, days: int, hidden: frozenset[int] = frozenset(), now: datetime | None = None) -> Statistics:
    """The statistics of the last ``days`` days (7, 30 or 90; ValueError otherwise) for a caller
    who may not see the tickets of the ``hidden`` Discord categories. About fifteen queries,
    whatever the number of tickets.

    On PostgreSQL, outside a transaction of the caller's, the three heaviest (each staff member's
    response times, the replies per author, the busiest hours: each reads a period's messages) run
    side by side with the rest on connections of their own: a 90-day period over a million messages
    takes the time of its slowest part rather than their sum. Each part then reads its own
    snapshot of the data (a ticket closed meanwhile may count in one figure and not yet in another)."""
    period = period_for(days, now)
    if connection.vendor == "postgresql" and not connection.in_atomic_block and PARALLEL_PARTS > 1:
        return _statistics(period, hidden, side_by_side=True)
    with _work_memory():
        return _statistics(period, hidden, side_by_side=False)


# Threads that compute the heavy parts of statistics beside the request's thread (PostgreSQL only).
PARALLEL_PARTS = 2
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


@contextmanager
def _work_memory():
    """A transaction in which PostgreSQL may group a 90-day period in memory: the per-ticket and
    per-staff groupings would spill to disk at its default 4 MB (for this transaction only)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '32MB'")
        yield


def _part(function, *args):
    """Run one part of the statistics in a pool thread, on that thread's own connection (closed
    after: the pool's threads outlive requests, which close connections only in their thread)."""
    try:
        with _work_memory():
            return function(*args)
    finally:
        connection.close()


def _staff_and_hours(period: Period, hidden: frozenset[int]):
    """The second heavy part: the staff's replies and closes, then the busiest hours."""
    return staff_activity(period, hidden), busiest_hours(period, hidden)


def _computed(function, *args) -> Future:
    """``function(*args)`` computed now, as a done future (the parts computed one after the other)."""
    future: Future = Future()
    try:
        future.set_result(function(*args))
    except Exception as error:  # raised again by result()
        future.set_exception(error)
    return future


def _submit(function, *args) -> Future:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=PARALLEL_PARTS, thread_name_prefix="statistics")
    return _pool.submit(_part, function, *args)


def statistics_served(*, days: int, hidden: frozenset[int] = frozenset()) -> Statistics:
    """``statistics()`` as the panel and the API serve them. Figures that took the database more
    than ``SLOW_SECONDS`` to compute (a 90-day period over a million messages takes a few hundred
    milliseconds) are kept ``STATISTICS_CACHE_SECONDS`` (default 60; 0 never) in the cache shared
    by every web process, for the same period and hidden categories: a team watching the page of
    a large server costs the database one computation a minute, while a small server's figures stay
    live. Their ``period.now`` says when they were computed."""
    seconds = settings.STATISTICS_CACHE_SECONDS
    if not seconds:
        return statistics(days=days, hidden=hidden)
    today = timezone.localdate(timezone.now(), timezone.get_default_timezone())
    visibility = hashlib.sha256(",".join(map(str, sorted(hidden))).encode()).hexdigest()[:32]
    key = f"statistics:1:{days}:{settings.TIME_ZONE}:{today.isoformat()}:{visibility}"
    stats = cache.get(key)
    if isinstance(stats, Statistics):
        return stats
    started = time.monotonic()
    stats = statistics(days=days, hidden=hidden)
    if time.monotonic() - started > SLOW_SECONDS:
        cache.set(key, stats, seconds)
    return stats


def _statistics(period: Period, hidden: frozenset[int], *, side_by_side: bool) -> Statistics:
    # Side by side: the heavy parts in the pool, the light ones meanwhile in this thread's own
    # transaction. Otherwise each part is computed where it is asked for, in the caller's transaction.
    run, here = (_submit, _work_memory) if side_by_side else (_computed, nullcontext)
    summaries = run(response_summaries, period, hidden)
    heavy = run(_staff_and_hours, period, hidden)
    with here():
        activity = daily_activity(period, hidden)
        categories = category_stats(period, hidden)
        responses, by_staff = summaries.result()
        ticket_overview = overview(period, hidden, responses)
    staff, hours = heavy.result()
    leaderboard, top = staff_figures(by_staff, staff)
    return Statistics(
        period=period,
        overview=ticket_overview,
        activity=activity,
        categories=categories,
        staff_leaderboard=leaderboard,
        top_performers=top,
        busiest_hours=hours,
        first_response_distribution=response_distribution(responses),
    )
