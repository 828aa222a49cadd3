"""Bulk writes for triage decisions: COPY on PostgreSQL, executemany elsewhere.

Going through model instances (bulk_create, bulk_update) costs more than the
triage itself at a million cases; these write plain tuples straight to the
tables, with values already in the database's representation.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from haven.common.bulk import insert_rows

__all__ = ["insert_rows", "update_pathways"]


def update_pathways(
    table: str, rows: list[tuple[int, str, int]], *, touched_at: Any | None = None
) -> None:
    """Set (pathway, priority) of many cases: rows are (id, pathway, priority); with
    `touched_at` (as the database takes it), their updated_at too."""
    if not rows:
        return
    quote = connection.ops.quote_name
    touch = ", updated_at = %s" if touched_at is not None else ""
    extra = [touched_at] if touched_at is not None else []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, pathways, priorities = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"UPDATE {quote(table)} AS c SET pathway = v.pathway, priority = v.priority"  # noqa: S608
                f"{touch} FROM unnest(%s::bigint[], %s::text[], %s::integer[]) "
                "AS v(id, pathway, priority) WHERE c.id = v.id",
                [*extra, ids, pathways, priorities],
            )
        else:
            cursor.executemany(
                f"UPDATE {quote(table)} SET pathway = %s, priority = %s{touch} WHERE id = %s",  # noqa: S608
                [(pathway, priority, *extra, pk) for pk, pathway, priority in rows],
            )
