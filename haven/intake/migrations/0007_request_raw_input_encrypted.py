"""Request.raw_input encrypted at rest (Fernet, the identifier keys).

The column's write-once trigger refuses the rewrite, so it is dropped first and created
again at the end, on both databases. The rows are rewritten while the historical field is
still a plain TextField: it reads and writes the column as it is, so the forward step
encrypts the plaintext and the backward step decrypts the tokens.
"""

from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from django.db import migrations

import haven.common.fields
from haven.common import crypto
from haven.common.triggers import write_once, write_once_lifted

BATCH = 500

TRIGGER = {
    "table": "intake_request",
    "column": "raw_input",
    "name": "intake_request_raw_input_write_once",
    "message": "raw input is kept verbatim and cannot be changed",
}


def _rewrite(apps: Any, transform: Callable[[str], str]) -> None:
    Request = apps.get_model("intake", "Request")
    # Batch by batch after the last id seen, rather than one cursor left open: memory stays
    # bounded, and SQLite is never written to while reading the same table in one cursor.
    last = 0
    while True:
        batch = list(
            Request.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "raw_input")[:BATCH]
        )
        if not batch:
            return
        Request.objects.bulk_update(
            [Request(pk=pk, raw_input=transform(raw)) for pk, raw in batch], ["raw_input"]
        )
        last = batch[-1][0]


def _decrypted(token: str) -> str:
    try:
        return crypto.decrypt_strict(token)
    except InvalidToken:
        # Writing the "[unreadable]" marker over it would lose the input for good.
        raise RuntimeError(
            "a raw input cannot be decrypted with IDENTIFIER_ENCRYPTION_KEYS: "
            "restore its key before migrating back"
        ) from None


def encrypt_rows(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, crypto.encrypt)


def decrypt_rows(apps: Any, schema_editor: Any) -> None:
    _rewrite(apps, _decrypted)


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_request_indexes_only_where_queried")]

    operations = [
        write_once_lifted(**TRIGGER),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="request",
            name="raw_input",
            field=haven.common.fields.EncryptedTextField(),
        ),
        # Created again on both databases (SQLite also rebuilt the table for AlterField).
        write_once(**TRIGGER),
    ]
