"""Primary keys drawn ahead from a table's PostgreSQL sequence, a block at a time.

A row whose id must be known before it is written (the API's answer, stored for retries
in the same statement as the request it names) takes one from here: one round trip per
block instead of one per row. Ids stay unique (a sequence never hands a value out twice,
rolled back or not); they are not in arrival order across processes, and a process that
stops leaves a few unused, as any sequence may.
"""

from __future__ import annotations

import threading
from collections import deque

from django.db import connection, models

BLOCK = 64

_lock = threading.Lock()
_drawn: dict[tuple[str, str], deque[int]] = {}


def next_id(model: type[models.Model]) -> int:
    """The next id for a new row of `model` (PostgreSQL only)."""
    assert connection.vendor == "postgresql", "SQLite has no sequences: INSERT … RETURNING"
    key = (connection.settings_dict["NAME"], model._meta.db_table)
    with _lock:
        ids = _drawn.setdefault(key, deque())
        if not ids:
            pk = model._meta.pk
            assert pk is not None
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [model._meta.db_table, pk.column, BLOCK],
                )
                ids.extend(key for (key,) in cursor.fetchall())
        return ids.popleft()
