"""Fast inserts of many new rows: COPY on PostgreSQL, executemany elsewhere.

Django's bulk_create prepares every value of every row through the query compiler,
which costs more than the database's own work at intake's volumes (a spreadsheet of
100,000 rows writes a million rows across the tables). For rows that nothing in the
same batch needs the id of (links, keys, events, members...), `insert_instances`
writes the model instances' values straight to the table instead.

Table and column names come from the models, never from input: the f-strings below
(noqa: S608) build no SQL from data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

from . import ids

Converter = Callable[[Any], Any]

# Up to this many rows, plain INSERTs beat COPY on PostgreSQL: COPY's set-up (and, for new
# ids, a separate nextval statement) costs more than it saves on a walk-in's or an API
# request's handful of rows.
_FEW_ROWS = 8


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows (tuples in `fields` order, values already as the database takes them)."""
    if not rows:
        return
    table = model._meta.db_table
    columns = [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > _FEW_ROWS:
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


def _converter(field: models.Field[Any, Any], now: Any) -> tuple[str, Converter]:
    """How to read one field of an instance as the database takes it."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return field.attname, lambda _value: now
    if isinstance(field, models.DateTimeField):
        return field.attname, ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return field.attname, ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return (
            field.attname,
            lambda value: None if value is None else json.dumps(value, cls=encoder),
        )
    return field.attname, lambda value: value


def _rows_of(objects: Sequence[models.Model]) -> tuple[list[models.Field[Any, Any]], list[Any]]:
    model = type(objects[0])
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    readers = [_converter(f, now) for f in fields]
    relations = [f for f in fields if isinstance(f, models.ForeignKey)]
    rows = []
    for obj in objects:
        for field in relations:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    setattr(obj, field.attname, related.pk)
        rows.append(tuple(convert(getattr(obj, attname)) for attname, convert in readers))
    return fields, rows


# Parameters per statement: SQLite allows 32,766.
_MAX_PARAMETERS = 30_000


def create_instances(objects: Sequence[models.Model]) -> None:
    """Insert new instances of one model and set their primary keys (INSERT … RETURNING), as
    bulk_create does, in the same order, without the query compiler's per-value work."""
    if not objects:
        return
    model = type(objects[0])
    fields, rows = _rows_of(objects)
    if connection.vendor == "postgresql" and len(rows) > _FEW_ROWS:
        _copy_with_new_ids(model, objects, fields, rows)
        return
    # INSERT … RETURNING gives the ids in the order of the VALUES rows (bulk_create relies
    # on the same, on both databases).
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    pk = quote(str(model._meta.pk.column))
    one = f"({', '.join(['%s'] * len(fields))})"
    per_statement = max(1, _MAX_PARAMETERS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(batch))} RETURNING {pk}",
                [value for row in batch for value in row],
            )
            for obj, (key,) in zip(objects[start:], cursor.fetchall(), strict=False):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = connection.alias


def _copy_with_new_ids(
    model: type[models.Model],
    objects: Sequence[models.Model],
    fields: list[models.Field[Any, Any]],
    rows: list[Any],
) -> None:
    """PostgreSQL: draw the ids from the table's sequence in one statement, then COPY the rows
    with them (COPY cannot return ids; a statement of thousands of rows is slow to parse)."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objects)],
        )
        ids = [key for (key,) in cursor.fetchall()]
    for obj, key in zip(objects, ids, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    insert_rows(
        model,
        [pk.name, *(f.name for f in fields)],
        [(key, *row) for key, row in zip(ids, rows, strict=True)],
    )


def insert_instances(objects: Sequence[models.Model]) -> None:
    """Insert new instances of one model, without returning their ids.

    A foreign key set to an instance saved after it was assigned (a person created
    earlier in the same batch) is read from that instance, as bulk_create does.
    """
    if not objects:
        return
    fields, rows = _rows_of(objects)
    insert_rows(type(objects[0]), [f.name for f in fields], rows)


def create_instance_unless_taken(obj: models.Model) -> bool:
    """Insert one new instance and set its primary key; False, inserting nothing, when a
    unique value of it is already taken (ON CONFLICT DO NOTHING, on both databases).

    For a value drawn at random that must be unique (a receipt number): the caller draws
    again, without a look-up beforehand or a savepoint to recover from the error.
    """
    model = type(obj)
    fields, rows = _rows_of([obj])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING "
            f"RETURNING {quote(str(model._meta.pk.column))}",
            rows[0],
        )
        returned = cursor.fetchone()
    if returned is None:
        return False
    obj.pk = returned[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return True


def insert_together(
    first: models.Model, *, with_first: Callable[[models.Model], Sequence[models.Model]]
) -> bool:
    """Insert `first` and the rows `with_first(first)` returns (called with first's id set),
    all or none: none, returning False, when a unique value of `first` is already taken.

    On PostgreSQL this is one statement, committed on its own outside a transaction, so a
    write the size of one request costs one round trip, as a single INSERT does: `first`
    takes its id from the sequence ahead (haven.common.ids) and each other row is inserted
    by a SELECT from `first`'s insert, so it exists only if `first` does. Elsewhere, the
    same inserts one after the other in a transaction.
    """
    if connection.vendor != "postgresql":
        # A savepoint only inside a caller's transaction: a failure then undoes just this.
        with transaction.atomic():
            if not create_instance_unless_taken(first):
                return False
            others = list(with_first(first))
            for model in dict.fromkeys(type(o) for o in others):
                insert_instances([o for o in others if type(o) is model])
            return True
    model = type(first)
    if first.pk is None:
        first.pk = ids.next_id(model)
    others = list(with_first(first))
    quote = connection.ops.quote_name
    fields, rows = _rows_of([first])
    pk = model._meta.pk
    assert pk is not None
    columns = [pk, *fields]
    parts = [
        f"first_row AS (INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(str(f.column)) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT DO NOTHING RETURNING 1)"
    ]
    params: list[Any] = [first.pk, *rows[0]]
    for i, other in enumerate(others):
        other_fields, other_rows = _rows_of([other])
        parts.append(
            f"row_{i} AS (INSERT INTO {quote(type(other)._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(str(f.column)) for f in other_fields)}) "
            f"SELECT {', '.join(['%s'] * len(other_fields))} FROM first_row)"
        )
        params += other_rows[0]
    statement = f"WITH {', '.join(parts)} SELECT count(*) FROM first_row"  # noqa: S608
    # Inside a caller's transaction, a savepoint keeps a failure (a unique key taken) from
    # aborting the caller's work; outside one, the statement is its own transaction.
    joined = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with joined, connection.cursor() as cursor:
        cursor.execute(statement, params)
        (inserted,) = cursor.fetchone()
    if not inserted:
        return False
    first._state.adding = False
    first._state.db = connection.alias
    return True
