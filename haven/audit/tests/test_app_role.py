"""The application's PostgreSQL role cannot wipe the audit trail (issue 11, item 15).

These run only when the suite is connected as a role that does not own the tables, as
`.ci/run` does after applying deploy/postgres-app-role.sql (migrations ran as the owner);
connected as the owner they are skipped, and the owner's side is in test_audit_chain.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from haven.audit.models import AuditEvent
from haven.audit.services import audit_record
from haven.intake.models import Request
from haven.intake.services import PersonInput, RequestInput, request_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _as_the_application_role(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL roles")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') OR "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_class WHERE relname = 'audit_auditevent'"
        )
        (owner,) = cursor.fetchone()
    if owner:
        pytest.skip("connected as the tables' owner: .ci/run runs these as the app role")


def _refused(sql: str, params: list[int] | None = None) -> str:
    with (
        pytest.raises(DatabaseError) as failure,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return str(failure.value)


def _request() -> Request:
    data = RequestInput(
        channel="walk_in", people=(PersonInput(given_name="Synthetic", family_name="Person"),)
    )
    return request_create(data=data, raw_input='{"synthetic": true}').request


def test_the_application_appends_to_and_reads_the_audit_trail(caseworker):
    event = audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="1")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET summary = 'x'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_truncate",
        "DROP TRIGGER audit_event_append_only ON audit_auditevent",
        "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
        "DROP FUNCTION audit_event_append_only() CASCADE",
        "DROP TABLE audit_auditevent CASCADE",
        "UPDATE intake_request SET raw_input = 'x'",
        "DELETE FROM intake_request",
        "TRUNCATE intake_request CASCADE",
        "ALTER TABLE intake_request DISABLE TRIGGER USER",
    ],
)
def test_the_application_role_cannot_wipe_or_unguard_the_trail(caseworker, sql):
    audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="1")
    _request()
    message = _refused(sql)
    assert "permission denied" in message or "must be owner" in message
    assert AuditEvent.objects.filter(summary="x").count() == 0


def test_the_application_role_updates_what_changes_after_arrival():
    request = _request()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_request SET pipeline_pending = false, people_pending = false, "
            "status = 'under_review', needs_data_entry = false WHERE id = %s",
            [request.pk],
        )
    request.refresh_from_db()
    assert request.status == "under_review"
    assert request.raw_input == '{"synthetic": true}'
