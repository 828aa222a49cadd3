"""Every intake column that can hold personal data or free text, encrypted at rest (issue 11
item 13): a request's help text (an e-mail's whole body) and location, the requester's name
and contact, an e-mail's envelope and attachment names, a dry run's findings, a rejected
row's cells and message, an import's error. Existing rows are encrypted (and decrypted back
when migrating backwards), see haven/common/encrypt_migrations.py.

Import row fingerprints become keyed hashes of the plain digest they were (a plain SHA-256
of a row confirms a guessed row); backwards, the plain digest is worked out again from the
request's raw row.
"""

import importlib
import json
from typing import Any

from django.db import migrations, models

import haven.common.fields
from haven.common import crypto
from haven.common.encrypt_migrations import BATCH, encrypt_columns


def _raw_input_trigger_reinstated(apps: Any, schema_editor: Any) -> None:
    """SQLite rebuilds intake_request to alter its columns, dropping its triggers: create
    the raw input's trigger again, as 0009 made it (write-once, erasure allowed).
    PostgreSQL alters the table in place and keeps its triggers."""
    if schema_editor.connection.vendor == "postgresql":
        return
    erasure = importlib.import_module(
        "haven.intake.migrations.0009_request_erased_at_and_erasure_lifts_write_once"
    )
    erasure.erasure_allowed(apps, schema_editor)


def _text() -> haven.common.fields.EncryptedTextField:
    return haven.common.fields.EncryptedTextField(blank=True)


def fingerprints_keyed(apps: Any, schema_editor: Any) -> None:
    ImportedRow = apps.get_model("intake", "ImportedRow")
    last = 0
    while batch := list(
        ImportedRow.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", "fingerprint")[:BATCH]
    ):
        ImportedRow.objects.bulk_update(
            [
                ImportedRow(pk=pk, fingerprint=crypto.keyed_hash("import-row", fp))
                for pk, fp in batch
            ],
            ["fingerprint"],
        )
        last = batch[-1][0]


def fingerprints_plain(apps: Any, schema_editor: Any) -> None:
    from haven.intake.importing.fields import normalize_header
    from haven.intake.importing.rows import row_digest

    ImportedRow = apps.get_model("intake", "ImportedRow")
    last = 0
    while batch := list(
        ImportedRow.objects.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", "request__raw_input")[:BATCH]
    ):
        rows = []
        for pk, raw in batch:
            row = json.loads(raw)  # the historical field decrypts it
            keys = [normalize_header(h) for h in row["headers"]]
            rows.append(ImportedRow(pk=pk, fingerprint=row_digest(keys, row["cells"])))
        ImportedRow.objects.bulk_update(rows, ["fingerprint"])
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("intake", "0009_request_erased_at_and_erasure_lifts_write_once")]

    operations = [
        # Migrating back, the table is rebuilt once more after this point: trigger again.
        migrations.RunPython(
            migrations.RunPython.noop, _raw_input_trigger_reinstated, elidable=False
        ),
        *encrypt_columns(
            "request",
            {"help_requested": _text(), "current_location": _text()},
            app_label="intake",
        ),
        *encrypt_columns("requester", {"name": _text(), "contact": _text()}, app_label="intake"),
        *encrypt_columns(
            "mailmessage",
            {"message_id": _text(), "sender": _text(), "subject": _text()},
            app_label="intake",
        ),
        *encrypt_columns("mailattachment", {"filename": _text()}, app_label="intake"),
        *encrypt_columns(
            "importbatch",
            {
                "error": _text(),
                "preview": haven.common.fields.EncryptedJSONField(blank=True, default=dict),
            },
            app_label="intake",
        ),
        *encrypt_columns(
            "rejectedrow",
            {
                "message": haven.common.fields.EncryptedTextField(),
                "cells": haven.common.fields.EncryptedJSONField(blank=True, default=list),
            },
            plain={"message": models.TextField()},
            app_label="intake",
        ),
        migrations.RunPython(fingerprints_keyed, fingerprints_plain, elidable=False),
        # SQLite rebuilt intake_request to alter its columns, dropping its trigger.
        migrations.RunPython(
            _raw_input_trigger_reinstated, migrations.RunPython.noop, elidable=False
        ),
    ]
