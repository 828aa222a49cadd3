"""Request.erased_at, and the raw input's write-once trigger allows one change: erasure.

Retention (haven/retention) erases a closed case's personal data. The raw input is kept
verbatim and its trigger refuses any change; from here it refuses any change but one: from a
request not yet erased to the empty string, with erased_at set in the same statement. Nothing
can be written into the column, from the application or a database shell; it can only be
emptied, once, and the application audits that it did.
"""

from typing import Any

import django.db.models
from django.db import migrations

from haven.common.triggers import write_once

NAME = "intake_request_raw_input_write_once"
MESSAGE = "raw input is kept verbatim and cannot be changed"
STRICT = write_once(table="intake_request", column="raw_input", name=NAME, message=MESSAGE)
ERASURE = "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.raw_input = ''"


def _drop(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME} ON intake_request")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {NAME}()")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}")


def erasure_allowed(apps: Any, schema_editor: Any) -> None:
    _drop(schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE FUNCTION {NAME}() RETURNS trigger AS $$ BEGIN "
            f"IF NEW.raw_input IS DISTINCT FROM OLD.raw_input AND NOT ({ERASURE}) THEN "
            f"RAISE EXCEPTION '{MESSAGE}'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {NAME} BEFORE UPDATE OF raw_input ON intake_request "
            f"FOR EACH ROW EXECUTE FUNCTION {NAME}()"
        )
    else:
        schema_editor.execute(
            f"CREATE TRIGGER {NAME} BEFORE UPDATE OF raw_input ON intake_request "
            f"WHEN NEW.raw_input IS NOT OLD.raw_input AND NOT ({ERASURE}) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def strict_again(apps: Any, schema_editor: Any) -> None:
    _drop(schema_editor)
    STRICT.code(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("intake", "0008_request_public_outcome")]

    operations = [
        migrations.AddField(
            model_name="request",
            name="erased_at",
            field=django.db.models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(erasure_allowed, strict_again, elidable=False),
    ]
