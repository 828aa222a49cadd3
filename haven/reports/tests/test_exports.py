"""Case exports with personal data: supervisors only, a second supervisor above the row
limit, an encrypted watermarked file with formulas neutralised, a register, expiry, audit."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import pyzipper
import time_machine
from django.urls import reverse
from django.utils import timezone

from haven.accounts.models import Role, User
from haven.audit.models import AuditEvent
from haven.common import periodic
from haven.reports.models import CaseExport

from .desk import add_case

pytestmark = pytest.mark.django_db
NEW = reverse("reports:export_new")


@pytest.fixture
def second_supervisor(task_force) -> User:
    return User.objects.create_user(
        username="supervisor2",
        password="correct horse battery staple",
        role=Role.SUPERVISOR,
        organization=task_force,
    )


@pytest.fixture
def desk() -> None:
    add_case(name='=HYPERLINK("http://x")', identifiers=(("passport", "P12345678"),))
    add_case(name="Farida", identifiers=(("passport", "P87654321"),))
    add_case(name="Gul")


def _post(client, **data):
    body = {
        "fields": ["reference", "name", "id_passport"],
        "reason": "Hand-over to IOM",
        "open": "on",
        **data,
    }
    return client.post(NEW, body)


def _passphrase(response) -> str:
    return response.context["passphrase"]


def _workbook(client, export: CaseExport, passphrase: str):
    response = client.get(reverse("reports:export_download", args=[export.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    with pyzipper.AESZipFile(io.BytesIO(content)) as archive:
        with pytest.raises(RuntimeError):
            archive.read(f"{export.reference}.xlsx", pwd=b"wrong")
        data = archive.read(f"{export.reference}.xlsx", pwd=passphrase.encode())
    return openpyxl.load_workbook(io.BytesIO(data))["Cases"]


def test_a_small_export_is_encrypted_masked_watermarked_and_neutralised(
    client_for, supervisor, desk
) -> None:
    client = client_for(supervisor)
    response = _post(client)
    assert response.status_code == 200
    export = CaseExport.objects.get()
    assert export.status == CaseExport.Status.READY
    assert export.row_count == 3
    passphrase = _passphrase(response)
    assert passphrase in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    sheet = _workbook(client, export, passphrase)
    rows = list(sheet.iter_rows(values_only=True))
    assert "Export X-" in rows[0][0] and "supervisor" in rows[0][0]
    assert rows[1] == ("Case reference", "Principal's name", "Passport")
    values = {row[1]: row[2] for row in rows[2:]}
    assert values["Farida"] == "•••••4321"
    assert '\'=HYPERLINK("http://x")' in values
    # No cell is a formula.
    assert all(not (isinstance(c, str) and c.startswith("=")) for row in rows for c in row)
    export.refresh_from_db()
    assert export.download_count == 1 and export.first_downloaded_at is not None
    assert (
        AuditEvent.objects.filter(
            object_type="reports.caseexport", summary__startswith="Downloaded"
        ).count()
        == 1
    )


def test_identifiers_are_in_clear_only_when_asked(client_for, supervisor, desk) -> None:
    client = client_for(supervisor)
    response = _post(client, unmasked=["id_passport"])
    sheet = _workbook(client, CaseExport.objects.get(), _passphrase(response))
    assert "P87654321" in [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_above_the_limit_a_second_supervisor_must_approve(
    client_for, supervisor, second_supervisor, desk, settings
) -> None:
    settings.HAVEN_REPORTS_EXPORT_APPROVAL_ROWS = 2
    requester = client_for(supervisor)
    response = _post(requester)
    export = CaseExport.objects.get()
    assert response.status_code == 302
    assert export.status == CaseExport.Status.AWAITING_APPROVAL
    # Not possible without approval: no file, no download, no self-approval.
    requester.post(reverse("reports:export_file", args=[export.pk]))
    requester.post(reverse("reports:export_approve", args=[export.pk]))
    download = requester.get(reverse("reports:export_download", args=[export.pk]))
    export.refresh_from_db()
    assert download.status_code == 302
    assert export.status == CaseExport.Status.AWAITING_APPROVAL and export.file_path == ""
    assert export.approved_by is None

    client_for(second_supervisor).post(reverse("reports:export_approve", args=[export.pk]))
    export.refresh_from_db()
    assert (export.status, export.approved_by) == (CaseExport.Status.APPROVED, second_supervisor)
    # The approver cannot create or download the requester's file.
    assert (
        client_for(second_supervisor)
        .post(reverse("reports:export_file", args=[export.pk]))
        .status_code
        == 403
    )

    created = requester.post(reverse("reports:export_file", args=[export.pk]))
    assert created.status_code == 200
    _workbook(requester, CaseExport.objects.get(), _passphrase(created))

    register = requester.get(reverse("reports:export_list")).content.decode()
    export.refresh_from_db()
    for text in (
        export.reference,
        "supervisor2",
        "Case reference, Principal&#x27;s name, Passport",
        ">3<",
    ):
        assert text in register


def test_only_supervisors_may_export(client_for, caseworker, admin_user, desk) -> None:
    for user in (caseworker, admin_user):
        response = _post(client_for(user))
        assert response.status_code == 403
    assert not CaseExport.objects.exists()


def test_a_field_that_may_not_be_exported_is_refused_by_name(client_for, supervisor, desk) -> None:
    response = _post(client_for(supervisor), fields=["reference", "raw_input"])
    assert response.status_code == 400
    page = response.content.decode()
    assert "“raw_input” cannot be exported." in page
    assert "Hand-over to IOM" in page  # what was typed is kept
    assert not CaseExport.objects.exists()


def test_no_fields_and_no_matching_cases_get_clear_messages(client_for, supervisor, desk) -> None:
    client = client_for(supervisor)
    assert "Choose at least one field" in _post(client, fields=[]).content.decode()
    response = _post(client, province="Nowhere")
    assert "No cases match these filters" in response.content.decode()


def test_the_file_expires_and_is_deleted_by_the_periodic_job(
    client_for, supervisor, desk, settings
) -> None:
    settings.HAVEN_REPORTS_EXPORT_EXPIRY_HOURS = 1
    client = client_for(supervisor)
    _post(client)
    export = CaseExport.objects.get()
    path = export.file_path
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        assert (
            "1 case exports expired"
            in periodic.run_all(only={"reports.exports_expire"})["reports.exports_expire"]
        )
        response = client.get(reverse("reports:export_download", args=[export.pk]))
    export.refresh_from_db()
    assert export.status == CaseExport.Status.EXPIRED
    assert response.status_code == 302
    import os

    assert not os.path.exists(path)
