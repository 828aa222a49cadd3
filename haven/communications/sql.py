"""The one hand-written query of communications: rows of one table by a list of values.

Through the ORM, `filter(column__in=ids)` prepares each id of the list on its own: for a
notice to 100,000 requesters (three such look-ups of 5,000 ids per chunk: principals,
identifiers, opt-outs) that preparation cost about four times the database's own work
(bench/communications/run.py --profile: 4.4 s of the notice's CPU before, under 1 s after).
Here PostgreSQL gets the list as one array parameter (`= ANY(%s)`) and SQLite as
placeholders. Each statement reads one table by an indexed column, so no planner can turn it
into a join over the whole desk. Table and column names come from the models, never from
input (noqa: S608 below).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models


def rows_where_in(
    model: type[models.Model],
    columns: Sequence[str],
    *,
    field: str,
    values: Sequence[Any],
    equal: Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """SELECT columns FROM model WHERE field IN values [AND name = value ...], raw values
    (no field conversion: callers read plain columns, never an encrypted field)."""
    if not values:
        return []
    quote = connection.ops.quote_name
    meta = model._meta

    def column(name: str) -> str:
        return quote(str(meta.get_field(name).column))  # type: ignore[union-attr]

    if connection.vendor == "postgresql":
        where, params = f"{column(field)} = ANY(%s)", [list(values)]
    else:
        where, params = f"{column(field)} IN ({', '.join(['%s'] * len(values))})", list(values)
    for name, value in (equal or {}).items():
        where += f" AND {column(name)} = %s"
        params.append(value)
    statement = (
        f"SELECT {', '.join(column(c) for c in columns)} "  # noqa: S608
        f"FROM {quote(meta.db_table)} WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())
