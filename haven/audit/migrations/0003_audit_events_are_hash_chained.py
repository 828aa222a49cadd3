"""Audit events carry a hash chained to the previous one; the table refuses TRUNCATE on
PostgreSQL and INSERT OR REPLACE on SQLite (issue 11, item 15)."""

from typing import Any

import django.utils.timezone
from django.db import migrations, models

from haven.audit import chain
from haven.common.triggers import (
    replace_refused,
    truncate_refused,
    write_once,
    write_once_lifted,
    write_once_reinstated,
)

APPEND_ONLY = {
    "table": "audit_auditevent",
    "name": "audit_event_append_only",
    "message": "audit events are append-only",
}


def chain_existing_events(apps: Any, schema_editor: Any) -> None:
    """Link every event already written, oldest first, as audit_record now does."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    previous, changed = chain.GENESIS, []
    for event in AuditEvent.objects.order_by("id").values(*chain.FIELDS).iterator(2000):
        previous = chain.link(previous, event)
        changed.append(AuditEvent(id=event["id"], chain_hash=previous))
        if len(changed) == 2000:
            AuditEvent.objects.bulk_update(changed, ["chain_hash"])
            changed = []
    AuditEvent.objects.bulk_update(changed, ["chain_hash"])


def unchain_events(apps: Any, schema_editor: Any) -> None:
    apps.get_model("audit", "AuditEvent").objects.update(chain_hash="")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_events_are_append_only")]

    operations = [
        # Migrating back, SQLite rebuilds the table when it drops the column: this (run last
        # then) creates the append-only triggers again.
        migrations.RunPython(migrations.RunPython.noop, write_once_reinstated(**APPEND_ONLY).code),
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        # SQLite rebuilt the table above (its triggers are gone); PostgreSQL kept them: lift
        # them on both to write the hashes, then create them again.
        write_once_lifted(**APPEND_ONLY),
        migrations.RunPython(chain_existing_events, unchain_events, elidable=False),
        write_once(**APPEND_ONLY),
        truncate_refused(
            table="audit_auditevent",
            name="audit_event_no_truncate",
            message="audit events cannot be truncated",
        ),
        replace_refused(
            table="audit_auditevent",
            name="audit_event_no_replace",
            message="audit events are append-only",
        ),
    ]
