"""The statistics the panel and the API serve (``statistics_served``): figures that were slow to
compute are kept ``STATISTICS_CACHE_SECONDS`` per period and visibility; fast ones stay live."""

from __future__ import annotations

import pytest
from django.core.cache import cache

import tickets.statistics as stats_module
from tickets.statistics import statistics_served

from .seed import recent_day, seed_recent, ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def opened(**kwargs) -> int:
    return statistics_served(**kwargs).overview.tickets_opened


def test_fast_figures_are_computed_on_every_request():
    seed_recent()
    before = opened(days=7)
    ticket(200, recent_day(1, 15))
    assert opened(days=7) == before + 1


def test_slow_figures_are_served_from_the_cache_per_period_and_visibility(monkeypatch, settings):
    settings.STATISTICS_CACHE_SECONDS = 60
    monkeypatch.setattr(stats_module, "SLOW_SECONDS", -1.0)  # every computation counts as slow
    seed_recent()
    first = statistics_served(days=7)
    ticket(200, recent_day(1, 15))
    again = statistics_served(days=7)
    assert again.overview.tickets_opened == first.overview.tickets_opened
    assert again.period.now == first.period.now  # says when they were computed
    # Another period, or a viewer who may not see some categories, has figures of its own.
    assert opened(days=30) == first.overview.tickets_opened + 1
    assert opened(days=7, hidden=frozenset({1})) == first.overview.tickets_opened + 1
    cache.clear()
    assert opened(days=7) == first.overview.tickets_opened + 1


def test_zero_seconds_computes_every_time(monkeypatch, settings):
    settings.STATISTICS_CACHE_SECONDS = 0
    monkeypatch.setattr(stats_module, "SLOW_SECONDS", -1.0)
    seed_recent()
    before = opened(days=7)
    ticket(200, recent_day(1, 15))
    assert opened(days=7) == before + 1
