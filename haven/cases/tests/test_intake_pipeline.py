"""The same household arriving through several channels lands in one case."""

from __future__ import annotations

import pytest

from haven.cases.models import Case, CaseEvent, CaseMember
from haven.intake.services import PersonInput

from .factories import make_request

pytestmark = pytest.mark.django_db

PASSPORT = (("passport", "P01234567"),)


def test_a_second_request_for_a_known_principal_joins_the_open_case():
    first = make_request(
        given_name="Mohammad Zaman",
        father_name="Gul Ahmad",
        family_name="Ahmadzai",
        identifiers=PASSPORT,
        members=(PersonInput(relationship="spouse", given_name="Fatima", date_of_birth="1990"),),
    )
    second = make_request(
        given_name="Muhammad Zaman",
        father_name="Gul Ahmad",
        family_name="Ahmadzai",
        channel="email",
        identifiers=PASSPORT,
        members=(PersonInput(relationship="child", given_name="Zabihullah", date_of_birth="2012"),),
    )
    case = Case.objects.get(case_requests__request=first.request)
    assert Case.objects.get(case_requests__request=second.request) == case
    assert Case.objects.count() == 1
    # Principal once, spouse from the first request, child from the second.
    assert CaseMember.objects.filter(case=case).count() == 3
    assert CaseEvent.objects.filter(case=case, kind="request_linked").exists()


def test_a_different_person_opens_a_case_of_their_own():
    make_request(given_name="Mohammad Zaman", father_name="Gul Ahmad", identifiers=PASSPORT)
    make_request(
        given_name="Hamida", father_name="Abdul Rahman", identifiers=(("passport", "P07654321"),)
    )
    assert Case.objects.count() == 2


def test_a_closed_case_is_not_reopened_by_a_new_request():
    first = make_request(given_name="Mohammad Zaman", father_name="Gul Ahmad", identifiers=PASSPORT)
    Case.objects.filter(case_requests__request=first.request).update(status="closed")
    make_request(given_name="Mohammad Zaman", father_name="Gul Ahmad", identifiers=PASSPORT)
    assert Case.objects.count() == 2
