"""No identifier or free text in clear at rest or in a log (issue 11 item 13).

Canary values (a passport, an e-Tazkira, a phone, an e-mail address, a sentence, a place),
different for each channel, go in through the public form, the walk-in form, the partner
API, a CSV and an XLSX import, and an imported e-mail; the background work runs (people
stored, matched, cases opened, triaged); a caseworker adds a note and searches. Then a
plain dump of the whole database (the SQLite file's bytes, or `pg_dump` on PostgreSQL) and
everything logged (every logger at DEBUG, stdout and stderr) must contain none of them.

Names and dates of birth are not canaries: they stay in clear where search and matching
read them (see docs/architecture.md, "Safety").
"""

from __future__ import annotations

import io
import logging
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from haven.accounts.models import Organization
from haven.cases.models import Case, Note
from haven.intake.models import Identifier, ImportBatch, MailMessage, Request
from haven.intake.services import requests_pending_drain
from haven.intake.tests.api_helpers import example_body, issue_token, post
from haven.intake.tests.import_helpers import csv_bytes, xlsx_bytes
from haven.intake.tests.test_public_form import apply_post
from haven.intake.tests.test_walk_in import walk_in_post

HEADER = ["Name", "Father's name", "DOB", "Phone", "Passport", "e-Tazkira", "E-mail", "Remarks"]


@dataclass(frozen=True)
class Canaries:
    """Synthetic values, shaped so no token (base64) or hash (hex) could contain them."""

    passport: str
    tazkira: str
    phone: str
    email: str
    sentence: str
    place: str

    @classmethod
    def for_channel(cls, n: int, channel: str) -> Canaries:
        return cls(
            passport=f"XQ{n}731904",
            tazkira=f"13990{n}7654321",
            phone=f"+93 70 {n}31 9046",
            email=f"canary.{channel}.zq{n}@example.org",
            sentence=f"The {channel} canary family hides behind the old mill {n}",
            place=f"Canary lane {n}, Hayatabad",
        )

    def values(self) -> dict[str, str]:
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        return {
            "passport": self.passport,
            "tazkira": self.tazkira,
            "phone as written": self.phone,
            "phone digits": digits,
            "phone national": digits[2:],
            "e-mail": self.email,
            "sentence": self.sentence,
            "place": self.place,
        }


CHANNELS = ["public", "walk_in", "api", "csv", "xlsx", "email", "note"]
CANARIES = {name: Canaries.for_channel(i + 1, name) for i, name in enumerate(CHANNELS)}


# pg_dump runs in another process and sees only committed rows, so on PostgreSQL the test
# commits (and the database is emptied after it); on SQLite it stays in the test's
# transaction and the dump is the database's pages as they would be written to its file.
ON_POSTGRESQL = connection.vendor == "postgresql"


def database_dump(tmp_path: Path) -> bytes:
    """Every byte the database holds, as an attacker with a copy would read it."""
    settings_dict = connection.settings_dict
    if ON_POSTGRESQL:
        command = ["pg_dump", "--no-owner", "-h", str(settings_dict.get("HOST") or "127.0.0.1")]
        command += ["-p", str(settings_dict.get("PORT") or 5432)]
        command += ["-U", str(settings_dict.get("USER") or "postgres"), str(settings_dict["NAME"])]
        return subprocess.run(command, check=True, capture_output=True, timeout=120).stdout
    connection.ensure_connection()
    # The database file's bytes: Connection.serialize() is what SQLite would write to disk.
    return bytes(connection.connection.serialize())


def _public(c: Canaries) -> None:
    response = Client().post(
        "/apply/",
        apply_post(
            **{
                "principal-passport": c.passport,
                "principal-e_tazkira": c.tazkira,
                "request-phone": c.phone,
                "request-email": c.email,
                "request-help_requested": c.sentence,
                "request-current_location": c.place,
            }
        ),
    )
    assert response.status_code == 302, response.content[:2000]


def _walk_in(client: Client, c: Canaries) -> None:
    response = client.post(
        reverse("intake:walk_in"),
        walk_in_post(
            **{
                "principal-passport": c.passport,
                "principal-e_tazkira": c.tazkira,
                "request-phone": c.phone,
                "request-email": c.email,
                "request-help_requested": c.sentence,
                "request-current_location": c.place,
                "request-requester_kind": "sponsor",
                "request-requester_name": "Sponsor",
            }
        ),
    )
    assert response.status_code == 302, response.content[:2000]


def _api(organization: Organization, c: Canaries) -> None:
    body = example_body(
        contact={"phone": c.phone, "email": c.email},
        location={"country": "PK", "place": c.place},
        help_requested=c.sentence,
    )
    body["people"][0]["identifiers"] = [
        {"kind": "passport", "value": c.passport},
        {"kind": "e_tazkira", "value": c.tazkira},
    ]
    assert post(issue_token(organization), body).status_code == 201


