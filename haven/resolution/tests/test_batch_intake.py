"""Intake in batches (spreadsheet chunks, the background drain): a later request of a batch
sees the people and cases an earlier request of the same batch created, as if they had
arrived one by one."""

from __future__ import annotations

import json

import pytest

from haven.cases.models import CaseMember, CaseRequest
from haven.intake.models import Channel
from haven.intake.services import NewRequest, PersonInput, RequestInput, requests_create_many
from haven.resolution.models import Person, PersonLink
from haven.resolution.realtime import frozen, packaged_scorer

pytestmark = pytest.mark.django_db

GUL = PersonInput(
    full_name="Gul Ahmad Ahmadzai",
    father_name="Din Mohammad",
    date_of_birth="12/04/1988",
    sex="m",
    identifiers=(("passport", "P01234567"),),
)
GUL_AGAIN = PersonInput(
    full_name="گل احمد احمدزی",
    father_name="Din Muhammad",
    date_of_birth="1988-04-12",
    identifiers=(("passport", "p 0123 4567"),),
)
WIFE = PersonInput(full_name="Fatima", relationship="spouse", date_of_birth="1990", sex="f")
STRANGER = PersonInput(full_name="Zarghuna Wardak", date_of_birth="1975", sex="f")


def _entry(*people: PersonInput) -> NewRequest:
    data = RequestInput(channel=Channel.SPREADSHEET, people=people)
    return NewRequest(data=data, raw_input=json.dumps({"n": len(people)}))


@pytest.fixture
def thresholds(settings):
    settings.HAVEN_RESOLUTION_THRESHOLDS = {"auto": 6.0, "review": 3.0}


@pytest.mark.usefixtures("thresholds")
@pytest.mark.parametrize("batches", [[3], [1, 1, 1], [2, 1]], ids=["together", "apart", "mixed"])
def test_a_person_twice_is_one_person_and_one_case_however_requests_are_batched(batches):
    entries = [_entry(GUL, WIFE), _entry(STRANGER), _entry(GUL_AGAIN)]
    created, start = [], 0
    for size in batches:
        created += requests_create_many(entries=entries[start : start + size], actor=None)
        start += size

    first, stranger, again = (c.request for c in created)
    link = PersonLink.objects.get(person_record__request=again)
    principal = PersonLink.objects.get(person_record__request=first, person_record__position=0)
    assert link.person == principal.person
    assert link.method == PersonLink.Method.RULE
    assert Person.objects.count() == 3  # Gul, Fatima, the stranger
    case = CaseRequest.objects.get(request=first).case
    assert CaseRequest.objects.get(request=again).case == case
    assert CaseRequest.objects.get(request=stranger).case != case
    # Gul is a member once, however many requests name him.
    assert CaseMember.objects.filter(case=case).count() == 2


def test_the_remembered_weight_is_the_evaluated_one():
    scorer = packaged_scorer()
    left = {"name_tokens": ["gul", "ahmad"], "name_key": "gulahmad", "dob_year": 1988}
    right = {"name_tokens": ["gul", "ahmd"], "name_key": "gulahmd", "dob_year": 1989}
    evaluated = scorer.score(left, right).weight
    assert scorer.weight(left, right) == pytest.approx(evaluated)  # lists: evaluated
    assert scorer.weight(frozen(left), frozen(right)) == pytest.approx(evaluated)  # remembered
    assert scorer.weight(frozen(left), frozen(right)) == pytest.approx(evaluated)  # looked up
