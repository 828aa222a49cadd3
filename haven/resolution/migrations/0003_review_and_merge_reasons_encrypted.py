"""Reviewers' free text encrypted at rest (issue 11 item 13): why people were merged or a
merge undone, and the note on a review decision. Existing rows are encrypted (and decrypted
back when migrating backwards), see haven/common/encrypt_migrations.py."""

from django.db import migrations

import haven.common.fields
from haven.common.encrypt_migrations import encrypt_columns


def _text() -> haven.common.fields.EncryptedTextField:
    return haven.common.fields.EncryptedTextField(blank=True)


class Migration(migrations.Migration):
    dependencies = [("resolution", "0002_realtime_review_merge")]

    operations = [
        *encrypt_columns(
            "personmerge", {"reason": _text(), "undo_reason": _text()}, app_label="resolution"
        ),
        *encrypt_columns("reviewdecision", {"note": _text()}, app_label="resolution"),
    ]
