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
