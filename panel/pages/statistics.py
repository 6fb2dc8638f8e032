"""``/panel/statistics``: the statistics of the last 7, 30 or 90 days, with charts, tables and CSV.

The page is one view: the full page, or (an htmx request) its body alone, which the page fetches
again when tickets open or close and messages come (live events), and every two minutes. The
period is a plain link (``?days=7|30|90``), so the page works without JavaScript; charts are
inline SVG drawn on the server, each with its table and a CSV download
(``/panel/statistics/<table>.csv?days=``).
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from panel.models import PanelPermission
from panel.pages.access import panel_page
from panel.pages.statistics_charts import activity_chart, column_bars, heat_map, horizontal_bars
from panel.selectors import hidden_categories
from tickets.statistics import PERIODS, Statistics, statistics_served

Permission = PanelPermission.Permission
DEFAULT_DAYS = 30

BUCKET_LABELS = {
    "under_5_minutes": gettext_lazy("Under 5 min"),
    "5_to_15_minutes": gettext_lazy("5–15 min"),
    "15_to_60_minutes": gettext_lazy("15–60 min"),
    "1_to_4_hours": gettext_lazy("1–4 h"),
    "4_to_24_hours": gettext_lazy("4–24 h"),
    "1_to_3_days": gettext_lazy("1–3 days"),
    "over_3_days": gettext_lazy("Over 3 days"),
}
TABLES = ("activity", "categories", "staff", "hours", "response-times")


def _days(request: HttpRequest) -> int | None:
    """The ``days`` asked for: 30 when absent, None when it is not 7, 30 or 90."""
    raw = request.GET.get("days")
    if raw is None:
        return DEFAULT_DAYS
    return int(raw) if raw in {str(p) for p in PERIODS} else None


def _stats(request: HttpRequest, days: int) -> Statistics:
    return statistics_served(days=days, hidden=hidden_categories(request.access))


def _category_label(name: str | None) -> str:
    return name if name is not None else _("Uncategorized")


def _context(stats: Statistics) -> dict[str, Any]:
    categories = [(_category_label(c.name), c.count) for c in stats.categories]
    buckets = [(str(BUCKET_LABELS[b.key]), b.count) for b in stats.first_response_distribution]
    hours = heat_map(stats.busiest_hours)
    for row in hours["rows"]:
        row["abbr"] = WEEKDAYS_ABBR[row["weekday"]]
    return {
        "stats": stats,
        "days": stats.period.days,
        "periods": PERIODS,
        "tables": TABLES,
        "activity_chart": activity_chart(stats.activity),
        "category_chart": horizontal_bars(categories),
        "category_rows": list(zip(stats.categories, categories, strict=True)),
        "response_chart": column_bars(buckets),
        "response_rows": buckets,
        "heat": hours,
        "weekdays": [(WEEKDAYS[d], WEEKDAYS_ABBR[d], stats.busiest_hours[d]) for d in range(7)],
        "hour_numbers": range(24),
    }


@require_GET
@panel_page(Permission.VIEW_PANEL)
def statistics_page(request: HttpRequest) -> HttpResponse:
    """``GET /panel/statistics?days=7|30|90`` (ViewPanel; 30 by default). Any other ``days`` is a
    400 showing the page at 30 days with an error. With htmx, the body alone."""
    days = _days(request)
    status = 200 if days is not None else 400
    context = _context(_stats(request, days or DEFAULT_DAYS))
    context["bad_days"] = days is None
    template = "panel/partials/statistics_body.html" if request.htmx else "panel/statistics.html"
    return render(request, template, context, status=status)


def _rows(stats: Statistics, table: str) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one table of the page, for its CSV."""
    if table == "activity":
        return ["date", "created", "closed"], [
            [a.date.isoformat(), a.created, a.closed] for a in stats.activity
        ]
    if table == "categories":
        return ["category", "tickets", "percentage"], [
            [_category_label(c.name), c.count, f"{c.percentage:.1f}"] for c in stats.categories
        ]
    if table == "staff":
        header = [
            "user_id",
            "username",
            "replies",
            "tickets_closed",
            "tickets_answered",
            "avg_response_seconds",
            "median_response_seconds",
        ]
        return header, [
            [
                str(m.user_id),
                m.username,
                m.messages_count,
                m.tickets_closed,
                m.tickets_answered,
                m.avg_response_time_seconds,
                m.median_response_time_seconds,
            ]
            for m in stats.staff_leaderboard
        ]
    if table == "hours":
        return ["weekday", *[f"{h:02d}:00" for h in range(24)]], [
            [str(WEEKDAYS[d]), *stats.busiest_hours[d]] for d in range(7)
        ]
    return ["first_response", "min_seconds", "max_seconds", "tickets"], [
        [str(BUCKET_LABELS[b.key]), b.min_seconds, b.max_seconds, b.count]
        for b in stats.first_response_distribution
    ]


@require_GET
@panel_page(Permission.VIEW_PANEL)
def statistics_csv(request: HttpRequest, table: str) -> HttpResponse:
    """``GET /panel/statistics/<activity|categories|staff|hours|response-times>.csv?days=`` (ViewPanel):
    one table of the page as CSV (UTF-8). 400 for a ``days`` other than 7, 30 or 90."""
    days = _days(request)
    if days is None:
        return HttpResponse(
            _("days must be 7, 30 or 90."), status=400, content_type="text/plain; charset=utf-8"
        )
    header, rows = _rows(_stats(request, days), table)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statistics-{table}-{days}d.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return response
