"""Migration operations that move existing columns to EncryptedTextField / EncryptedJSONField.

For each model: its columns become plain text first (a varchar would be too short for a
token; jsonb cannot hold one), then the rows are rewritten while the historical fields are
still plain TextFields (they read and write the column as it is: forward encrypts the text,
backward decrypts the tokens), then the fields become the encrypted ones (no change in the
database). Empty values stay empty, as the encrypted fields store them. Rows go in batches
after the last id seen, so memory stays bounded on any table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.fernet import InvalidToken
from django.db import migrations, models

from . import crypto

BATCH = 500


def _decrypted(token: str) -> str:
    try:
        return crypto.decrypt_strict(token)
    except InvalidToken:
        # Writing the "[unreadable]" marker over it would lose the value for good.
        raise RuntimeError(
            "a value cannot be decrypted with IDENTIFIER_ENCRYPTION_KEYS: "
            "restore its key before migrating back"
        ) from None


def _rewrite(
    apps: Any, app_label: str, model_name: str, names: list[str], transform: Callable[[str], str]
) -> None:
    model = apps.get_model(app_label, model_name)
    last = 0
    while True:
        batch = list(
            model.objects.filter(pk__gt=last).order_by("pk").values_list("pk", *names)[:BATCH]
        )
        if not batch:
            return
        rows = []
        for pk, *values in batch:
            changed = {
                name: transform(value) if value else value
                for name, value in zip(names, values, strict=True)
            }
            rows.append(model(pk=pk, **changed))
        model.objects.bulk_update(rows, names)
        last = batch[-1][0]


def encrypt_columns(
    model_name: str,
    fields: dict[str, models.Field[Any, Any]],
    *,
    app_label: str,
    plain: dict[str, models.Field[Any, Any]] | None = None,
) -> list[Any]:
    """The operations encrypting `fields` (name: the final encrypted field) of one model.

    `plain`: the plain text field to pass through, per name, when it must keep options
    (a non-blank field); a blank TextField by default."""
    names = list(fields)
    through = {name: (plain or {}).get(name) or models.TextField(blank=True) for name in names}

    def forward(apps: Any, schema_editor: Any) -> None:
        _rewrite(apps, app_label, model_name, names, crypto.encrypt)

    def backward(apps: Any, schema_editor: Any) -> None:
        _rewrite(apps, app_label, model_name, names, _decrypted)

    return [
        *(
            migrations.AlterField(model_name=model_name, name=name, field=field)
            for name, field in through.items()
        ),
        migrations.RunPython(forward, backward, elidable=False),
        *(
            migrations.AlterField(model_name=model_name, name=name, field=field)
            for name, field in fields.items()
        ),
    ]
