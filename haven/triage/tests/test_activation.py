"""Guidance lifecycle: draft, preview (with CSV), activation by supervisors, re-activation."""

from __future__ import annotations

import csv
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from haven.accounts.models import User
from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.triage.models import GuidanceVersion, RetriageRun, TriageDecision

from .conftest import AFGHAN_IN_KABUL, shipped_version_text, write_version

pytestmark = pytest.mark.django_db

# Version 2 sends self-referred P-2 candidates to UNHCR instead (a policy change).
VERSION_2 = (
    shipped_version_text()
    .replace('version: "1"', 'version: "2"')
    .replace("effective_date: 2021-08-02", "effective_date: 2021-08-30")
    .replace("    pathway: p2_needs_referral\n", "    pathway: refer_unhcr\n")
)


def activate(spec: str, username: str, capture: Any) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("guidance", "activate", spec, "--as", username, "--reason", "test", stdout=out)
    return out.getvalue()


def test_preview_counts_changes_and_writes_a_csv(
    guidance_dir: Path,
    make_case: Callable[..., Case],
    active_guidance: GuidanceVersion,
    tmp_path: Path,
    supervisor: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ngo = make_case({**AFGHAN_IN_KABUL, "employer_type": "us_based_ngo", "referral_source": "self"})
    citizen = make_case({**AFGHAN_IN_KABUL, "is_us_citizen": True})
    activate("us-afghan-2021@1", supervisor.username, django_capture_on_commit_callbacks)
    ngo.refresh_from_db()
    assert ngo.pathway == "p2_needs_referral"
    path = write_version(guidance_dir / "us-afghan-2021", "2.yaml", VERSION_2)
    target = tmp_path / "changes.csv"
    out = StringIO()
    call_command("guidance", "preview", str(path), "--csv", str(target), stdout=out)
    assert "us-afghan-2021@2: 1 of 2 open case(s) would change pathway" in out.getvalue()
    assert "p2_needs_referral -> refer_unhcr: 1" in out.getvalue()
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows == [
        ["case", "from_pathway", "to_pathway", "from_priority", "to_priority", "rule"],
        [ngo.reference, "p2_needs_referral", "refer_unhcr", "30", "30", "p2_needs_referral"],
    ]
    # A dry run: the draft is stored, nothing about the cases changed.
    assert GuidanceVersion.objects.get(version="2").status == GuidanceVersion.Status.DRAFT
    citizen.refresh_from_db()
    ngo.refresh_from_db()
    assert (ngo.pathway, citizen.pathway) == ("p2_needs_referral", "us_citizen_or_lpr")


def test_a_supervisor_activates_and_open_cases_are_retriaged(
    guidance_dir: Path,
    make_case: Callable[..., Case],
    supervisor: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = make_case({**AFGHAN_IN_KABUL, "siv_stage": "com_approved"})
    closed = make_case({**AFGHAN_IN_KABUL}, status=Case.Status.CLOSED)
    out = activate("us-afghan-2021@1", "supervisor", django_capture_on_commit_callbacks)
    assert "us-afghan-2021@1 is active" in out
    case.refresh_from_db()
    closed.refresh_from_db()
    assert (case.pathway, closed.pathway) == ("siv_approved", "")
    decision = TriageDecision.objects.get(case=case)
    assert decision.guidance.label == "us-afghan-2021@1"
    assert decision.rule == "siv_com_approved"
    assert decision.reason == TriageDecision.Reason.ACTIVATION
    assert decision.facts_used["siv_stage"] == "com_approved"
    assert decision.explanation.startswith("Chief of Mission approval has been granted")
    run = RetriageRun.objects.get()
    assert (run.status, run.done, run.total, run.changed) == ("done", 1, 1, 1)
    event = AuditEvent.objects.get(object_type="triage.guidanceversion", action="update")
    assert event.actor == supervisor
    assert event.summary == "Activated guidance us-afghan-2021@1"


def test_only_supervisors_may_activate(
    guidance_dir: Path, caseworker: User, admin_user: User
) -> None:
    for user in (caseworker, admin_user):
        with pytest.raises(CommandError, match="may not activate guidance"):
            call_command(
                "guidance", "activate", "us-afghan-2021@1", "--as", user.username, "--reason", "x"
            )
    assert not GuidanceVersion.objects.filter(status="active").exists()
    assert AuditEvent.objects.filter(action="denied").count() == 2


def test_activation_over_http_is_refused_to_a_caseworker(
    guidance_dir: Path, caseworker: User, client_for: Callable[[User], Client]
) -> None:
    from .conftest import store

    version = store("us-afghan-2021@1")
    response = client_for(caseworker).post(f"/triage/guidance/{version.pk}/activate/")
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == GuidanceVersion.Status.DRAFT


def test_a_previous_version_can_be_reactivated(
    guidance_dir: Path,
    make_case: Callable[..., Case],
    supervisor: User,
    client_for: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    case = make_case(
        {**AFGHAN_IN_KABUL, "employer_type": "us_based_ngo", "referral_source": "self"}
    )
    write_version(guidance_dir / "us-afghan-2021", "2.yaml", VERSION_2)
    activate("us-afghan-2021@1", "supervisor", django_capture_on_commit_callbacks)
    activate("us-afghan-2021@2", "supervisor", django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.pathway == "refer_unhcr"
    first = GuidanceVersion.objects.get(version="1")
    assert first.status == GuidanceVersion.Status.RETIRED
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(supervisor).post(
            f"/triage/guidance/{first.pk}/activate/", {"reason": "back to the first"}
        )
    assert response.status_code == 302
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.status == GuidanceVersion.Status.ACTIVE
    assert GuidanceVersion.objects.get(version="2").status == GuidanceVersion.Status.RETIRED
    assert case.pathway == "p2_needs_referral"
    labels = list(
        TriageDecision.objects.filter(case=case)
        .order_by("id")
        .values_list("guidance__version", flat=True)
    )
    assert labels == ["1", "2", "1"]


def test_a_changed_file_under_a_stored_version_is_refused(
    guidance_dir: Path, django_capture_on_commit_callbacks: Any, supervisor: User
) -> None:
    activate("us-afghan-2021@1", "supervisor", django_capture_on_commit_callbacks)
    path = guidance_dir / "us-afghan-2021" / "1.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("imminent_threat: 50", "imminent_threat: 60")
    )
    with pytest.raises(CommandError) as raised:
        call_command("guidance", "preview", str(path), stdout=StringIO())
    assert raised.value.returncode == 2
    assert "stored already with different content" in str(raised.value)


def test_an_invalid_pack_is_never_stored_or_activated(guidance_dir: Path, supervisor: User) -> None:
    broken = VERSION_2.replace("pathway: p1\n", "pathway: p-one\n")
    write_version(guidance_dir / "us-afghan-2021", "2.yaml", broken)
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "guidance", "activate", "us-afghan-2021@2", "--as", "supervisor", "--reason", "x",
            stderr=err,
        )  # fmt: skip
    assert raised.value.returncode == 2
    assert "unknown pathway 'p-one'" in err.getvalue()
    assert not GuidanceVersion.objects.exists()


def test_progress_is_visible_on_the_guidance_page(
    guidance_dir: Path,
    make_case: Callable[..., Case],
    supervisor: User,
    client_for: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_case({**AFGHAN_IN_KABUL})
    activate("us-afghan-2021@1", "supervisor", django_capture_on_commit_callbacks)
    version = GuidanceVersion.objects.get()
    client = client_for(supervisor)
    page = client.get(f"/triage/guidance/{version.pk}/")
    assert "Re-triage: Done, 1 of 1 cases, 1 changed pathway." in page.content.decode()
    run = RetriageRun.objects.get()
    fragment = client.get(f"/triage/runs/{run.pk}/progress/")
    assert 'value="100"' in fragment.content.decode()
    status = StringIO()
    call_command("guidance", "status", stdout=status)
    assert "active: us-afghan-2021@1" in status.getvalue()
    assert "1/1 (100%)" in status.getvalue()


def test_the_preview_csv_download_is_audited_and_holds_no_names(
    guidance_dir: Path,
    make_case: Callable[..., Case],
    supervisor: User,
    client_for: Callable[[User], Client],
) -> None:
    from .conftest import store

    make_case({**AFGHAN_IN_KABUL, "is_us_citizen": True}, display_name="Zabihullah Ahmadzai")
    version = store("us-afghan-2021@1")
    client = client_for(supervisor)
    page = client.get(f"/triage/guidance/{version.pk}/?preview=1")
    assert "1 of 1 open cases would change pathway." in page.content.decode()
    response = client.get(f"/triage/guidance/{version.pk}/preview.csv")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "us_citizen_or_lpr" in body
    assert "Zabihullah" not in body
    assert AuditEvent.objects.filter(action="export", object_id=str(version.pk)).count() == 1
