"""IdempotencyRecord moves to intake, which owns the API (issue 12): the table and its rows
stay, renamed to intake's name; accounts only forgets the model. The other half is
intake 0015_idempotency_records_from_accounts."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_unread_alerts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The rows stay where they are; the table takes the name intake's model gives it
            # (reversed: renamed back).
            database_operations=[
                migrations.AlterModelTable(
                    name="idempotencyrecord", table="intake_idempotencyrecord"
                ),
            ],
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
        ),
    ]
