"""Bulk writes for re-triage: COPY on PostgreSQL, executemany elsewhere.

Going through model instances (bulk_create, bulk_update) costs more than the
triage itself at a million cases; these write plain tuples straight to the
tables, with values already in the database's representation.
"""

from __future__ import annotations

from django.db import connection

from haven.common.bulk import insert_rows

__all__ = ["insert_rows", "update_pathways"]


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
