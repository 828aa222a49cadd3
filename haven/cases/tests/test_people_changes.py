"""Case members follow merges of people: by hand, by a reviewer's "same", undone, by a batch run."""

from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.urls import reverse

from haven.cases.models import Case, CaseEvent, CaseMember, CaseMemberChange
from haven.intake.models import Channel, PersonRecord
from haven.intake.services import CreatedRequest, PersonInput, RequestInput, request_create
from haven.resolution.models import Person, PersonLink, PersonMerge, ReviewItem
from haven.resolution.services import batch_people_changed_notify, people_changed_handlers

from .factories import make_request

pytestmark = pytest.mark.django_db

PASSPORT = (("passport", "P01234567"),)


def _case_of(created: CreatedRequest) -> Case:
    return Case.objects.get(case_requests__request=created.request)


def _person_of(record: PersonRecord) -> int:
    return PersonLink.objects.get(person_record=record, ended_at__isnull=True).person_id


def _principal_person(created: CreatedRequest) -> int:
    return _person_of(created.request.person_records.get(relationship="principal"))


def _household_people(case: Case) -> list[int]:
    return sorted(
        CaseMember.objects.filter(case=case, merged_into__isnull=True).values_list(
            "person_id", flat=True
        )
    )


@pytest.fixture
def two_cases():
    """Two requests, two people, two open cases: what resolution did not know was one man."""
    first = make_request(given_name="Gul Ahmad", father_name="Din Mohammad")
    second = make_request(given_name="Sayed Rahim", father_name="Noor Agha")
    return first, second


def test_merging_two_people_moves_the_case_member_and_flags_the_duplicate_cases(
    client_for, caseworker, two_cases
):
    first, second = two_cases
    source, target = _principal_person(first), _principal_person(second)
    c1, c2 = _case_of(first), _case_of(second)
    response = client_for(caseworker).post(
        reverse("resolution:person_merge", args=[source]),
        {"target": target, "reason": "same tazkira"},
    )
    assert response.status_code == 302
    merge = PersonMerge.objects.get()
    # The member row of the first case now points at the survivor: one row, not two.
    assert _household_people(c1) == [target] and _household_people(c2) == [target]
    assert not CaseMember.objects.filter(person_id=source).exists()
    c1.refresh_from_db()
    assert c1.principal_id == target
    change = CaseMemberChange.objects.get()
    assert (change.kind, change.from_person_id, change.to_person_id) == (
        "repointed",
        source,
        target,
    )
    assert change.merge == merge and change.created_by == caseworker and change.principal_moved
    event = CaseEvent.objects.get(case=c1, kind="people_merged")
    assert f"person {source}" in event.description and "same tazkira" in event.description
    # Each of the two open cases is told about the other.
    assert c2.reference in CaseEvent.objects.get(case=c1, kind="possible_duplicate").description
    assert c1.reference in CaseEvent.objects.get(case=c2, kind="possible_duplicate").description
    page = client_for(caseworker).get(reverse("cases:detail", args=[c2.pk])).text
    assert "possible duplicate case:" in page and c1.reference in page
    assert "People merged" in client_for(caseworker).get(reverse("cases:detail", args=[c1.pk])).text


def test_unmerge_gives_the_case_its_member_back(client_for, caseworker, supervisor, two_cases):
    first, second = two_cases
    source, target = _principal_person(first), _principal_person(second)
    c1, c2 = _case_of(first), _case_of(second)
    client_for(caseworker).post(
        reverse("resolution:person_merge", args=[source]), {"target": target, "reason": "x"}
    )
    merge = PersonMerge.objects.get()
    response = client_for(supervisor).post(
        reverse("resolution:person_unmerge", args=[merge.pk]), {"reason": "different fathers"}
    )
    assert response.status_code == 302
    assert _household_people(c1) == [source] and _household_people(c2) == [target]
    c1.refresh_from_db()
    assert c1.principal_id == source
    change = CaseMemberChange.objects.get()  # kept, marked undone: nothing deleted
    assert change.undone_by == supervisor and change.undone_at is not None
    event = CaseEvent.objects.get(case=c1, kind="people_unmerged")
    assert "different fathers" in event.description
    page = client_for(caseworker).get(reverse("cases:detail", args=[c2.pk])).text
    assert "possible duplicate case:" not in page


def test_a_person_merged_into_someone_already_in_the_case_is_folded_not_duplicated(
    client_for, caseworker, supervisor
):
    # The same principal (by passport) brings two requests into one case; each names a
    # spouse whom resolution saw as two people.
    first = make_request(
        given_name="Mohammad Zaman",
        father_name="Gul Ahmad",
        identifiers=PASSPORT,
        members=(PersonInput(relationship="spouse", given_name="Fatima", date_of_birth="1990"),),
    )
    second = make_request(
        given_name="Muhammad Zaman",
        father_name="Gul Ahmad",
        identifiers=PASSPORT,
        members=(PersonInput(relationship="spouse", given_name="Bibi Gul", date_of_birth="1979"),),
    )
    case = _case_of(first)
    assert _case_of(second) == case
    spouse_a = _person_of(first.request.person_records.get(relationship="spouse"))
    spouse_b = _person_of(second.request.person_records.get(relationship="spouse"))
    assert len(_household_people(case)) == 3
    client = client_for(caseworker)
    client.post(
        reverse("resolution:person_merge", args=[spouse_b]), {"target": spouse_a, "reason": "x"}
    )
    assert spouse_b not in _household_people(case) and len(_household_people(case)) == 2
    folded = CaseMember.objects.get(case=case, person_id=spouse_b)  # kept, out of the household
    assert folded.merged_into is not None and folded.merged_into.person_id == spouse_a
    assert CaseMemberChange.objects.get().kind == "folded"
    # The page lists the household once: no line for the folded row.
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    assert page.count(reverse("resolution:person_detail", args=[spouse_b])) == 0
    assert "possible duplicate case:" not in page
    client_for(supervisor).post(
        reverse("resolution:person_unmerge", args=[PersonMerge.objects.get().pk]),
        {"reason": "two wives"},
    )
    assert len(_household_people(case)) == 3


