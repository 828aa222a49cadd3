"""A supervisor merges a duplicate case into another, from the case page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent, CaseMember, CaseMerge, CaseRequest, Note
from haven.cases.services import note_create
from haven.intake.models import PersonRecord
from haven.intake.services import CreatedRequest, PersonInput
from haven.resolution.models import PersonLink, PersonMerge

from .factories import make_request

pytestmark = pytest.mark.django_db


def _case_of(created: CreatedRequest) -> Case:
    return Case.objects.get(case_requests__request=created.request)


def _person_of(record: PersonRecord) -> int:
    return PersonLink.objects.get(person_record=record, ended_at__isnull=True).person_id


def _principal(created: CreatedRequest) -> int:
    return _person_of(created.request.person_records.get(relationship="principal"))


def _merge_people(client, source: int, target: int) -> None:
    response = client.post(
        reverse("resolution:person_merge", args=[source]), {"target": target, "reason": "same"}
    )
    assert response.status_code == 302


@pytest.fixture
def duplicate_cases(client_for, caseworker):
    """Two open cases that share a person after a merge of people; the first has a spouse
    and a note, the second a note."""
    first = make_request(
        given_name="Gul Ahmad",
        father_name="Din Mohammad",
        members=(PersonInput(relationship="spouse", given_name="Mariam", date_of_birth="1990"),),
    )
    second = make_request(given_name="Sayed Rahim", father_name="Noor Agha")
    source, target = _case_of(first), _case_of(second)
    note_create(case=source, author=caseworker, body="Called the family.")
    note_create(case=target, author=caseworker, body="Visited the office.")
    _merge_people(client_for(caseworker), _principal(first), _principal(second))
    return source, target


def _post_merge(client, source: Case, target: object, reason: str = "one household"):
    return client.post(
        reverse("cases:merge", args=[source.pk]),
        {"target": target, "reason": reason, "confirm": "on"},
    )


def test_the_page_shows_the_possible_duplicate_and_offers_supervisors_the_merge(
    client_for, caseworker, supervisor, duplicate_cases
):
    source, target = duplicate_cases
    url = reverse("cases:detail", args=[source.pk])
    as_supervisor = client_for(supervisor).get(url).text
    assert "possible duplicate case:" in as_supervisor and target.reference in as_supervisor
    assert f"Compare with {target.reference} and merge" in as_supervisor
    # One way in, to a page that shows both cases: no pair of opposite merge buttons.
    assert as_supervisor.count(reverse("cases:merge", args=[source.pk])) == 2
    assert reverse("cases:merge", args=[target.pk]) not in as_supervisor
    as_caseworker = client_for(caseworker).get(url).text
    assert "possible duplicate case:" in as_caseworker
    assert f"Compare with {target.reference} and merge" not in as_caseworker


def test_a_supervisor_merges_a_case_into_another(client_for, supervisor, duplicate_cases):
    source, target = duplicate_cases
    client = client_for(supervisor)
    source_requests = set(source.case_requests.values_list("request_id", flat=True))
    response = _post_merge(client, source, target.reference, "one household")
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[target.pk])
    source.refresh_from_db()
    assert source.status == Case.Status.CLOSED and source.merged_into == target
    # Members the target lacked were added once; the shared person is not doubled.
    target_people = list(target.members.values_list("person_id", flat=True))
    assert len(target_people) == len(set(target_people)) == 2
    assert set(source.members.values_list("person_id", flat=True)) <= set(target_people)
    # The source keeps its own rows: its requests are linked to the target too.
    assert source_requests <= set(target.case_requests.values_list("request_id", flat=True))
    assert CaseRequest.objects.filter(case=source).count() == len(source_requests)
    assert set(Note.objects.filter(case=target).values_list("body", flat=True)) == {
        "Called the family.",
        "Visited the office.",
    }
    merge = CaseMerge.objects.get()
    assert merge.created_by == supervisor and merge.reason == "one household"
    assert merge.source_status == "new" and len(merge.notes_moved) == 1
    assert len(merge.members_added) == 1 and len(merge.requests_linked) == 1
    assert AuditEvent.objects.filter(object_type="cases.casemerge", action="create").exists()
    assert AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(source.pk), action="update"
    ).exists()
    assert CaseEvent.objects.filter(case=source, kind="merged_into").exists()
    assert source.reference in CaseEvent.objects.get(case=target, kind="merged_from").description
    page = client.get(response.url).text
    assert f"{source.reference} was merged into {target.reference}" in page
    assert "Called the family." in page and "Mariam" in page
    assert "possible duplicate case:" not in page  # the other case is closed now
    source_page = client.get(reverse("cases:detail", args=[source.pk])).text
    assert f"This case was merged into {target.reference}" in source_page


@pytest.mark.parametrize("persona", ["caseworker", "intake_officer", "partner_a", "outsider"])
def test_only_supervisors_may_merge_cases(client_for, request, persona, duplicate_cases):
    source, target = duplicate_cases
    response = _post_merge(client_for(request.getfixturevalue(persona)), source, target.pk)
    assert response.status_code == 403
    source.refresh_from_db()
    assert source.status == "new" and source.merged_into is None
    assert not CaseMerge.objects.exists()


def test_an_admin_may_merge_cases(client_for, admin_user, duplicate_cases):
    source, target = duplicate_cases
    assert _post_merge(client_for(admin_user), source, target.pk).status_code == 302
    assert CaseMerge.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nonsense", "Give a case number such as C-0000042."),
        ("", "Give a case number such as C-0000042."),
        ("C-0099999", "There is no case C-0099999."),
        ("self", "A case cannot be merged into itself."),
    ],
)
def test_a_wrong_target_is_refused_with_a_message(
    client_for, supervisor, duplicate_cases, given, message
):
    source, _ = duplicate_cases
    client = client_for(supervisor)
    response = _post_merge(client, source, source.reference if given == "self" else given)
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[source.pk])
    assert message in client.get(response.url).text
    assert not CaseMerge.objects.exists()


def test_a_case_merged_once_cannot_be_merged_again_nor_be_merged_into(
    client_for, supervisor, duplicate_cases
):
    source, target = duplicate_cases
    third = _case_of(make_request(given_name="Hamida", father_name="Abdul Rahman"))
    client = client_for(supervisor)
    _post_merge(client, source, target.pk)
    response = _post_merge(client, source, third.pk)
    assert response.status_code == 400
    assert f"{source.reference} was already merged into {target.reference}." in response.text
    response = _post_merge(client, third, source.pk)
    assert f"merge into {target.reference} instead" in response.text
    assert CaseMerge.objects.count() == 1


def test_a_closed_target_is_refused(client_for, supervisor, duplicate_cases):
    source, target = duplicate_cases
    Case.objects.filter(pk=target.pk).update(status=Case.Status.CLOSED)
    client = client_for(supervisor)
    response = _post_merge(client, source, target.pk)
    assert response.status_code == 400 and f"{target.reference} is closed" in response.text
    assert not CaseMerge.objects.exists()


def _page_queries(client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    return len(queries)


def test_the_duplicate_notice_costs_the_same_queries_however_many_cases(
    client_for, caseworker, supervisor
):
    """Pinned: the notice reads every possible duplicate in one query."""
    hub = make_request(given_name="Gul Ahmad", father_name="Din Mohammad")
    hub_person, hub_case = _principal(hub), _case_of(hub)
    merger = client_for(caseworker)
    client = client_for(supervisor)
    counts = []
    for name in ("Sayed Rahim", "Hamida", "Zarghona"):
        other = make_request(given_name=name, father_name="Noor Agha")
        # The other case's principal is the hub's person now: one more duplicate case.
        _merge_people(merger, _principal(other), hub_person)
        counts.append(_page_queries(client, hub_case))
    page = client.get(reverse("cases:detail", args=[hub_case.pk])).text
    assert page.count("possible duplicate case:") == 3
    assert counts[0] == counts[1] == counts[2]


def test_the_case_list_counts_a_folded_member_once(client_for, supervisor, caseworker):
    passport = (("passport", "P01234567"),)
    first = make_request(
        given_name="Mohammad Zaman",
        father_name="Gul Ahmad",
        identifiers=passport,
        members=(PersonInput(relationship="spouse", given_name="Fatima", date_of_birth="1990"),),
    )
    second = make_request(
        given_name="Muhammad Zaman",
        father_name="Gul Ahmad",
        identifiers=passport,
        members=(PersonInput(relationship="spouse", given_name="Bibi Gul", date_of_birth="1979"),),
    )
    case = _case_of(first)
    spouses = [
        _person_of(c.request.person_records.get(relationship="spouse")) for c in (first, second)
    ]
    _merge_people(client_for(caseworker), spouses[1], spouses[0])
    assert CaseMember.objects.filter(case=case).count() == 3  # the folded row is kept
    listed = client_for(supervisor).get(reverse("cases:list")).context["page"].object_list
    assert [c.member_count for c in listed] == [2]


def test_undoing_the_merge_of_people_after_the_cases_were_merged_keeps_the_household_whole(
    client_for, caseworker, supervisor, duplicate_cases
):
    source, target = duplicate_cases
    client = client_for(supervisor)
    _post_merge(client, source, target.pk)
    merge = PersonMerge.objects.get()
    client.post(reverse("resolution:person_unmerge", args=[merge.pk]), {"reason": "two men"})
    # The closed source has its own principal back, and the open case now holds him too.
    assert merge.source_id in source.members.values_list("person_id", flat=True)
    assert merge.source_id in target.members.values_list("person_id", flat=True)
    assert merge.target_id in target.members.values_list("person_id", flat=True)
    page = client_for(caseworker).get(reverse("cases:detail", args=[target.pk])).text
    assert f"restored in {source.reference}" in page
