"""Free text and contact details encrypted at rest (issue 11 item 13): the fields, and the
migrations that encrypt rows stored before them (and decrypt them when migrating back)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from haven.accounts.models import Organization, User
from haven.cases.models import Note
from haven.common import crypto
from haven.intake.importing.fields import normalize_header
from haven.intake.importing.rows import fingerprint, row_digest
from haven.intake.models import ImportBatch, ImportedRow, RejectedRow, Request, Requester
from haven.resolution.models import ReviewDecision

PASSPORT = "XQ5519027"
SENTENCE = "The family hides behind the old mill"


def column(table: str, name: str, pk: int) -> str:
    """A column as a database dump shows it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(name)} FROM {quote(table)} WHERE id = %s", [pk])
        (value,) = cursor.fetchone()
    return str(value)


@pytest.mark.django_db
def test_json_columns_hold_a_token_and_read_back_as_structures():
    organization = Organization.objects.create(name="IOM", kind=Organization.Kind.PARTNER)
    batch = ImportBatch.objects.create(
        organization=organization, file_name="x.csv", preview={"problem_rows": [PASSPORT]}
    )
    rejected = RejectedRow.objects.create(
        batch=batch, row_number=2, reason="store_failed", message=SENTENCE, cells=[PASSPORT, ""]
    )
    assert PASSPORT not in column("intake_importbatch", "preview", batch.pk)
    assert PASSPORT not in column("intake_rejectedrow", "cells", rejected.pk)
    assert SENTENCE not in column("intake_rejectedrow", "message", rejected.pk)
    assert ImportBatch.objects.get(pk=batch.pk).preview == {"problem_rows": [PASSPORT]}
    assert RejectedRow.objects.get(pk=rejected.pk).cells == [PASSPORT, ""]
    # An empty value stays empty (nothing to hide), and the database cannot filter on tokens.
    requester = Requester.objects.create(kind="sponsor", name="", contact="+93 70 551 9027")
    assert column("intake_requester", "name", requester.pk) == ""
    assert Requester.objects.get(pk=requester.pk).name == ""
    with pytest.raises(FieldError, match="encrypted at rest"):
        Requester.objects.filter(**{"contact__contains": "551"})


def test_row_fingerprints_are_keyed(settings):
    keys = [normalize_header(h) for h in ("Name", "Passport")]
    cells = ["Synthetic Person", PASSPORT]
    assert fingerprint(keys, cells) != row_digest(keys, cells)
    before = fingerprint(keys, cells)
    settings.IDENTIFIER_HMAC_KEY = "another key"
    assert fingerprint(keys, cells) != before


BEFORE = [
    ("intake", "0009_request_erased_at_and_erasure_lifts_write_once"),
    ("cases", "0003_case_closure_outcome_and_fact_events"),
    ("resolution", "0002_realtime_review_merge"),
]
AFTER = [
    ("intake", "0010_personal_text_encrypted_and_keyed_row_fingerprints"),
    ("cases", "0004_notes_history_and_reasons_encrypted"),
    ("resolution", "0003_review_and_merge_reasons_encrypted"),
]


