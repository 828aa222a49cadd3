"""The one hand-written statement for tasks: the checklist items triage adds at intake.

Every new case gets about a dozen items ("still needed: tazkira or passport", ...), so an
intake chunk of 200 messages adds some 2,000 tasks. Through bulk_create each one is a model
instance whose every field the query compiler prepares; that preparation cost more than
the database's insert (bench/mail_backlog/run.py under py-spy). Here PostgreSQL gets three
arrays (case, code, title token) in one INSERT ... SELECT FROM unnest, and SQLite the rows
through executemany. Table and column names come from the model, never from input
(noqa: S608 below).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

from .models import Task

_COLUMNS = (
    "case_id",
    "evidence_code",
    "title",
    "automatic",
    "status",
    "closed_how",
    "created_by_id",
    "created_at",
)


def automatic_tasks_insert(
    rows: Sequence[tuple[int, str, str]], *, created_by_id: int | None, created_at: dt.datetime
) -> None:
    """Insert open automatic tasks, rows (case id, evidence code, title) with the title
    already as stored: the EncryptedTextField's token (services_tasks encrypts each label once)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(Task._meta.db_table)
    columns = ", ".join(quote(c) for c in _COLUMNS)
    at = connection.ops.adapt_datetimefield_value(created_at)
    fixed: list[Any] = [True, Task.Status.OPEN.value, "", created_by_id, at]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cases, codes, titles = (list(column) for column in zip(*rows, strict=True))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                "SELECT v.case_id, v.code, v.title, %s, %s, %s, %s, %s "
                "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(case_id, code, title)",
                [*fixed, cases, codes, titles],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
                [(case_id, code, title, *fixed) for case_id, code, title in rows],
            )
