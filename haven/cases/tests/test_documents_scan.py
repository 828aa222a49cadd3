"""The malware scan through clamd's INSTREAM (a fake daemon on loopback speaking the real
protocol, with ClamAV's EICAR test string): infected files quarantined, a scanner that is
down or talks nonsense quarantines too (fail closed), and the tick job releases them later."""

from __future__ import annotations

import pytest
from django.core.checks import Error, Warning
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.checks import documents_scanner_check
from haven.cases.models import CaseEvent, Document
from haven.cases.signals import document_infected
from haven.common import clamd as clamd_client
from haven.common import periodic
from haven.common.tests.fake_clamd import EICAR, FakeClamd, closed_port_url

from .document_helpers import (
    new_case,
    pdf,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("document_root")]


def _post(client, case, name, data):
    return client.post(
        reverse("cases:document_upload", args=[case.pk]),
        {"kind": "other", "file": upload(name, data, "text/plain")},
    )


def test_a_clean_file_is_scanned_through_instream(client_for, caseworker, clamd):
    case = new_case()
    client = client_for(caseworker)
    assert _post(client, case, "scan.pdf", pdf()).status_code == 302
    document = Document.objects.get()
    assert document.scan_status == Document.Scan.CLEAN and document.scanned_at
    assert clamd.streams == [pdf()]
    download = client.get(reverse("cases:document_download", args=[document.pk]))
    assert download.status_code == 200


def test_the_eicar_file_is_quarantined_and_shown_to_supervisors(
    client_for, caseworker, supervisor, clamd
):
    flagged = []
    document_infected.connect(
        lambda **kw: flagged.append(kw["signature"]), weak=False, dispatch_uid="test-infected"
    )
    try:
        case = new_case()
        client = client_for(caseworker)
        response = _post(client, case, "eicar.txt", EICAR)
    finally:
        document_infected.disconnect(dispatch_uid="test-infected")
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.scan_status == Document.Scan.INFECTED and document.quarantined
    assert document.scan_signature == "Eicar-Test-Signature"
    assert flagged == ["Eicar-Test-Signature"]
    assert CaseEvent.objects.filter(case=case, data__message="document_infected").exists()
    download = client.get(reverse("cases:document_download", args=[document.pk]), follow=True)
    assert "quarantined" in download.text
    assert EICAR not in download.content
    assert not AuditEvent.objects.filter(object_type="cases.document", action="view").exists()
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert reverse("cases:document_download", args=[document.pk]) not in page
    assert "Malware found" in page
    quarantine = client_for(supervisor).get(reverse("cases:documents_quarantine"))
    assert quarantine.status_code == 200
    assert case.reference in quarantine.text and "Eicar-Test-Signature" in quarantine.text
    assert client.get(reverse("cases:documents_quarantine")).status_code == 404


def test_a_scanner_that_is_down_quarantines_until_the_tick_job_scans_again(
    client_for, caseworker, settings
):
    settings.HAVEN_CLAMD_URL = closed_port_url()
    settings.HAVEN_CLAMD_TIMEOUT_SECONDS = 1
    case = new_case()
    client = client_for(caseworker)
    response = _post(client, case, "scan.pdf", pdf())
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.scan_status == Document.Scan.PENDING and document.quarantined
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert "malware scanner did not answer" in page
    assert reverse("cases:document_download", args=[document.pk]) not in page
    # Still down at the next tick: still quarantined, the attempt counted.
    assert periodic.run_all(only={"documents_rescan"})["documents_rescan"].startswith("0 clean")
    document.refresh_from_db()
    assert document.scan_status == Document.Scan.PENDING and document.scan_attempts == 2
    server = FakeClamd()
    try:
        settings.HAVEN_CLAMD_URL = server.url
        result = periodic.run_all(only={"documents_rescan"})["documents_rescan"]
    finally:
        server.close()
    assert result.startswith("1 clean")
    document.refresh_from_db()
    assert document.scan_status == Document.Scan.CLEAN and not document.quarantined
    assert server.streams == [pdf()]
    assert CaseEvent.objects.filter(case=case, data__message="document_released").exists()
    assert client.get(reverse("cases:document_download", args=[document.pk])).content == pdf()


