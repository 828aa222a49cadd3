"""Bulk writes for re-triage: COPY on PostgreSQL, executemany elsewhere.

Going through model instances (bulk_create, bulk_update) costs more than the
triage itself at a million cases; these write plain tuples straight to the
tables, with values already in the database's representation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from psycopg import sql


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    # Table and column names come from the models, never from input: the
    # f-strings below (noqa: S608) build no SQL from data.
    return [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows (tuples in `fields` order; JSON already dumped to text)."""
    if not rows:
        return
    table, columns = model._meta.db_table, _columns(model, fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            quote = connection.ops.quote_name
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(columns))})",
                rows,
            )


def update_pathways(table: str, rows: list[tuple[int, str, int]]) -> None:
    """Set (pathway, priority) of many cases: rows are (id, pathway, priority)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, pathways, priorities = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"UPDATE {quote(table)} AS c SET pathway = v.pathway, priority = v.priority "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::text[], %s::integer[]) AS v(id, pathway, priority) "
                "WHERE c.id = v.id",
                [ids, pathways, priorities],
            )
        else:
            cursor.executemany(
                f"UPDATE {quote(table)} SET pathway = %s, priority = %s WHERE id = %s",  # noqa: S608
                [(pathway, priority, pk) for pk, pathway, priority in rows],
            )
