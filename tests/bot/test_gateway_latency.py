"""The gateway latency the bot reports for the dashboard (``botrunner.supervisor.gateway_latency_ms``)."""

from __future__ import annotations

import math

import pytest

from botrunner.supervisor import gateway_latency_ms

INTERVAL = 41.25  # Discord's heartbeat interval, in seconds


@pytest.mark.parametrize(
    ("latency", "expected"),
    [
        (0.0384, 38),
        (0.0004, 0),
        (1.5, 1500),
        (math.inf, None),  # no heartbeat acknowledged yet
        (math.nan, None),
        (None, None),
        (-0.01, None),
        # An acknowledgement quicker than nextcord's note of the send: measured from the heartbeat
        # before, it reads a whole interval. That is no latency.
        (41.2507, None),
        (INTERVAL / 2, None),
    ],
)
def test_the_latency_in_milliseconds_when_it_is_one(latency, expected) -> None:
    assert gateway_latency_ms(latency, INTERVAL) == expected


def test_without_a_known_interval_any_finite_latency_counts() -> None:
    assert gateway_latency_ms(41.2507, None) == 41251
