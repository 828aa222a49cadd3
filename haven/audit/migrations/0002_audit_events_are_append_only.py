from django.db import migrations

from haven.common.triggers import write_once


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_append_only_audit_events")]

    operations = [
        write_once(
            table="audit_auditevent",
            name="audit_event_append_only",
            message="audit events are append-only",
        )
    ]
