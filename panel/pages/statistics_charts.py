"""Geometry of the statistics page's charts, drawn by the templates as inline SVG.

Each function turns figures into shapes (coordinates in a fixed ``viewBox``); the templates give
them classes whose colours come from the stylesheet's variables, so both themes work and no
JavaScript is needed. Every chart also has a table of the same figures and a CSV download.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tickets.statistics import DailyActivity

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 10, 24


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at least ``value`` (a round top for an axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str

    @property
    def end(self) -> float:
        """Where the bar ends on the x axis."""
        return self.x + self.width


def activity_chart(days: list[DailyActivity]) -> dict[str, Any]:
    """Opened and closed per day: two bars a day, a y axis from 0 to a round top, and ticks."""
    top = nice_ceiling(max([1] + [max(d.created, d.closed) for d in days]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar = max(slot * 0.4, 0.8)
    created, closed, labels = [], [], []
    every = max(len(days) // 7, 1)
    for n, day in enumerate(days):
        x = LEFT + n * slot + slot * 0.1
        for value, bars, offset in ((day.created, created, 0), (day.closed, closed, bar)):
            height = plot_h * value / top
            bars.append(Bar(x + offset, TOP + plot_h - height, bar, height, value, day.date.isoformat()))
        # The last day is always labelled; a regular label too close before it would overlap it.
        last = len(days) - 1
        if n == last or (n % every == 0 and last - n >= every):
            labels.append({"x": x + bar, "date": day.date})
    grid = [
        {"y": TOP + plot_h - plot_h * f, "value": round(top * f)}
        for f in (0, 0.5, 1)
        if round(top * f) == top * f
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "created": created,
        "closed": closed,
        "labels": labels,
        "grid": grid,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": HEIGHT - BOTTOM + 16,
    }


def horizontal_bars(rows: list[tuple[str, int]], width: int = 480, label_width: int = 130) -> dict[str, Any]:
    """One bar per row, longest for the largest value, its label on the left and its value at its
    end; ``rows`` are (label, value)."""
    top = max([1] + [value for _label, value in rows])
    row_h, room = 26, width - label_width - 40
    bars = [
        Bar(label_width, n * row_h + 4, max(room * value / top, 1), row_h - 8, value, label)
        for n, (label, value) in enumerate(rows)
    ]
    return {
        "width": width,
        "height": max(len(rows), 1) * row_h,
        "bars": bars,
        "label_x": label_width - 8,
        "row_h": row_h,
    }


def column_bars(rows: list[tuple[str, int]]) -> dict[str, Any]:
    """Vertical bars, one per row (label, value), with the value above each."""
    width, height, base = 480, 180, 150
    top = max([1] + [value for _label, value in rows])
    slot = width / max(len(rows), 1)
    bars = []
    for n, (label, value) in enumerate(rows):
        h = (base - 20) * value / top
        bars.append(Bar(n * slot + slot * 0.15, base - h, slot * 0.7, h, value, label))
    return {"width": width, "height": height, "base": base, "bars": bars, "slot": slot}


def heat_map(grid: list[list[int]]) -> dict[str, Any]:
    """7 rows (Monday first) × 24 hours; each cell's opacity grows with its count (0.08 to 1)."""
    top = max([1] + [n for row in grid for n in row])
    cell, left, head = 26, 40, 18
    cells = [
        {
            "x": left + hour * cell,
            "y": head + weekday * cell,
            "count": n,
            "weekday": weekday,
            "hour": hour,
            "opacity": round(0.08 + 0.92 * n / top, 3) if n else 0,
        }
        for weekday, row in enumerate(grid)
        for hour, n in enumerate(row)
    ]
    return {
        "width": left + 24 * cell,
        "height": head + 7 * cell,
        "cells": cells,
        "cell": cell - 2,
        "left": left,
        "head": head,
        "hours": [{"x": left + h * cell + cell / 2, "hour": h} for h in range(0, 24, 3)],
        "rows": [{"y": head + d * cell + cell / 2 + 4, "weekday": d} for d in range(7)],
        "max": top,
    }