@pytest.fixture
def fixed_thresholds(settings):
    settings.HAVEN_RESOLUTION_THRESHOLDS = {"auto": 6.0, "review": 3.0}


def _submit(person: PersonInput) -> CreatedRequest:
    data = RequestInput(channel=Channel.WALK_IN, people=(person,))
    return request_create(data=data, raw_input=json.dumps({"name": person.full_name}))


def test_a_reviewers_same_decision_moves_the_case_member(client_for, caseworker, fixed_thresholds):
    karimi = PersonInput(father_name="Abdul Karim", province="Kabul")
    first = _submit(replace(karimi, full_name="Ahmad Karimi", date_of_birth="1990"))
    second = _submit(replace(karimi, full_name="Ahmed Karimi", date_of_birth="1991"))
    item = ReviewItem.objects.get()
    client_for(caseworker).post(
        reverse("resolution:review_item", args=[item.pk]), {"decision": "same"}
    )
    survivor = _principal_person(first)
    assert _principal_person(second) == survivor
    assert _household_people(_case_of(first)) == [survivor]
    assert _household_people(_case_of(second)) == [survivor]
    assert CaseEvent.objects.filter(kind="possible_duplicate").count() == 2


def test_without_the_handler_resolution_leaves_cases_alone(client_for, caseworker, two_cases):
    first, second = two_cases
    source, target = _principal_person(first), _principal_person(second)
    with people_changed_handlers.replaced({}):
        client_for(caseworker).post(
            reverse("resolution:person_merge", args=[source]), {"target": target, "reason": "x"}
        )
    assert PersonMerge.objects.exists()
    assert _household_people(_case_of(first)) == [source]


def test_a_failing_handler_rolls_the_merge_back(client_for, caseworker, two_cases):
    first, second = two_cases
    source, target = _principal_person(first), _principal_person(second)
    client = client_for(caseworker)
    client.raise_request_exception = False
    with people_changed_handlers.replaced({"failing": failing_handler}):
        client.post(
            reverse("resolution:person_merge", args=[source]), {"target": target, "reason": "x"}
        )
    assert not PersonMerge.objects.exists()
    assert Person.objects.get(pk=source).merged_into_id is None


def failing_handler(**kwargs: object) -> None:
    raise RuntimeError("downstream refused")


GUL = PersonInput(father_name="Din Mohammad", date_of_birth="12/04/1988", province="Kunduz")
GUL_NAMES = ("Gul Ahmad Ahmadzai", "گل احمد احمدزی", "Gul Ahmad")


def _resolve() -> dict:
    out = io.StringIO()
    call_command("resolve", "--auto-threshold", "6", "--review-threshold", "3", stdout=out)
    text = out.getvalue()
    return json.loads(text[text.index("{") :])


def test_a_batch_run_that_links_people_moves_their_case_members(settings):
    # Intake finds nothing (threshold out of reach); the batch run links the three records.
    settings.HAVEN_RESOLUTION_THRESHOLDS = {"auto": 1000.0, "review": 999.0}
    created = [_submit(replace(GUL, full_name=name)) for name in GUL_NAMES]
    cases = [_case_of(c) for c in created]
    assert len({c.pk for c in cases}) == 3
    summary = _resolve()
    assert summary["people_merged"] == 2
    survivor = _principal_person(created[0])
    for case in cases:
        assert _household_people(case) == [survivor]
        assert CaseEvent.objects.filter(case=case, kind="possible_duplicate").exists()
    moved = CaseMemberChange.objects.filter(merge__isnull=False)
    assert moved.count() == 2 and {c.created_by_id for c in moved} == {None}
    assert all("batch run #" in c.reason for c in moved)
    # A second run changes nothing, in cases either.
    _resolve()
    assert CaseMemberChange.objects.count() == 2


def test_a_record_split_off_by_a_batch_run_brings_its_new_person_into_the_case():
    first = make_request(given_name="Mohammad Zaman", father_name="Gul Ahmad", identifiers=PASSPORT)
    second = make_request(
        given_name="Muhammad Zaman", father_name="Gul Ahmad", identifiers=PASSPORT
    )
    case = _case_of(first)
    record = second.request.person_records.get()
    person = _person_of(record)
    assert _case_of(second) == case and _household_people(case) == [person]
    # What a batch run writes when it decides the second record is someone else.
    newcomer = Person.objects.create(display_name="Muhammad Zaman")
    link = PersonLink.objects.get(person_record=record, ended_at__isnull=True)
    PersonLink.objects.filter(pk=link.pk).update(ended_at=link.created_at)
    PersonLink.objects.create(person_record=record, person=newcomer, method="rule", replaces=link)
    batch_people_changed_notify(
        moves=[(record.pk, person, newcomer.pk)], merges=[], reason="batch run #1 (duckdb)"
    )
    # The first record is still the old person's, so both are in the household now.
    assert _household_people(case) == sorted([person, newcomer.pk])
    change = CaseMemberChange.objects.get()
    assert (change.kind, change.from_person_id, change.to_person_id) == (
        "added",
        person,
        newcomer.pk,
    )
    event = CaseEvent.objects.get(case=case, kind="people_relinked")
    assert "batch run #1" in event.description and "added" in event.description
