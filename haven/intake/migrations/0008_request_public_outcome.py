"""Request.outcome: why a closed request was closed, in neutral words (cases.public_status)."""

from django.db import migrations, models

from haven.common.triggers import write_once_reinstated


class Migration(migrations.Migration):
    dependencies = [("intake", "0007_request_raw_input_encrypted")]

    operations = [
        migrations.AddField(
            model_name="request",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("assisted", "Assisted"),
                    ("referred_elsewhere", "Referred to another organisation"),
                    ("not_eligible", "Not eligible under current guidance"),
                    ("duplicate", "Duplicate: merged with another request"),
                    ("withdrawn", "Withdrawn"),
                    ("unreachable", "Could not be reached"),
                ],
                max_length=32,
            ),
        ),
        # SQLite rebuilt intake_request to add the column, dropping its trigger.
        write_once_reinstated(
            table="intake_request",
            column="raw_input",
            name="intake_request_raw_input_write_once",
            message="raw input is kept verbatim and cannot be changed",
        ),
    ]
