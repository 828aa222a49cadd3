"""Activating guidance is a dangerous action: a reason always, a second approver when set."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from haven.accounts.models import Approval, Organization, Role, User
from haven.audit.models import AuditEvent
from haven.triage.models import GuidanceVersion

from .conftest import store

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_supervisor(task_force: Organization) -> User:
    return User.objects.create_user(
        username="supervisor2", password="x" * 16, role=Role.SUPERVISOR, organization=task_force
    )


def _activate_url(version: GuidanceVersion) -> str:
    return reverse("triage:guidance_activate", args=[version.pk])


def test_activation_without_a_reason_is_refused_and_changes_nothing(
    guidance_dir: Path, client_for, supervisor
):
    version = store("us-afghan-2021@1")
    response = client_for(supervisor).post(_activate_url(version), {"reason": "  "}, follow=True)
    assert "Give a reason" in response.text
    version.refresh_from_db()
    assert version.status != GuidanceVersion.Status.ACTIVE


def test_the_reason_is_kept_in_the_audit_trail(
    guidance_dir: Path, client_for, supervisor, django_capture_on_commit_callbacks: Any
):
    version = store("us-afghan-2021@1")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(supervisor).post(_activate_url(version), {"reason": "policy of 30 August"})
    version.refresh_from_db()
    assert version.status == GuidanceVersion.Status.ACTIVE
    event = AuditEvent.objects.get(summary__startswith="Activated guidance")
    assert event.details["reason"] == "policy of 30 August"


def test_with_a_second_approver_set_another_supervisor_must_approve(
    guidance_dir: Path,
    client_for,
    supervisor,
    second_supervisor,
    settings,
    django_capture_on_commit_callbacks: Any,
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["guidance_activate"]
    version = store("us-afghan-2021@1")
    asker = client_for(supervisor)
    response = asker.post(_activate_url(version), {"reason": "new policy"}, follow=True)
    assert "second supervisor must approve" in response.text
    version.refresh_from_db()
    assert version.status != GuidanceVersion.Status.ACTIVE
    approval = Approval.objects.get()
    assert approval.status == Approval.Status.PENDING

    # The one who asked cannot approve their own request.
    asker.post(reverse("accounts:approval_decide", args=[approval.pk]), {"decision": "approve"})
    approval.refresh_from_db()
    assert approval.status == Approval.Status.PENDING

    other = client_for(second_supervisor)
    page = other.get(reverse("accounts:approvals"))
    assert "Activate guidance us-afghan-2021@1" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        other.post(
            reverse("accounts:approval_decide", args=[approval.pk]),
            {"decision": "approve", "note": "checked the preview"},
        )
    approval.refresh_from_db()
    version.refresh_from_db()
    assert approval.status == Approval.Status.EXECUTED
    assert approval.decided_by == second_supervisor
    assert version.status == GuidanceVersion.Status.ACTIVE
    assert version.activated_by == second_supervisor
    activated = AuditEvent.objects.get(summary__startswith="Activated guidance")
    assert "asked by supervisor" in activated.details["reason"]
    assert AuditEvent.objects.filter(details__approval="guidance_activate").count() == 2


def test_a_rejected_activation_never_runs(
    guidance_dir: Path, client_for, supervisor, second_supervisor, settings
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["guidance_activate"]
    version = store("us-afghan-2021@1")
    client_for(supervisor).post(_activate_url(version), {"reason": "new policy"})
    approval = Approval.objects.get()
    client_for(second_supervisor).post(
        reverse("accounts:approval_decide", args=[approval.pk]), {"decision": "reject"}
    )
    approval.refresh_from_db()
    version.refresh_from_db()
    assert approval.status == Approval.Status.REJECTED
    assert version.status != GuidanceVersion.Status.ACTIVE


def test_the_command_asks_for_approval_and_haven_approval_approves(
    guidance_dir: Path, supervisor, second_supervisor, settings, django_capture_on_commit_callbacks
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["guidance_activate"]
    out = StringIO()
    call_command(
        "guidance", "activate", "us-afghan-2021@1", "--as", "supervisor", "--reason", "policy",
        stdout=out,
    )  # fmt: skip
    approval = Approval.objects.get()
    assert f"haven approval approve {approval.pk}" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("approval", "approve", str(approval.pk), "--as", "supervisor2", stdout=out)
    assert GuidanceVersion.objects.get(pack="us-afghan-2021").status == "active"
