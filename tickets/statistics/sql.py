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
        # date_part is a float; EXTRACT would be a numeric, several times slower to aggregate.
        return f"date_part('epoch', {end} - {start})", [*end_params, *start_params]


@dataclass(frozen=True)
class Summary:
    """How many values, their average and their median (None when there is none)."""

    count: int = 0
    average: float | None = None
    median: float | None = None
    below: tuple[int, ...] = ()  # how many values are under each threshold asked for


def _summary_sql(inner: str, below: tuple[float, ...]) -> str:
    """The summary of ``inner``'s rows (columns ``g``, the group, and ``v``, the value), per group."""
    counts = "".join(f", SUM(CASE WHEN s.v < {float(limit)!r} THEN 1 ELSE 0 END)" for limit in below)
    if connection.vendor == "postgresql":
        return (
            f"SELECT s.g, COUNT(s.v), AVG(s.v), percentile_cont(0.5) WITHIN GROUP (ORDER BY s.v){counts} "
            f"FROM ({inner}) s WHERE s.v IS NOT NULL GROUP BY s.g"
        )
    # Rows numbered within their group: the median is the average of rows (n+1)/2 and (n+2)/2
    # (one row when n is odd, the two middle ones when it is even; integer division).
    return (
        "SELECT s.g, COUNT(*), AVG(s.v), AVG(CASE WHEN s.rn IN ((s.n + 1) / 2, (s.n + 2) / 2) "
        f"THEN s.v END){counts} FROM ("
        "SELECT r.g AS g, r.v AS v, ROW_NUMBER() OVER (PARTITION BY r.g ORDER BY r.v) AS rn, "
        f"COUNT(*) OVER (PARTITION BY r.g) AS n FROM ({inner}) r WHERE r.v IS NOT NULL"
        ") s GROUP BY s.g"
    )


def summarise_sql(inner: str, params: Any, below: tuple[float, ...] = ()) -> dict[Any, Summary]:
    """Count, average and median of ``v`` per ``g`` over the rows of the SQL ``inner`` (columns
    ``g`` and ``v``), with how many values are under each of ``below``. One query; groups without
    a value are absent."""
    with connection.cursor() as cursor:
        cursor.execute(_summary_sql(inner, below), params)
        rows = cursor.fetchall()
    return {
        key: Summary(int(count), _float(average), _float(median), tuple(int(n) for n in counts))
        for key, count, average, median, *counts in rows
    }


def summarise(
    queryset: QuerySet, value: str, group: str | None = None, below: tuple[float, ...] = ()
) -> dict[Any, Summary]:
    """``summarise_sql`` of ``value`` over ``queryset``'s rows, per ``group`` (a column of the
    queryset) or for all rows (key ``0``)."""
    columns = [value] if group is None else [group, value]
    # No ORDER BY in the subquery (the models' default orderings would sort every row for nothing).
    inner, params = queryset.order_by().values(*columns).query.sql_with_params()
    key = f"q.{_quote(group)}" if group else "0"
    return summarise_sql(f"SELECT {key} AS g, q.{_quote(value)} AS v FROM ({inner}) q", params, below)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
