"""A case opened by splitting a household is triaged like one intake opened."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.cases.models import Case
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.triage.models import GuidanceVersion, TriageDecision

pytestmark = pytest.mark.django_db


def test_the_new_case_of_a_split_is_triaged(
    active_guidance: GuidanceVersion, client_for, caseworker
) -> None:
    created = request_create(
        data=RequestInput(
            channel="walk_in",
            people=(
                PersonInput(given_name="Ahmad", father_name="Karim", date_of_birth="1985"),
                PersonInput(relationship="sibling", given_name="Habib", father_name="Karim"),
            ),
            current_country="PK",
        ),
        raw_input="{}",
    )
    case = Case.objects.get(case_requests__request=created.request)
    sibling = case.members.order_by("id").values_list("person_id", flat=True)[1]
    response = client_for(caseworker).post(
        reverse("cases:household", args=[case.pk]), {"action": "split", "people": [sibling]}
    )
    assert response.status_code == 302
    new = Case.objects.exclude(pk=case.pk).get()
    assert TriageDecision.objects.filter(case=new).exists()
    new.refresh_from_db()
    assert new.pathway


def test_a_request_completed_by_data_entry_is_triaged_on_its_people(
    active_guidance: GuidanceVersion, client_for, intake_officer
) -> None:
    waiting = request_create(
        data=RequestInput(channel="email", people=()),
        raw_input="From: someone@example.org\n\nplease help my family",
        raw_content_type="message/rfc822",
    ).request
    case = Case.objects.get(case_requests__request=waiting)
    before = TriageDecision.objects.filter(case=case).count()
    response = client_for(intake_officer).post(
        reverse("cases:data_entry_complete", args=[waiting.pk]),
        {
            "principal-given_name": "Gul Ahmad",
            "principal-date_of_birth": "1990",
            "request-requester_kind": "applicant",
            "request-current_country": "PK",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert TriageDecision.objects.filter(case=case).count() == before + 1
    case.refresh_from_db()
    assert case.pathway
