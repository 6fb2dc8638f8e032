"""SQL that differs between SQLite and PostgreSQL: seconds between two instants, and the one
summary (count, average, median) every time figure goes through.

The median is computed by the database: ``percentile_cont(0.5)`` on PostgreSQL, a window-function
query on SQLite (row numbers within each group, the average of the one or two middle rows). Nothing
here reads rows into Python: each call returns one row per group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import FloatField, Func, QuerySet


class Seconds(Func):
    """Seconds from the second expression to the first, as a float (``end - start``)."""

    output_field = FloatField()
    arity = 2

    def as_sql(self, compiler: Any, conn: Any, **extra: Any) -> tuple[str, list[Any]]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        # julianday() is a float of days: exact to about 50 µs here, so rounded to the millisecond.
        return f"ROUND((julianday({end}) - julianday({start})) * 86400.0, 3)", [*end_params, *start_params]

    def as_postgresql(self, compiler: Any, conn: Any, **extra: Any) -> tuple[str, list[Any]]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"EXTRACT(EPOCH FROM ({end} - {start}))", [*end_params, *start_params]


@dataclass(frozen=True)
class Summary:
    """How many values, their average and their median (None when there is none)."""

    count: int = 0
    average: float | None = None
    median: float | None = None


def _summary_sql(inner: str, group: str | None) -> str:
    key = f"s.{group}" if group else "0"
    if connection.vendor == "postgresql":
        return (
            f"SELECT {key} AS g, COUNT(s.v), AVG(s.v), percentile_cont(0.5) WITHIN GROUP (ORDER BY s.v) "
            f"FROM ({inner}) s WHERE s.v IS NOT NULL GROUP BY 1"
        )
    # Rows numbered within their group: the median is the average of rows (n+1)/2 and (n+2)/2
    # (one row when n is odd, the two middle ones when it is even; integer division).
    return (
        "SELECT r.g, COUNT(*), AVG(r.v), AVG(CASE WHEN r.rn IN ((r.n + 1) / 2, (r.n + 2) / 2) "
        "THEN r.v END) FROM ("
        f"SELECT {key} AS g, s.v AS v, ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY s.v) AS rn, "
        f"COUNT(*) OVER (PARTITION BY {key}) AS n FROM ({inner}) s WHERE s.v IS NOT NULL"
        ") r GROUP BY r.g"
    )


def summarise(queryset: QuerySet, value: str, group: str | None = None) -> dict[Any, Summary]:
    """Count, average and median of ``value`` over ``queryset``'s rows, per ``group`` (a column of
    the queryset) or for all rows (key ``0``). One query; groups without a value are absent."""
    columns = [value] if group is None else [group, value]
    inner, params = queryset.values(*columns).query.sql_with_params()
    picked = f"q.{_quote(value)} AS v"
    if group:
        picked = f"q.{_quote(group)} AS {group}, {picked}"
    wrapped = f"SELECT {picked} FROM ({inner}) q"
    with connection.cursor() as cursor:
        cursor.execute(_summary_sql(wrapped, group), params)
        rows = cursor.fetchall()
    return {key: Summary(int(count), _float(average), _float(median)) for key, count, average, median in rows}


def count_by(queryset: QuerySet, column: str) -> dict[Any, int]:
    """How many of ``queryset``'s rows have each value of ``column`` (an annotation that may hold
    an aggregate, which a plain ``GROUP BY`` of the ORM cannot regroup). One query."""
    inner, params = queryset.values(column).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT q.{_quote(column)}, COUNT(*) FROM ({inner}) q GROUP BY 1", params)
        return {key: int(n) for key, n in cursor.fetchall()}


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