def _row(c: Canaries, name: str) -> list[str]:
    return [name, "Gul Ahmad", "1988", c.phone, c.passport, c.tazkira, c.email, c.sentence]


def _csv(tmp_path: Path, c: Canaries) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([_row(c, "Synthetic Csv Person")], header=HEADER))
    call_command(
        "import", str(path), "--source", "UNHCR Peshawar", "--yes", "--json",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


def _xlsx(client: Client, source: Organization, c: Canaries, on_commit: Any) -> None:
    data = xlsx_bytes([_row(c, "Synthetic Xlsx Person")], header=HEADER)
    response = client.post(
        reverse("importing:upload"),
        {"file": SimpleUploadedFile("list.xlsx", data), "source": source.pk},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get(file_format="xlsx")
    mapping = {f"column_{i}": field for i, field in enumerate(batch.mapping)}
    with on_commit(execute=True):  # the dry run, in the background job
        client.post(reverse("importing:preview", args=[batch.pk]), mapping)
    with on_commit(execute=True):  # the import, in the background job
        client.post(reverse("importing:start", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", 1)


def _email(tmp_path: Path, c: Canaries) -> None:
    msg = EmailMessage()
    msg["From"] = f"Canary Sender <{c.email}>"
    msg["Subject"] = f"Synthetic Mail Person 12/04/1988 {c.passport}"
    msg["Message-ID"] = "<canary-message@example.org>"
    msg.set_content(
        f"{c.sentence}.\nPassport: {c.passport}\nTazkira: {c.tazkira}\nPhone: {c.phone}\n"
        f"Location: {c.place}\n"
    )
    msg.add_attachment(b"%PDF-1.4 synthetic", maintype="application", subtype="pdf",
                       filename=f"passport_{c.passport}.pdf")  # fmt: skip
    path = tmp_path / "one.eml"
    path.write_bytes(msg.as_bytes())
    call_command("import_mail", str(path), "--json", stdout=io.StringIO(), stderr=io.StringIO())


def _note_and_search(client: Client, c: Canaries) -> None:
    case = Case.objects.order_by("pk").first()
    assert case is not None
    note = f"{c.sentence}; new phone {c.phone}, passport {c.passport}, mail {c.email}"
    response = client.post(reverse("cases:note_add", args=[case.pk]), {"body": note})
    assert response.status_code in {200, 302}
    assert Note.objects.filter(case=case).exists()
    for term in (CANARIES["walk_in"].passport, CANARIES["api"].phone, c.tazkira):
        assert client.post(reverse("cases:list"), {"q": term}, follow=True).status_code == 200


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_no_canary_is_in_a_database_dump_or_a_log(
    tmp_path,
    client_for,
    intake_officer,
    caseworker,
    partner_org_a,
    caplog,
    capsys,
    django_capture_on_commit_callbacks,
):
    cache.clear()
    caplog.set_level(logging.DEBUG)
    source = Organization.objects.create(name="UNHCR Peshawar", kind=Organization.Kind.PARTNER)
    officer = client_for(intake_officer)

    _public(CANARIES["public"])
    _walk_in(officer, CANARIES["walk_in"])
    _api(partner_org_a, CANARIES["api"])
    _csv(tmp_path, CANARIES["csv"])
    _xlsx(officer, source, CANARIES["xlsx"], django_capture_on_commit_callbacks)
    _email(tmp_path, CANARIES["email"])
    requests_pending_drain()
    _note_and_search(client_for(caseworker), CANARIES["note"])

    # Everything went in and was worked on: the test would prove nothing otherwise.
    assert Request.objects.count() == 6
    assert not Request.objects.filter(pipeline_pending=True).exists()
    assert Case.objects.exists()
    passports = {i.value_as_written for i in Identifier.objects.filter(kind="passport")}
    assert {CANARIES[c].passport for c in ("public", "walk_in", "api", "csv", "xlsx")} <= passports
    assert MailMessage.objects.get().sender.endswith(f"<{CANARIES['email'].email}>")
    assert CANARIES["email"].sentence in Request.objects.get(channel="email").help_requested

    dump = database_dump(tmp_path)
    out, err = capsys.readouterr()
    logged = caplog.text + out + err
    assert len(dump) > 10_000
    leaks = [
        (channel, kind, where)
        for channel, canaries in CANARIES.items()
        for kind, value in canaries.values().items()
        for where, text in (("database", dump), ("log", logged.encode()))
        if value.encode() in text or value.lower().encode() in text
    ]
    assert leaks == []
