from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.audit.services import audit_record

pytestmark = pytest.mark.django_db
URL = reverse("audit:list")


def test_supervisors_read_the_audit_trail(client_for, supervisor, caseworker):
    audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="7")
    response = client_for(supervisor).get(URL, {"actor": "caseworker"})
    assert response.status_code == 200
    assert "cases.case 7" in response.text


@pytest.mark.parametrize("persona", ["intake_officer", "caseworker", "partner_a", "outsider"])
def test_other_roles_cannot_read_it(request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_the_application_cannot_change_or_delete_an_event(caseworker):
    event = audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="1")
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(summary="x")


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET summary = 'x'", "DELETE FROM audit_auditevent"]
)
def test_the_database_refuses_changes_from_a_shell(caseworker, sql):
    audit_record(actor=caseworker, action="view", object_type="cases.case", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.filter(summary="x").count() == 0
    assert AuditEvent.objects.count() == 1


def test_a_denied_page_leaves_no_data_in_the_response(client_for, partner_a):
    response = client_for(partner_a).get(reverse("cases:list"))
    assert response.status_code == 403
    assert "Not allowed" in response.text
