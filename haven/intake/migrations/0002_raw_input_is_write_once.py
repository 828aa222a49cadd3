from django.db import migrations

from haven.common.triggers import write_once


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_requests_people_identifiers")]

    operations = [
        write_once(
            table="intake_request",
            column="raw_input",
            name="intake_request_raw_input_write_once",
            message="raw input is kept verbatim and cannot be changed",
        )
    ]
