"""Triage's "still needed" evidence as the case's checklist of tasks, ticking itself off when
the evidence arrives: a document of that kind (cases.signals.documents_added), a fact
corrected, an identifier the case holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from haven.accounts.models import User
from haven.cases.models import Case, CaseEvent, Task
from haven.cases.signals import documents_added
from haven.cases.tests.document_helpers import document_root, pdf, upload
from haven.cases.tests.factories import make_request
from haven.triage import services
from haven.triage.models import GuidanceVersion

from .conftest import AFGHAN_IN_KABUL, store
from .test_facts_correction import form_data

pytestmark = pytest.mark.django_db
__all__ = ["document_root"]  # the documents' fixture, for the upload test

# Claims eligibility, nothing else known that decides: needs_verification asks for
# "Tazkira or passport" and proof of employment.
CLAIMS = {**AFGHAN_IN_KABUL, "claims_eligibility": True}


def _open(case: Case) -> dict[str, Task]:
    return {t.evidence_code: t for t in Task.objects.filter(case=case, status="open")}


def test_a_decision_makes_the_checklist(
    active_guidance: GuidanceVersion, make_case: Callable[..., Case], supervisor: User
) -> None:
    case = make_case(dict(CLAIMS))
    services.case_retriage(case=case, actor=supervisor)
    case.refresh_from_db()
    assert case.pathway == "needs_verification"
    items = _open(case)
    assert set(items) == {"identity_document", "proof_of_employment"}
    assert items["identity_document"].title == "Tazkira or passport"
    assert all(t.automatic for t in items.values())
    # Triaging again adds nothing twice.
    services.case_retriage(case=case, actor=supervisor)
    assert Task.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.filter(case=case, data__message="checklist_changed").count() == 1


def test_a_document_of_that_kind_ticks_it_off(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    supervisor: User,
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(CLAIMS))
    services.case_retriage(case=case, actor=supervisor)
    client = client_for(caseworker)
    assert "Tazkira or passport" in client.get(f"/cases/{case.pk}/").content.decode()
    # What the document upload sends, inside its transaction.
    with transaction.atomic():
        documents_added.send(sender=Case, case=case, kinds=["tazkira"], actor=caseworker)
    task = Task.objects.get(case=case, evidence_code="identity_document")
    assert (task.status, task.closed_how, task.closed_by) == (
        "done",
        "evidence_arrived",
        caseworker,
    )
    assert set(_open(case)) == {"proof_of_employment"}
    page = client.get(f"/cases/{case.pk}/").content.decode()
    triage_panel = page.split("<h2>Triage</h2>")[1].split("</section>")[0]
    assert "Tazkira or passport" not in triage_panel
    assert "Proof of employment" in triage_panel
    # Re-triage does not bring it back.
    services.case_retriage(case=case, actor=supervisor)
    assert set(_open(case)) == {"proof_of_employment"}
    # A document of another kind ticks off nothing.
    documents_added.send(sender=Case, case=case, kinds=["photo"], actor=caseworker)
    assert set(_open(case)) == {"proof_of_employment"}


def test_a_fact_corrected_ticks_off_the_fact_it_asked_for(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    supervisor: User,
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    # Nationality unknown: the catch-all rule asks for it (and for an identity document).
    facts = {k: v for k, v in AFGHAN_IN_KABUL.items() if k != "nationality"}
    case = make_case(facts)
    services.case_retriage(case=case, actor=supervisor)
    assert "nationality" in _open(case)
    assert _open(case)["nationality"].title == "Nationality"
    response = client_for(caseworker).post(
        f"/triage/cases/{case.pk}/", form_data({**facts, "nationality": "AF"})
    )
    assert response.status_code == 302
    task = Task.objects.get(case=case, evidence_code="nationality")
    assert (task.status, task.closed_how) == ("done", "evidence_arrived")


def test_a_case_that_holds_a_passport_never_shows_tazkira_or_passport(
    active_guidance: GuidanceVersion, caseworker: User, client_for: Callable[[User], Client]
) -> None:
    created = make_request(given_name="Zarmina", identifiers=(("passport", "P01234567"),))
    case = created.request.case_links.get().case
    case.refresh_from_db()
    assert case.pathway  # triaged at intake
    assert "identity_document" not in _open(case)
    page = client_for(caseworker).get(f"/cases/{case.pk}/").content.decode()
    assert "Tazkira or passport" not in page


def test_a_case_without_one_gets_the_item_at_intake(
    active_guidance: GuidanceVersion, caseworker: User, client_for: Callable[[User], Client]
) -> None:
    case = make_request(given_name="Zarmina").request.case_links.get().case
    assert "identity_document" in _open(case)
    page = client_for(caseworker).get(f"/cases/{case.pk}/").content.decode()
    tasks = page.split('id="tasks"')[1].split("</section>")[0]
    assert "Tazkira or passport" in tasks


def test_items_no_longer_needed_are_cancelled(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    supervisor: User,
    caseworker: User,
    client_for: Callable[[User], Client],
) -> None:
    case = make_case(dict(CLAIMS))
    services.case_retriage(case=case, actor=supervisor)
    # Now a US citizen: the pathway asks for a US passport instead.
    client_for(caseworker).post(
        f"/triage/cases/{case.pk}/", form_data({**CLAIMS, "is_us_citizen": True})
    )
    assert set(_open(case)) == {"us_passport_or_green_card"}
    dropped = Task.objects.get(case=case, evidence_code="proof_of_employment")
    assert (dropped.status, dropped.closed_how) == ("cancelled", "no_longer_needed")


def test_the_checklist_reads_in_dari(
    guidance_dir: Path,
    make_case: Callable[..., Case],
    supervisor: User,
    caseworker: User,
    client_for: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Version 2 has the texts in Dari and Pashto.
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_activate(version=store("us-afghan-2021@2"), actor=supervisor)
    case = make_case(dict(CLAIMS))
    services.case_retriage(case=case, actor=supervisor)
    client = client_for(caseworker)
    client.cookies["django_language"] = "fa-af"
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="fa-af").content.decode()
    tasks = page.split('id="tasks"')[1].split("</section>")[0]
    assert "تذکره یا پاسپورت" in tasks


def test_an_uploaded_passport_ticks_it_off(
    active_guidance: GuidanceVersion,
    make_case: Callable[..., Case],
    supervisor: User,
    caseworker: User,
    client_for: Callable[[User], Client],
    document_root: Any,
) -> None:
    case = make_case(dict(CLAIMS))
    services.case_retriage(case=case, actor=supervisor)
    response = client_for(caseworker).post(
        reverse("cases:document_upload", args=[case.pk]),
        {"kind": "passport", "file": upload("passport.pdf", pdf()), "description": ""},
    )
    assert response.status_code in (200, 302)
    task = Task.objects.get(case=case, evidence_code="identity_document")
    assert (task.status, task.closed_how) == ("done", "evidence_arrived")
    assert set(_open(case)) == {"proof_of_employment"}
