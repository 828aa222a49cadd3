"""Database triggers that make rows or columns write-once, on SQLite and PostgreSQL.

Used by migrations: the application already refuses these writes, and the
triggers make the refusal hold for anyone with a database shell too.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

Statements = tuple[list[str], list[str]]  # (forward, backward)


def _sqlite(table: str, column: str | None, name: str, message: str) -> Statements:
    abort = f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    if column:
        return (
            [
                f"CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} "
                f"WHEN NEW.{column} IS NOT OLD.{column} {abort}"
            ],
            [f"DROP TRIGGER IF EXISTS {name}"],
        )
    return (
        [
            f"CREATE TRIGGER {name}_u BEFORE UPDATE ON {table} {abort}",
            f"CREATE TRIGGER {name}_d BEFORE DELETE ON {table} {abort}",
        ],
        [f"DROP TRIGGER IF EXISTS {name}_u", f"DROP TRIGGER IF EXISTS {name}_d"],
    )


def _postgresql(table: str, column: str | None, name: str, message: str) -> Statements:
    if column:
        body = f"IF NEW.{column} IS DISTINCT FROM OLD.{column} THEN RAISE EXCEPTION '{message}'; END IF; RETURN NEW;"
        events = f"UPDATE OF {column}"
    else:
        body = f"RAISE EXCEPTION '{message}';"
        events = "UPDATE OR DELETE"
    return (
        [
            f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body} END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {name} BEFORE {events} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ],
        [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"],
    )


def write_once(*, table: str, name: str, message: str, column: str | None = None) -> Any:
    """A migration operation: forbid UPDATE/DELETE of the table, or UPDATE of one column."""

    def statements(schema_editor: Any) -> Statements:
        build = _postgresql if schema_editor.connection.vendor == "postgresql" else _sqlite
        return build(table, column, name, message)

    def forward(apps: Any, schema_editor: Any) -> None:
        for sql in statements(schema_editor)[0]:
            schema_editor.execute(sql)

    def backward(apps: Any, schema_editor: Any) -> None:
        for sql in statements(schema_editor)[1]:
            schema_editor.execute(sql)

    return migrations.RunPython(forward, backward, elidable=False)


def write_once_reinstated(*, table: str, name: str, message: str, column: str | None = None) -> Any:
    """After a migration that rebuilds `table` on SQLite (adding a column with a default does:
    the table is copied and its triggers are lost), create write_once's trigger again.
    PostgreSQL alters the table in place and keeps its triggers: nothing to do there."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            return
        create, drop = _sqlite(table, column, name, message)
        for sql in [*drop, *create]:
            schema_editor.execute(sql)

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)


def write_once_lifted(*, table: str, name: str, message: str, column: str | None = None) -> Any:
    """Drop write_once's trigger for a migration that must rewrite the column itself (to
    encrypt it, say); migrating back creates it again. Follow the rewrite with write_once."""
    trigger = write_once(table=table, name=name, message=message, column=column)
    return migrations.RunPython(trigger.reverse_code, trigger.code, elidable=False)


# A PostgreSQL setting (custom, per session) that lets the table's owner TRUNCATE a table that
# refuses it. It adds no power: an owner can drop the trigger anyway, and a role that does not
# own the table (how the application runs, docs/deployment.md) has no TRUNCATE privilege at
# all. Only the test settings set it, so that Django can empty tables between tests.
TRUNCATE_ALLOWED_SETTING = "haven.truncate_allowed"


def truncate_refused(*, table: str, name: str, message: str) -> Any:
    """A migration operation: on PostgreSQL, a statement-level trigger that refuses TRUNCATE
    (row triggers do not fire on TRUNCATE, so write_once alone lets it empty the table).
    SQLite has no TRUNCATE: its DELETE without WHERE fires write_once's row trigger."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"IF coalesce(current_setting('{TRUNCATE_ALLOWED_SETTING}', true), '') <> 'on' THEN "
            f"RAISE EXCEPTION '{message}'; END IF; RETURN NULL; END; $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
        )

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")

    return migrations.RunPython(forward, backward, elidable=False)


def replace_refused(*, table: str, name: str, message: str, key: str = "id") -> Any:
    """A migration operation: on SQLite, refuse an INSERT whose key is taken before it can
    replace the row (INSERT OR REPLACE deletes the old row without firing DELETE triggers).
    PostgreSQL has no REPLACE; its upsert (ON CONFLICT DO UPDATE) fires the UPDATE trigger."""
    create = (  # names from the migration, never from input
        f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "  # noqa: S608
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {key} = NEW.{key}) "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
            schema_editor.execute(create)

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")

    return migrations.RunPython(forward, backward, elidable=False)
