"""Merging cases with a second approver (HAVEN_SECOND_APPROVER_FOR=case_merge): the merge
asked for with its reason and confirmation waits for a different supervisor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.accounts.models import Approval, Organization, Role, User
from haven.audit.models import AuditEvent
from haven.cases.models import Case

from . import test_case_merge
from .test_case_merge import _post_merge

duplicate_cases = test_case_merge.duplicate_cases  # the fixture, shared

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_supervisor(task_force: Organization) -> User:
    return User.objects.create_user(
        username="supervisor2", password="x" * 16, role=Role.SUPERVISOR, organization=task_force
    )


def test_a_merge_waits_for_a_second_supervisor_and_runs_when_approved(
    client_for,
    supervisor,
    second_supervisor,
    duplicate_cases,
    settings,
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["case_merge"]
    source, target = duplicate_cases
    asker = client_for(supervisor)
    response = _post_merge(asker, source, target.reference, "same family, same tazkira")
    assert response.status_code == 302
    page = asker.get(response.url)
    assert "A second supervisor must approve this merge" in page.text
    source.refresh_from_db()
    assert source.merged_into is None and source.status != Case.Status.CLOSED
    approval = Approval.objects.get()
    assert approval.params == {"source": source.pk, "target": target.pk}
    assert approval.reason == "same family, same tazkira"

    decide = reverse("accounts:approval_decide", args=[approval.pk])
    asker.post(decide, {"decision": "approve"})  # not by the one who asked
    approval.refresh_from_db()
    assert approval.status == Approval.Status.PENDING

    other = client_for(second_supervisor)
    assert (
        f"Merge {source.reference} into {target.reference}"
        in other.get(reverse("accounts:approvals")).text
    )
    other.post(decide, {"decision": "approve", "note": "compared both"})
    approval.refresh_from_db()
    source.refresh_from_db()
    assert approval.status == Approval.Status.EXECUTED, approval.result
    assert source.merged_into == target and source.status == Case.Status.CLOSED
    assert AuditEvent.objects.filter(details__approval="case_merge").count() == 2


def test_a_merge_that_became_impossible_meanwhile_fails_with_its_reason(
    client_for,
    supervisor,
    second_supervisor,
    duplicate_cases,
    settings,
):
    settings.HAVEN_SECOND_APPROVER_FOR = ["case_merge"]
    source, target = duplicate_cases
    _post_merge(client_for(supervisor), source, target.reference)
    _post_merge(client_for(supervisor), source, target.reference)
    first, second = Approval.objects.order_by("pk")
    other = client_for(second_supervisor)
    other.post(reverse("accounts:approval_decide", args=[first.pk]), {"decision": "approve"})
    other.post(reverse("accounts:approval_decide", args=[second.pk]), {"decision": "approve"})
    second.refresh_from_db()
    assert second.status == Approval.Status.FAILED
    assert "already merged" in second.result


def test_without_the_setting_the_merge_runs_at_once(client_for, supervisor, duplicate_cases):
    source, target = duplicate_cases
    _post_merge(client_for(supervisor), source, target.reference)
    source.refresh_from_db()
    assert source.merged_into == target
    assert not Approval.objects.exists()
