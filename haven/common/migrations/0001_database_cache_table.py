"""The table Django's database cache keeps rate-limit counters in (settings.CACHES), made by
`migrate` so that neither `make demo`, the tests nor a deployment needs a separate
`createcachetable`. Made whether or not Redis is configured now: switching back to the
default must find it there."""

from typing import Any

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "haven_cache"


def create(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    if TABLE not in schema_editor.connection.introspection.table_names():
        command = CreateCacheTable()
        command.verbosity = 0
        command.create_table(alias, TABLE, dry_run=False)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []
    operations = [migrations.RunPython(create, drop, elidable=False)]
