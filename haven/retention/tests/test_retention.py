"""Retention: a dry run lists what would go; erasure leaves no canary value in any table."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from haven.audit.models import AuditEvent
from haven.cases.models import Case, Document
from haven.cases.services import case_status_change, note_create
from haven.common import crypto, periodic
from haven.common.fields import EncryptedTextField
from haven.intake.models import Identifier, Request
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.retention.models import ErasedCase
from haven.retention.services import legal_hold_set
from haven.triage.models import FactReview

pytestmark = pytest.mark.django_db
CLOSED = dt.datetime(2024, 1, 10, 9, tzinfo=dt.UTC)
LATER = CLOSED + dt.timedelta(days=731)


def _case(caseworker, tag: str) -> tuple[Case, list[str]]:
    """A closed case whose every personal value carries `tag`; returns it and its canaries."""
    canaries = [
        f"Canary{tag}given",
        f"Canary{tag}father",
        f"Canary{tag}spouse",
        f"CN{tag}77123",
        f"Canary{tag}note",
        f"Canary{tag}document",
        f"Canary{tag}place",
        f"Canary{tag}review",
    ]
    principal = PersonInput(
        given_name=canaries[0],
        father_name=canaries[1],
        date_of_birth="1985",
        identifiers=(("passport", canaries[3]),),
    )
    spouse = PersonInput(full_name=canaries[2], relationship="spouse")
    created = request_create(
        data=RequestInput(
            channel="walk_in", people=(principal, spouse), current_location=canaries[6]
        ),
        raw_input=json.dumps({"given_name": canaries[0], "passport": canaries[3]}),
    )
    case = Case.objects.get(case_requests__request=created.request)
    note_create(case=case, author=caseworker, body=f"Spoke with {canaries[4]}")
    Document.objects.create(
        case=case,
        uploaded_by=caseworker,
        file=ContentFile(b"scan", name=f"{canaries[5]}.pdf"),
        original_name=f"{canaries[5]}.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        description=canaries[5],
    )
    FactReview.objects.create(case=case, fact="current_location", new_value=canaries[7])
    case_status_change(case=case, actor=caseworker, status=Case.Status.CLOSED)
    return case, canaries


def _values_everywhere() -> str:
    """Every text value in every table, read with raw SQL, plus every encrypted value
    decrypted: what someone holding the database (and the key) could read."""
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(f'SELECT "{column.name}" FROM "{table}"')
                found.extend(v for (v,) in cursor.fetchall() if isinstance(v, str))
    for model in apps.get_models():
        for field in model._meta.fields:
            encrypted = isinstance(field, EncryptedTextField) or field.name.endswith("_encrypted")
            if encrypted:
                for value in model._default_manager.values_list(field.name, flat=True):
                    token = value.ciphertext if hasattr(value, "ciphertext") else value
                    found.append(crypto.decrypt(token) if token else "")
    return "\n".join(found).lower()


def test_the_dry_run_lists_closed_cases_past_the_policy_and_changes_nothing(caseworker):
    with time_machine.travel(CLOSED, tick=False):
        old, _ = _case(caseworker, "old")
    with time_machine.travel(LATER - dt.timedelta(days=10), tick=False):
        recent, _ = _case(caseworker, "new")
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("retention", "--dry-run", stdout=out, stderr=err)
    assert old.reference in out.getvalue()
    assert recent.reference not in out.getvalue()
    assert "requests=1" in out.getvalue() and "notes=1" in out.getvalue()
    assert "canary" not in out.getvalue().lower()  # references and counts, never names
    assert "1 cases" in err.getvalue()
    assert not ErasedCase.objects.exists()
    assert "canaryoldgiven" in _values_everywhere()


def test_erasure_leaves_no_canary_in_any_table_and_keeps_the_tombstone(
    caseworker, supervisor, django_capture_on_commit_callbacks
):
    with time_machine.travel(CLOSED, tick=False):
        erased, gone = _case(caseworker, "gone")
        held, kept_by_hold = _case(caseworker, "held")
    legal_hold_set(case=held, actor=supervisor, reason="inquiry")
    with time_machine.travel(LATER - dt.timedelta(days=30), tick=False):
        _open, kept_open = _case(caseworker, "open")
    hashes = list(
        Identifier.objects.filter(person_record__request__case_links__case=erased).values_list(
            "value_hash", flat=True
        )
    )
    assert hashes and all(hashes)
    document = Document.objects.get(case=erased)
    storage, name = document.file.storage, document.file.name
    assert storage.exists(name)

    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = periodic.run_all(only={"retention"})
    assert result == {"retention": "erased 1 cases"}

    everything = _values_everywhere()
    for canary in gone:
        assert canary.lower() not in everything, canary
    for canary in kept_by_hold + kept_open:
        assert canary.lower() in everything, canary  # the scan sees what is still there
    assert not storage.exists(name)
    # The keyed hash would still confirm a guess of the passport number: gone too.
    assert not Identifier.objects.filter(value_hash__in=hashes).exists()

    tombstone = ErasedCase.objects.get(case=erased)
    assert tombstone.counts["requests"] == 1
    assert tombstone.counts["person_records"] == 2
    assert tombstone.counts["notes"] == 1
    request = Request.objects.get(case_links__case=erased)
    assert request.erased_at is not None and request.raw_input == ""
    event = AuditEvent.objects.get(details__retention="erased")
    assert event.object_id == str(erased.pk)
    # The case, its rows and its audit trail are still there: counts and references hold.
    assert Case.objects.filter(pk=erased.pk, status="closed").exists()
    assert AuditEvent.objects.filter(object_type="cases.case", object_id=str(erased.pk)).count() > 1


def test_the_raw_input_still_refuses_every_change_but_erasure(caseworker):
    case, _ = _case(caseworker, "raw")
    request = Request.objects.get(case_links__case=case)
    table = Request._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET raw_input = 'forged' WHERE id = %s", [request.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        # Emptying without marking it erased is refused too.
        cursor.execute(f"UPDATE {table} SET raw_input = '' WHERE id = %s", [request.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        # Marked erased but given other content: refused.
        cursor.execute(
            f"UPDATE {table} SET raw_input = 'x', erased_at = %s WHERE id = %s",
            [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), request.pk],
        )
    request.refresh_from_db()
    assert "Canaryrawgiven" in request.raw_input


def test_a_case_that_is_not_closed_long_enough_or_is_reopened_is_not_erased(caseworker):
    with time_machine.travel(CLOSED, tick=False):
        case, _ = _case(caseworker, "reopen")
    case_status_change(case=case, actor=caseworker, status=Case.Status.IN_REVIEW)
    with time_machine.travel(LATER, tick=False):
        periodic.run_all(only={"retention"})
    assert not ErasedCase.objects.exists()
