from django.db import migrations, models

from haven.common.triggers import write_once_reinstated


class Migration(migrations.Migration):
    dependencies = [("intake", "0003_spreadsheet_and_mail_imports")]

    operations = [
        migrations.AddField(
            model_name="request",
            name="pipeline_pending",
            field=models.BooleanField(default=False),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("pipeline_pending", True)),
                fields=["id"],
                name="intake_request_pending",
            ),
        ),
        # SQLite rebuilt the table for the new column, dropping its trigger.
        write_once_reinstated(
            table="intake_request",
            column="raw_input",
            name="intake_request_raw_input_write_once",
            message="raw input is kept verbatim and cannot be changed",
        ),
    ]
