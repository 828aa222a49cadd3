"""Merging cases shows both side by side, needs a reason and a confirmation, and can be undone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent, CaseMember, CaseMerge, CaseRequest, Note
from haven.cases.services import note_create

from .factories import make_request
from .test_case_merge import _case_of, _merge_people, _post_merge, _principal, duplicate_cases

pytestmark = pytest.mark.django_db
__all__ = ["duplicate_cases"]  # the fixture, shared with the merge tests


def _confirm_page(client, source: Case, target: Case):
    return client.get(reverse("cases:merge", args=[source.pk]), {"target": target.reference})


def test_the_confirmation_shows_both_cases_and_says_which_way(
    client_for, supervisor, duplicate_cases
):
    source, target = duplicate_cases
    response = _confirm_page(client_for(supervisor), source, target)
    assert response.status_code == 200
    page = response.text
    words = re.sub(r"<[^>]+>", "", page)  # references are kept on one line by a <span>
    assert f"{source.reference} will be closed and merged INTO {target.reference}." in words
    # Both households, with their members and requests, side by side.
    assert "Gul Ahmad" in page and "Mariam" in page and "Sayed Rahim" in page
    for case in (source, target):
        for request in case.case_requests.all():
            assert request.request.receipt_number in page
    # The other direction is one link away, on its own page.
    swap = f"{reverse('cases:merge', args=[target.pk])}?target={source.reference}"
    assert swap in page
    assert not CaseMerge.objects.exists()  # looking merges nothing
    assert AuditEvent.objects.filter(action="view", summary__startswith="Compared").count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": "", "confirm": "on"}, "Say why these two cases are one household."),
        ({"reason": "same family"}, "Tick the box to confirm the merge and its direction."),
    ],
)
def test_a_merge_needs_a_reason_and_a_confirmation(
    client_for, supervisor, duplicate_cases, fields, message
):
    source, target = duplicate_cases
    response = client_for(supervisor).post(
        reverse("cases:merge", args=[source.pk]), {"target": target.reference, **fields}
    )
    assert response.status_code == 400 and message in response.text
    assert fields["reason"] in response.text  # what was typed is kept
    assert not CaseMerge.objects.exists()
    source.refresh_from_db()
    assert source.merged_into is None


@pytest.fixture
def merged(client_for, supervisor, caseworker, duplicate_cases):
    source, target = duplicate_cases
    before = {
        "source_status": Case.Status.IN_REVIEW,
        "target_members": set(target.members.values_list("id", flat=True)),
        "target_links": set(target.case_requests.values_list("id", flat=True)),
        "source_notes": set(source.notes.values_list("id", flat=True)),
    }
    Case.objects.filter(pk=source.pk).update(status=Case.Status.IN_REVIEW)
    assert _post_merge(client_for(supervisor), source, target.pk).status_code == 302
    return source, target, CaseMerge.objects.get(), before


def test_a_supervisor_undoes_a_merge_and_everything_goes_back(
    client_for, supervisor, caseworker, merged
):
    source, target, merge, before = merged
    # Work done on the target after the merge stays with it.
    later = note_create(case=target, author=caseworker, body="Phoned after the merge.")
    client = client_for(supervisor)
    page = client.get(reverse("cases:detail", args=[target.pk])).text
    assert reverse("cases:merge_undo", args=[merge.pk]) in page
    confirm = client.get(reverse("cases:merge_undo", args=[merge.pk]))
    assert confirm.status_code == 200 and "1 note goes back to" in confirm.text
    response = client.post(reverse("cases:merge_undo", args=[merge.pk]), {"reason": "two families"})
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[source.pk])
    source.refresh_from_db()
    assert source.status == Case.Status.IN_REVIEW and source.merged_into is None
    assert set(target.members.values_list("id", flat=True)) == before["target_members"]
    assert set(target.case_requests.values_list("id", flat=True)) == before["target_links"]
    assert not CaseMember.objects.filter(pk__in=merge.members_added).exists()
    assert not CaseRequest.objects.filter(pk__in=merge.requests_linked).exists()
    assert set(source.notes.values_list("id", flat=True)) == before["source_notes"]
    assert Note.objects.get(pk=later.pk).case_id == target.pk
    merge.refresh_from_db()
    assert merge.undone_by == supervisor and merge.undo_reason == "two families"
    assert CaseEvent.objects.filter(kind="merge_undone").count() == 2
    undo_audit = AuditEvent.objects.get(object_type="cases.casemerge", action="update")
    assert undo_audit.details["members_removed"] == merge.members_added
    assert undo_audit.details["reason"] == "two families"
    source_page = client.get(response.url).text
    assert "This case was merged into" not in source_page
    assert f"The merge into {target.reference} was undone" in source_page
    # And the pair can be merged again, once.
    assert _post_merge(client, source, target.pk).status_code == 302


def test_a_merge_cannot_be_undone_twice(client_for, supervisor, merged):
    _, _, merge, _ = merged
    client = client_for(supervisor)
    url = reverse("cases:merge_undo", args=[merge.pk])
    client.post(url, {"reason": "wrong"})
    response = client.post(url, {"reason": "again"})
    assert response.status_code == 400 and "This merge was already undone." in response.text
    assert CaseEvent.objects.filter(kind="merge_undone").count() == 2


def test_undo_needs_a_reason(client_for, supervisor, merged):
    source, _, merge, _ = merged
    response = client_for(supervisor).post(reverse("cases:merge_undo", args=[merge.pk]), {})
    assert response.status_code == 400 and "Say why the merge is wrong." in response.text
    source.refresh_from_db()
    assert source.merged_into_id is not None


def test_undo_is_refused_when_the_target_was_merged_on(client_for, supervisor, merged):
    source, target, merge, _ = merged
    third = _case_of(make_request(given_name="Hamida", father_name="Abdul Rahman"))
    client = client_for(supervisor)
    assert _post_merge(client, target, third.pk).status_code == 302
    response = client.post(reverse("cases:merge_undo", args=[merge.pk]), {"reason": "wrong"})
    assert response.status_code == 400
    assert f"{target.reference} was itself merged into {third.reference}" in response.text
    source.refresh_from_db()
    assert source.merged_into == target and not CaseMerge.objects.filter(undone_at__isnull=False)


def test_undo_is_refused_when_people_it_added_were_merged_since(
    client_for, supervisor, caseworker, merged
):
    _, _, merge, _ = merged
    added = CaseMember.objects.get(pk=merge.members_added[0])
    other = make_request(given_name="Zarghona", father_name="Noor Agha")
    _merge_people(client_for(caseworker), added.person_id, _principal(other))
    response = client_for(supervisor).post(
        reverse("cases:merge_undo", args=[merge.pk]), {"reason": "wrong"}
    )
    assert response.status_code == 400 and "merged or moved since" in response.text
    assert CaseMember.objects.filter(pk=added.pk).exists()


@pytest.mark.parametrize("persona", ["caseworker", "intake_officer", "outsider"])
def test_only_supervisors_may_undo_a_merge(client_for, request, persona, merged):
    source, _, merge, _ = merged
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse("cases:merge_undo", args=[merge.pk]), {"reason": "no"})
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.merged_into_id is not None
