"""The hand-written SQL of communications: rows of one table by a list of values, and the
outbox rows of a notice written in one statement per chunk (`messages_insert`).

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

from .models import Message


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


# The outbox row's columns as `messages_insert` takes them (every column without a NULL default).
MESSAGE_COLUMNS = (
    "idempotency_key",
    "dedupe_key",
    "purpose",
    "language",
    "channel",
    "recipient",
    "recipient_hash",
    "subject",
    "body",
    "request",
    "case",
    "notice",
    "status",
    "not_before",
    "attempts",
    "last_error",
    "provider_id",
    "provider_status",
    "created_by",
    "created_at",
)


def messages_insert(rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert outbox rows: tuples in MESSAGE_COLUMNS order, values as the database takes them
    (the encrypted columns already prepared through their field).

    Kept hand-written because bulk_create measured far slower for a notice: bench/communications
    (100,000 recipients, SQLite) queued in 8.3 s CPU (15.8 s wall, load 3.7) this way and in
    29.1 s CPU (68.2 s wall, load 6.0; 2,455 statements instead of 135) through Message
    instances and bulk_create, missing the 60 s target. PostgreSQL gets one INSERT … SELECT
    FROM unnest(arrays) per call (one parameter a column, however many rows); SQLite one
    executemany. Both through Django's cursor, so query counts see them."""
    if not rows:
        return
    meta = Message._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in MESSAGE_COLUMNS]
    columns = ", ".join(quote(str(f.column)) for f in fields)  # type: ignore[union-attr]
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)  # type: ignore[union-attr]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})",  # noqa: S608
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(fields))})",
                rows,
            )