def _old_rows(apps) -> dict[str, Any]:
    """Rows as the old schema stored them: plaintext."""
    now = timezone.now()
    organization = apps.get_model("accounts", "Organization").objects.create(
        name="IOM", kind="partner"
    )
    # accounts is not migrated back: its current model matches its table.
    user = User.objects.create(username="migrator")
    requester = apps.get_model("intake", "Requester").objects.create(
        kind="sponsor", name="Sponsor Synthetic", contact="+93 70 551 9027"
    )
    headers, cells = ["Name", "Passport"], ["Synthetic Person", PASSPORT]
    request = apps.get_model("intake", "Request").objects.create(
        receipt_number="MIG-8",
        channel="spreadsheet",
        received_at=now,
        raw_input=json.dumps({"headers": headers, "cells": cells}),
        requester=requester,
        help_requested=f"{SENTENCE}; passport {PASSPORT}",
        current_location="Hayatabad",
    )
    batch = apps.get_model("intake", "ImportBatch").objects.create(
        organization=organization, file_name="x.csv", preview={"labels": [PASSPORT]}
    )
    digest = row_digest([normalize_header(h) for h in headers], cells)
    imported = apps.get_model("intake", "ImportedRow").objects.create(
        organization=organization, fingerprint=digest, batch=batch, row_number=2, request=request
    )
    rejected = apps.get_model("intake", "RejectedRow").objects.create(
        batch=batch, row_number=3, reason="store_failed", message=SENTENCE, cells=[PASSPORT]
    )
    mail = apps.get_model("intake", "MailMessage").objects.create(
        message_key="k", request=request, sender="x <canary@example.org>", subject=PASSPORT
    )
    case = apps.get_model("cases", "Case").objects.create(display_name="Synthetic Person")
    note = apps.get_model("cases", "Note").objects.create(
        case=case, author_id=user.pk, body=SENTENCE
    )
    record = apps.get_model("intake", "PersonRecord")
    a = record.objects.create(request=request, position=0)
    b = record.objects.create(request=request, position=1)
    decision = apps.get_model("resolution", "ReviewDecision").objects.create(
        record_a=a, record_b=b, decision="same", note=SENTENCE
    )
    return {
        "request": request.pk,
        "requester": requester.pk,
        "batch": batch.pk,
        "imported": imported.pk,
        "rejected": rejected.pk,
        "mail": mail.pk,
        "note": note.pk,
        "decision": decision.pk,
        "digest": digest,
    }


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_decrypt_them_back():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        ids = _old_rows(executor.loader.project_state(BEFORE).apps)
        assert SENTENCE in column("intake_request", "help_requested", ids["request"])

        executor.loader.build_graph()
        executor.migrate(AFTER)

        dumped = [
            column("intake_request", "help_requested", ids["request"]),
            column("intake_request", "current_location", ids["request"]),
            column("intake_requester", "contact", ids["requester"]),
            column("intake_importbatch", "preview", ids["batch"]),
            column("intake_rejectedrow", "cells", ids["rejected"]),
            column("intake_rejectedrow", "message", ids["rejected"]),
            column("intake_mailmessage", "sender", ids["mail"]),
            column("intake_mailmessage", "subject", ids["mail"]),
            column("cases_note", "body", ids["note"]),
            column("resolution_reviewdecision", "note", ids["decision"]),
        ]
        for value in dumped:
            # Ciphertext is base64: any three digits turn up in it by chance, so look for the
            # whole number (spaced or not), never a fragment.
            assert PASSPORT not in value and SENTENCE not in value
            assert "551 9027" not in value and "5519027" not in value
            assert crypto.decrypt(value) != crypto.UNREADABLE
        # Columns added after these migrations are not there yet: read only what they knew.
        request = Request.objects.only("help_requested", "requester").get(pk=ids["request"])
        assert request.help_requested == f"{SENTENCE}; passport {PASSPORT}"
        requester = Requester.objects.only("contact").get(pk=ids["requester"])
        assert request.requester_id == requester.pk and requester.contact == "+93 70 551 9027"
        assert ImportBatch.objects.only("preview").get(pk=ids["batch"]).preview == {
            "labels": [PASSPORT]
        }
        assert RejectedRow.objects.only("cells").get(pk=ids["rejected"]).cells == [PASSPORT]
        assert Note.objects.only("body").get(pk=ids["note"]).body == SENTENCE
        assert ReviewDecision.objects.only("note").get(pk=ids["decision"]).note == SENTENCE
        # The fingerprint is now the keyed one, so a re-import of the row still finds it.
        keys = [normalize_header(h) for h in ("Name", "Passport")]
        imported = ImportedRow.objects.only("fingerprint").get(pk=ids["imported"])
        assert imported.fingerprint == fingerprint(keys, ["Synthetic Person", PASSPORT])

        executor.loader.build_graph()
        executor.migrate(BEFORE)
        assert column("intake_request", "help_requested", ids["request"]).startswith(SENTENCE)
        assert column("cases_note", "body", ids["note"]) == SENTENCE
        assert column("intake_importedrow", "fingerprint", ids["imported"]) == ids["digest"]
        assert PASSPORT in column("intake_rejectedrow", "cells", ids["rejected"])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