def test_an_infection_found_on_the_rescan_stays_quarantined(client_for, caseworker, settings):
    settings.HAVEN_CLAMD_URL = closed_port_url()
    case = new_case()
    _post(client_for(caseworker), case, "eicar.txt", EICAR)
    server = FakeClamd()
    try:
        settings.HAVEN_CLAMD_URL = server.url
        periodic.run_all(only={"documents_rescan"})
    finally:
        server.close()
    document = Document.objects.get()
    assert document.scan_status == Document.Scan.INFECTED


def test_an_answer_clamd_never_gives_fails_closed(client_for, caseworker, settings):
    server = FakeClamd(mode="garbled")
    settings.HAVEN_CLAMD_URL = server.url
    try:
        _post(client_for(caseworker), new_case(), "scan.pdf", pdf())
    finally:
        server.close()
    assert Document.objects.get().scan_status == Document.Scan.PENDING


def test_a_hung_scanner_times_out_and_fails_closed(settings):
    server = FakeClamd(mode="silent")
    settings.HAVEN_CLAMD_URL = server.url
    settings.HAVEN_CLAMD_TIMEOUT_SECONDS = 0.5
    try:
        result = clamd_client.scan(pdf())
    finally:
        server.close()
    assert result.verdict is clamd_client.Verdict.UNAVAILABLE


def test_it_speaks_to_clamd_over_a_unix_socket(settings, tmp_path):
    server = FakeClamd(unix_path=str(tmp_path / "clamd.sock"))
    settings.HAVEN_CLAMD_URL = server.url
    try:
        assert clamd_client.scan(EICAR).verdict is clamd_client.Verdict.INFECTED
        assert clamd_client.scan(pdf() * 5000).verdict is clamd_client.Verdict.CLEAN
    finally:
        server.close()
    assert server.streams[1] == pdf() * 5000  # sent in several chunks, put back together


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("stream: OK", clamd_client.Verdict.CLEAN),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", clamd_client.Verdict.INFECTED),
        ("INSTREAM size limit exceeded. ERROR", clamd_client.Verdict.UNAVAILABLE),
        ("stream: FOUND", clamd_client.Verdict.UNAVAILABLE),
        ("", clamd_client.Verdict.UNAVAILABLE),
    ],
)
def test_only_clear_answers_count(answer, verdict):
    assert clamd_client.interpret(answer).verdict is verdict


def test_check_deploy_says_when_no_scanner_is_configured(settings):
    settings.HAVEN_CLAMD_URL = ""
    settings.HAVEN_DOCUMENTS_ALLOW_UNSCANNED = False
    (problem,) = documents_scanner_check()
    assert isinstance(problem, Error) and problem.id == "haven.E101"
    settings.HAVEN_DOCUMENTS_ALLOW_UNSCANNED = True
    (problem,) = documents_scanner_check()
    assert isinstance(problem, Warning) and problem.id == "haven.W101"
    settings.HAVEN_CLAMD_URL = "tcp://127.0.0.1:3310"
    assert documents_scanner_check() == []


def test_unscanned_documents_stay_quarantined_where_that_is_not_allowed(
    client_for, caseworker, settings
):
    settings.HAVEN_DOCUMENTS_ALLOW_UNSCANNED = False
    case = new_case()
    client = client_for(caseworker)
    _post(client, case, "scan.pdf", pdf())
    document = Document.objects.get()
    assert document.scan_status == Document.Scan.NOT_SCANNED and document.quarantined
    response = client.get(reverse("cases:document_download", args=[document.pk]))
    assert response.status_code == 302


def test_the_quarantine_list_reads_a_fixed_number_of_queries(
    client_for, caseworker, supervisor, clamd, django_assert_max_num_queries
):
    client = client_for(caseworker)
    for n in range(3):
        _post(client, new_case(given_name=f"Person {n}"), "eicar.txt", EICAR)
    supervisor_client = client_for(supervisor)
    supervisor_client.get(reverse("cases:documents_quarantine"))  # session and caches warm
    with django_assert_max_num_queries(12):
        response = supervisor_client.get(reverse("cases:documents_quarantine"))
    assert response.text.count('data-document="') == 3
