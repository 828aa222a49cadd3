"""Request.raw_input is encrypted at rest: every channel stores only a token, while code,
the background worker and staff still read the input exactly as it came."""

from __future__ import annotations

import io
import json
import logging
from email.message import EmailMessage
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Organization
from haven.common import crypto
from haven.intake.importing.mail import raw_bytes
from haven.intake.models import Identifier, Request
from haven.intake.services import requests_pending_drain

from .api_helpers import example_body, get, issue_token, post
from .import_helpers import HEADER, csv_bytes
from .test_walk_in import URL as WALK_IN_URL
from .test_walk_in import walk_in_post

pytestmark = pytest.mark.django_db

# Synthetic, and shaped so that no Fernet token (URL-safe base64) could contain it by chance.
PASSPORT = "XQ7731904"


def stored_column(request: Request) -> str:
    """raw_input as a database dump would show it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT raw_input FROM intake_request WHERE id = %s", [request.pk])
        (value,) = cursor.fetchone()
    return str(value)


def original_page(client, request: Request) -> str:
    response = client.get(reverse("importing:original", args=[request.receipt_number]))
    assert response.status_code == 200
    return response.content.decode()


def walk_in(client_for, intake_officer) -> Request:
    response = client_for(intake_officer).post(
        WALK_IN_URL, walk_in_post(**{"principal-passport": PASSPORT})
    )
    assert response.status_code == 302
    return Request.objects.get()


def test_it_stores_an_api_request_encrypted_and_the_worker_reads_its_people_from_it(
    partner_org_a,
):
    token = issue_token(partner_org_a)
    body = example_body()
    body["people"][0]["identifiers"][0]["value"] = PASSPORT
    raw = json.dumps(body, ensure_ascii=False, indent=1)

    assert post(token, raw).status_code == 201

    request = Request.objects.get()
    column = stored_column(request)
    assert PASSPORT not in column and "Ahmadzai" not in column
    assert crypto.decrypt(column) == raw
    assert request.raw_input == raw
    # The list reads it through .values() while the people wait: counted from the plaintext.
    assert get(token).json()["results"][0]["people_count"] == 3

    assert requests_pending_drain() == 1

    passports = Identifier.objects.filter(kind="passport", person_record__request=request)
    assert [i.value_as_written for i in passports] == [PASSPORT]


def test_it_stores_a_walk_in_encrypted_and_staff_read_the_original_verbatim(
    client_for, intake_officer
):
    request = walk_in(client_for, intake_officer)

    assert PASSPORT not in stored_column(request)
    assert json.loads(request.raw_input)["principal-passport"] == [PASSPORT]
    assert PASSPORT in original_page(client_for(intake_officer), request)


def test_it_encrypts_every_row_of_a_spreadsheet_import(tmp_path: Path, client_for, intake_officer):
    Organization.objects.create(name="UNHCR Peshawar", kind=Organization.Kind.PARTNER)
    # More rows than bulk writes with plain INSERTs: PostgreSQL takes the COPY path.
    passports = [f"XQ{7731910 + i}" for i in range(12)]
    rows = [
        [f"Synthetic Person {i}", "Gul Ahmad", "1988", "", p, ""] for i, p in enumerate(passports)
    ]
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(rows))

    call_command(
        "import", str(path), "--source", "unhcr peshawar", "--yes", "--json", stdout=io.StringIO()
    )

    requests = list(Request.objects.filter(channel="spreadsheet").order_by("pk"))
    assert len(requests) == len(passports)
    for request, passport in zip(requests, passports, strict=True):
        assert passport not in stored_column(request)
        assert json.loads(request.raw_input)["cells"][HEADER.index("Passport")] == passport
    assert passports[0] in original_page(client_for(intake_officer), requests[0])


def test_it_encrypts_an_imported_mail_and_staff_read_it_verbatim(
    tmp_path: Path, client_for, intake_officer
):
    msg = EmailMessage()
    msg["From"] = "Sponsor Name <sponsor@example.org>"
    msg["Subject"] = "Mohammad Zaman Ahmadzai 12/04/1988"
    msg["Message-ID"] = "<encrypted@example.org>"
    msg.set_content(f"Please help my brother.\nPassport: {PASSPORT}\n")
    path = tmp_path / "one.eml"
    path.write_bytes(msg.as_bytes())

    call_command("import_mail", str(path), "--json", stdout=io.StringIO(), stderr=io.StringIO())

    request = Request.objects.get()
    assert PASSPORT not in stored_column(request)
    assert raw_bytes(request.raw_input, request.raw_content_type) == msg.as_bytes()
    assert PASSPORT in original_page(client_for(intake_officer), request)


def test_it_keeps_the_column_write_once_after_the_migrations(client_for, intake_officer):
    request = walk_in(client_for, intake_officer)
    before = stored_column(request)

    # A valid token of other text is refused as plaintext was: the trigger survived 0007.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_request SET raw_input = %s WHERE id = %s",
            [crypto.encrypt("tampered"), request.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        Request.objects.filter(pk=request.pk).update(raw_input="tampered")

    # Saving a loaded request whole writes back the token it was read from, not a new one.
    loaded = Request.objects.get(pk=request.pk)
    loaded.save()
    assert stored_column(request) == before


def test_it_shows_an_undecryptable_raw_input_as_unreadable_without_an_error(
    client_for, intake_officer, settings, caplog
):
    request = walk_in(client_for, intake_officer)
    settings.IDENTIFIER_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key is lost

    with caplog.at_level(logging.WARNING, logger="haven.common.fields"):
        page = original_page(client_for(intake_officer), request)

    assert crypto.UNREADABLE in page
    assert "could not be decrypted" in caplog.text
    assert Request.objects.get(pk=request.pk).raw_input == crypto.UNREADABLE


def test_it_shows_an_undecryptable_binary_mail_as_unreadable_without_an_error(
    tmp_path: Path, client_for, intake_officer, settings
):
    # A message that is not UTF-8 text is kept as base64; the marker of a lost key is not.
    path = tmp_path / "binary.eml"
    path.write_bytes(b"From: a@example.org\r\nSubject: x\r\n\r\n\xff\x00 body\r\n")
    call_command("import_mail", str(path), "--json", stdout=io.StringIO(), stderr=io.StringIO())
    request = Request.objects.get()
    assert "encoding=base64" in request.raw_content_type
    settings.IDENTIFIER_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    assert crypto.UNREADABLE in original_page(client_for(intake_officer), request)


def test_it_refuses_lookups_the_database_cannot_do_on_ciphertext():
    for lookup in ("raw_input__contains", "raw_input__icontains", "raw_input", "raw_input__in"):
        with pytest.raises(FieldError, match="encrypted at rest"):
            Request.objects.filter(**{lookup: [PASSPORT] if lookup.endswith("in") else PASSPORT})
    assert not Request.objects.filter(raw_input__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_it_encrypts_existing_rows_when_migrating_and_decrypts_them_back():
    before = [("intake", "0006_request_indexes_only_where_queried")]
    after = [("intake", "0007_request_raw_input_encrypted")]
    plaintext = json.dumps({"passport": PASSPORT, "name": "ذبیح‌الله"}, ensure_ascii=False)
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        Historical = executor.loader.project_state(before).apps.get_model("intake", "Request")
        old = Historical.objects.create(
            receipt_number="MIG-1", channel="api", received_at=timezone.now(), raw_input=plaintext
        )

        executor.loader.build_graph()
        executor.migrate(after)
        # Only the columns 0007 knows: later migrations add others.
        request = Request.objects.only("id", "raw_input").get(pk=old.pk)
        assert PASSPORT not in stored_column(request)
        assert request.raw_input == plaintext

        executor.loader.build_graph()
        executor.migrate(before)
        assert stored_column(request) == plaintext
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("intake"))
