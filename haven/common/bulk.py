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

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone
from psycopg import sql

from .fields import EncryptedTextField

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


_NOW = "now"  # a reader kind: the row's time of writing (auto_now, auto_now_add)
_AS_IS = "as is"


def _converter(field: models.Field[Any, Any]) -> Converter | str:
    """How to read one field of an instance as the database takes it."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        return _NOW
    # An encrypted field must go through its own preparation, or the plaintext would be
    # stored. Django's own fields only coerce types the driver takes anyway, and are read
    # below without the cost.
    if isinstance(field, EncryptedTextField):
        return lambda value: field.get_db_prep_value(value, connection, prepared=False)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: None if value is None else json.dumps(value, cls=encoder)
    return _AS_IS


def _db_value(value: Any, convert: Converter | str, now: Any) -> Any:
    """One field's value as the database takes it, by its reader kind (see _converter)."""
    if convert is _NOW:
        return now
    return value if convert is _AS_IS else convert(value)  # type: ignore[operator]


@functools.cache
def _plan(
    model: type[models.Model], vendor: str
) -> tuple[list[models.Field[Any, Any]], list[Any], list[tuple[str, Converter | str]]]:
    # Worked out once per model: the API writes three rows a request, thousands a minute.
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    relations = [f for f in fields if isinstance(f, models.ForeignKey)]
    return fields, relations, [(f.attname, _converter(f)) for f in fields]


def _rows_of(objects: Sequence[models.Model]) -> tuple[list[models.Field[Any, Any]], list[Any]]:
    fields, relations, readers = _plan(type(objects[0]), connection.vendor)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for obj in objects:
        for field in relations:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    setattr(obj, field.attname, related.pk)
        rows.append(
            tuple(_db_value(getattr(obj, attname), convert, now) for attname, convert in readers)
        )
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
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    one = f"({', '.join(['%s'] * len(fields))})"
    per_statement = max(1, _MAX_PARAMETERS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {_table_and_columns(model, fields)} "  # noqa: S608
                f"VALUES {', '.join([one] * len(batch))} RETURNING {pk}",
                [value for row in batch for value in row],
            )
            for obj, (key,) in zip(objects[start:], cursor.fetchall(), strict=False):
                _mark_saved(obj, key)


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
        _mark_saved(obj, key)
    insert_rows(
        model,
        [pk.name, *(f.name for f in fields)],
        [(key, *row) for key, row in zip(ids, rows, strict=True)],
    )


def _mark_saved(obj: models.Model, pk: Any) -> None:
    # As Model.save leaves an instance: its id set, no longer "adding", bound to this database.
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


def insert_instances(objects: Sequence[models.Model]) -> None:
    """Insert new instances of one model, without returning their ids.

    A foreign key set to an instance saved after it was assigned (a person created
    earlier in the same batch) is read from that instance, as bulk_create does.
    """
    if not objects:
        return
    fields, rows = _rows_of(objects)
    insert_rows(type(objects[0]), [f.name for f in fields], rows)


def insert_values(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new rows given as {attname: value} (a foreign key by its id), every field not
    given at its default, without building model instances.

    For leaf rows written by the thousand (a spreadsheet's identifiers, events, imported
    rows): building an instance each costs more than the database's own work. All rows give
    the same fields.
    """
    if not rows:
        return
    fields, _relations, readers = _plan(model, connection.vendor)
    given = rows[0].keys()
    unknown = set(given) - {f.attname for f in fields}
    if unknown:
        raise TypeError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [
        (attname, convert, None if attname in given else field.get_default)
        for field, (attname, convert) in zip(fields, readers, strict=True)
    ]
    values = [
        tuple(
            _db_value(row[attname] if default is None else default(), convert, now)
            for attname, convert, default in columns
        )
        for row in rows
    ]
    insert_rows(model, [f.name for f in fields], values)


def update_instances(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of saved instances of one model, as bulk_update does (the instances'
    values as they are: auto_now is not applied), one UPDATE per row sent as one batch.

    bulk_update builds a CASE over every row for every field, which at intake's volumes
    (a few hundred cases triaged per batch) costs more in Python than the database's work.
    """
    if not objects:
        return
    model, ops = type(objects[0]), connection.ops
    targets = [cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in fields]
    # An auto_now field is written as the instance holds it, as bulk_update does.
    readers = []
    for field in targets:
        convert = _converter(field)
        readers.append(
            (field.attname, ops.adapt_datetimefield_value if convert is _NOW else convert)
        )
    rows = [(*(_db_value(getattr(obj, a), c, None) for a, c in readers), obj.pk) for obj in objects]
    quote = ops.quote_name
    assignments = ", ".join(f"{quote(str(f.column))} = %s" for f in targets)
    pk = quote(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s",  # noqa: S608
            rows,
        )


def _table_and_columns(model: type[models.Model], fields: Sequence[models.Field[Any, Any]]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    return f"{quote(model._meta.db_table)} ({columns})"
