"""A legal hold's reason is free text that can name people or proceedings: encrypted at rest.
Existing reasons are encrypted in place (and decrypted again on the way back)."""

from django.db import migrations

import haven.common.fields


def _rewrite(apps, schema_editor, change):
    table = apps.get_model("retention", "LegalHold")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, reason FROM {table}")  # noqa: S608 (our own table name)
        for pk, reason in cursor.fetchall():
            if reason:
                update = f"UPDATE {table} SET reason = %s WHERE id = %s"  # noqa: S608
                cursor.execute(update, [change(reason), pk])


def encrypt(apps, schema_editor):
    from haven.common import crypto

    _rewrite(apps, schema_editor, crypto.encrypt)


def decrypt(apps, schema_editor):
    from haven.common import crypto

    _rewrite(apps, schema_editor, crypto.decrypt_strict)


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_legal_holds_and_erased_case_tombstones")]

    operations = [
        migrations.AlterField(
            model_name="legalhold",
            name="reason",
            field=haven.common.fields.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
