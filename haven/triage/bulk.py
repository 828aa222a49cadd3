"""The one hand-written write of triage: the pathway and priority of many cases at once.

An UPDATE … FROM unnest(…) on PostgreSQL (one statement for a re-triage batch of thousands
of cases, where bulk_update would write a CASE over every row), executemany elsewhere,
through Django's cursor so query-count tests see it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

__all__ = ["update_pathways"]


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
