"""Caseworkers' free text encrypted at rest (issue 11 item 13): notes, the history's
descriptions (which quote notes and reasons), documents' names and descriptions, and the
reasons given for merges. Existing rows are encrypted (and decrypted back when migrating
backwards), see haven/common/encrypt_migrations.py."""

from django.db import migrations, models

import haven.common.fields
from haven.common.encrypt_migrations import encrypt_columns


def _text(blank: bool = True) -> haven.common.fields.EncryptedTextField:
    return haven.common.fields.EncryptedTextField(blank=blank)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_closure_outcome_and_fact_events")]

    operations = [
        *encrypt_columns(
            "note",
            {"body": _text(blank=False)},
            plain={"body": models.TextField()},
            app_label="cases",
        ),
        *encrypt_columns("caseevent", {"description": _text()}, app_label="cases"),
        *encrypt_columns(
            "document",
            {"original_name": _text(blank=False), "description": _text()},
            plain={"original_name": models.TextField()},
            app_label="cases",
        ),
        *encrypt_columns("casemerge", {"reason": _text()}, app_label="cases"),
        *encrypt_columns("casememberchange", {"reason": _text()}, app_label="cases"),
    ]
