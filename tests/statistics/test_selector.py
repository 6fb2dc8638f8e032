"""``tickets.statistics.statistics``: every figure of the seeded data set (tests/statistics/seed.py),
worked out by hand, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from tickets.models import Ticket
from tickets.statistics import PERIODS, period_for, statistics
from tickets.statistics.sql import Seconds, summarise

from .seed import ALICE, BOB, CAROL, NOW, SECRET, at, seed, ticket

pytestmark = pytest.mark.django_db

HOUR, DAY = 3600, 86400


@pytest.fixture
def seeded() -> dict:
    return seed()


def test_the_overview_counts_and_times(seeded) -> None:
    overview = statistics(days=7, now=NOW).overview
    assert overview.open_tickets == 4  # T3 T4 T7 T8
    assert overview.total_closed == 5  # T1 T2 T5 T6 T9
    assert overview.closed_today == 1  # T5
    assert overview.closed_this_week == 2  # since Monday 16: T2 T5
    assert overview.closed_this_month == 4  # T1 T2 T5 T6
    # First responses of the tickets users opened in the period: T2 5 min, T1 10 min, T8 20 min,
    # T3 1 h, T5 2 h (T7 was opened by staff; T4 has no reply; A's note on T5 is no reply).
    assert overview.tickets_answered == 5
    assert overview.avg_response_time_seconds == (300 + 600 + 1200 + 3600 + 7200) // 5 == 2580
    assert overview.median_response_time_seconds == 1200
    assert overview.tickets_unanswered == 1
    # Closed in the period: T1 2 h, T5 1 d, T2 3 d, T6 11 d 8 h.
    assert overview.tickets_closed == 4
    assert overview.avg_resolution_time_seconds == (7200 + DAY + 3 * DAY + 11 * DAY + 8 * HOUR) // 4
    assert overview.median_resolution_time_seconds == (DAY + 3 * DAY) // 2
    assert overview.tickets_opened == 7


def test_the_daily_activity_has_every_day_of_the_period(seeded) -> None:
    activity = statistics(days=7, now=NOW).activity
    assert [(a.date.day, a.created, a.closed) for a in activity] == [
        (12, 1, 2),
        (13, 1, 0),
        (14, 1, 0),
        (15, 1, 0),
        (16, 1, 1),
        (17, 1, 0),
        (18, 1, 1),
    ]
    assert len(statistics(days=90, now=NOW).activity) == 90
    assert statistics(days=30, now=NOW).activity[0].date == date(2026, 2, 17)


def test_categories_rank_the_period_s_tickets(seeded) -> None:
    categories = statistics(days=7, now=NOW).categories
    expected = [("Billing", 3), ("Support", 2), ("Secret", 1), (None, 1)]
    assert [(c.name, c.count) for c in categories] == expected
    assert categories[0].percentage == pytest.approx(300 / 7)


def test_the_staff_leaderboard(seeded) -> None:
    board = {m.user_id: m for m in statistics(days=7, now=NOW).staff_leaderboard}
    assert list(board) == [ALICE, BOB, CAROL]  # most replies first
    alice, bob, carol = board[ALICE], board[BOB], board[CAROL]
    # Replies in the period: A on T1 ×2, T3, T6 (12 Mar), T8; B on T1, T2, T7; C on T5.
    assert (alice.messages_count, bob.messages_count, carol.messages_count) == (5, 3, 1)
    # Closed in the period by staff: A T1 and T6, B T2 (T5 closed itself on schedule).
    assert (alice.tickets_closed, bob.tickets_closed, carol.tickets_closed) == (2, 1, 0)
    # Their first reply per ticket users opened in the period: A T1 10 min, T3 1 h, T8 20 min;
    # B T1 30 min, T2 5 min; C T5 2 h.
    assert (alice.tickets_answered, alice.avg_response_time_seconds, alice.median_response_time_seconds) == (
        3,
        1800,
        1200,
    )
    assert (bob.tickets_answered, bob.avg_response_time_seconds, bob.median_response_time_seconds) == (
        2,
        1050,
        1050,
    )
    assert (carol.avg_response_time_seconds, carol.median_response_time_seconds) == (7200, 7200)
    assert alice.username == "alice"


def test_the_top_performers(seeded) -> None:
    top = statistics(days=7, now=NOW).top_performers
    assert top.fastest_responder is None  # nobody answered 5 tickets
    assert (top.most_messages.user_id, top.most_messages.value) == (ALICE, 5)
    assert (top.most_tickets_closed.user_id, top.most_tickets_closed.username) == (ALICE, "alice")
    assert top.most_tickets_closed.value == 2


def test_the_fastest_responder_has_answered_five_tickets(seeded) -> None:
    # Carol answers five more tickets in 1, 2, 3, 4 and 5 minutes: 2 h and those, average 23 min 45 s.
    for n in range(1, 6):
        ticket(20 + n, at(17, n), messages=(("user", None, at(17, n)), ("staff", CAROL, at(17, n, n))))
    top = statistics(days=7, now=NOW).top_performers
    assert top.fastest_responder.user_id == CAROL
    assert top.fastest_responder.value == (7200 + 60 * (1 + 2 + 3 + 4 + 5)) // 6


def test_busiest_hours_count_users_messages_by_weekday_and_hour(seeded) -> None:
    grid = statistics(days=7, now=NOW).busiest_hours
    cells = {(weekday + 1, hour): n for weekday, row in enumerate(grid) for hour, n in enumerate(row) if n}
    # Mon 16 08:00 and 09:30 (T3), Tue 17 10:00 (T5), Wed 18 14:00 (T4), Thu 12 10:00 (T1),
    # Fri 13 09:00 (T2), Sat 14 10:00 (T8).
    assert cells == {(1, 8): 1, (1, 9): 1, (2, 10): 1, (3, 14): 1, (4, 10): 1, (5, 9): 1, (6, 10): 1}


def test_the_first_response_distribution(seeded) -> None:
    buckets = {b.key: b.count for b in statistics(days=7, now=NOW).first_response_distribution}
    assert buckets == {
        "under_5_minutes": 0,
        "5_to_15_minutes": 2,  # T2 exactly 5 min, T1 10 min
        "15_to_60_minutes": 1,  # T8
        "1_to_4_hours": 2,  # T3 1 h, T5 2 h
        "4_to_24_hours": 0,
        "1_to_3_days": 0,
        "over_3_days": 0,
    }


def test_hidden_categories_are_left_out(seeded) -> None:
    stats = statistics(days=7, hidden=frozenset({SECRET}), now=NOW)
    assert stats.overview.open_tickets == 3
    assert stats.overview.tickets_answered == 4
    assert stats.overview.median_response_time_seconds == (600 + 3600) // 2
    assert [c.name for c in stats.categories] == ["Billing", "Support", None]
    assert stats.staff_leaderboard[0].messages_count == 4
    assert sum(map(sum, stats.busiest_hours)) == 6


def test_days_and_hours_follow_the_time_zone(seeded, settings) -> None:
    settings.TIME_ZONE = "Europe/Paris"  # UTC+1 in March before the 29th
    ticket(30, at(17, 23, 30), messages=(("user", None, at(17, 23, 30)),))
    stats = statistics(days=7, now=NOW)
    assert stats.period.since == at(11, 23)  # midnight in Paris
    assert {a.date.day: a.created for a in stats.activity}[18] == 2  # T4 and the one at 00:30 in Paris
    assert stats.busiest_hours[2][0] == 1  # Wednesday 00:30


def test_an_empty_database_has_no_figure(db) -> None:
    stats = statistics(days=30, now=NOW)
    assert stats.overview.avg_response_time_seconds is None
    assert stats.overview.median_resolution_time_seconds is None
    assert stats.categories == [] and stats.staff_leaderboard == []
    assert stats.top_performers.most_messages is None
    assert sum(day.created for day in stats.activity) == 0


@pytest.mark.parametrize("values", [[5], [5, 1], [9, 1, 5], [4, 1, 3, 2], [7, 7, 1, 100, 3]])
def test_the_median_is_the_middle_value_or_the_mean_of_the_two(db, values: list[int]) -> None:
    for n, seconds in enumerate(values):
        row = ticket(40 + n, at(1, 0), closed=at(1, 0))
        Ticket.objects.filter(pk=row.pk).update(closed_at=at(1, 0) + timedelta(seconds=seconds))
    queryset = Ticket.objects.annotate(v=Seconds("closed_at", "created_at"))
    summary = summarise(queryset, "v")[0]
    ordered = sorted(values)
    middle = ordered[(len(values) - 1) // 2 : len(values) // 2 + 1]
    assert summary.median == pytest.approx(sum(middle) / len(middle))
    assert summary.average == pytest.approx(sum(values) / len(values))
    assert summary.count == len(values)


def test_only_7_30_and_90_days() -> None:
    assert PERIODS == (7, 30, 90)
    with pytest.raises(ValueError):
        period_for(14)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="side by side on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("days", PERIODS)
def test_the_parts_computed_side_by_side_give_the_same_figures(monkeypatch, days) -> None:
    """Outside a transaction, PostgreSQL computes the heavy parts on connections of their own
    (committed data, as in production): the figures are those of the one-connection computation."""
    import threading

    import tickets.statistics as module

    seed()
    threads: set[str] = set()
    for name in ("response_summaries", "busiest_hours"):
        original = getattr(module, name)

        def watched(*args, _original=original):
            threads.add(threading.current_thread().name)
            return _original(*args)

        monkeypatch.setattr(module, name, watched)
    side_by_side = statistics(days=days, now=NOW, hidden=frozenset({SECRET}))
    assert threads and all(name.startswith("statistics") for name in threads)

    monkeypatch.setattr(module, "PARALLEL_PARTS", 1)
    threads.clear()
    one_connection = statistics(days=days, now=NOW, hidden=frozenset({SECRET}))
    assert threads == {threading.current_thread().name}
    assert side_by_side == one_connection
