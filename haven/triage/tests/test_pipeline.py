"""The intake step triages the new request's case under the active guidance."""

from __future__ import annotations

import json

import pytest

from haven.intake.models import Channel
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.triage.models import CaseFacts, GuidanceVersion, TriageDecision

pytestmark = pytest.mark.django_db


def submit(facts: object) -> None:
    raw = json.dumps({"facts": facts, "people": [{"full_name": "Gul Ahmad"}]})
    request_create(
        data=RequestInput(
            channel=Channel.WEB_FORM,
            people=(
                PersonInput(full_name="Gul Ahmad"),
                PersonInput(full_name="Mariam", relationship="child"),
            ),
            current_country="pk",
        ),
        raw_input=raw,
    )


def test_a_new_request_is_triaged_with_the_active_guidance(
    active_guidance: GuidanceVersion,
) -> None:
    submit({"nationality": "AF", "employer_type": "us_based_media", "referral_source": "self"})
    decision = TriageDecision.objects.get()
    assert decision.reason == TriageDecision.Reason.INTAKE
    assert decision.pathway == "p2_needs_referral"
    assert decision.guidance == active_guidance
    assert decision.case.pathway == "p2_needs_referral"
    facts = CaseFacts.objects.get().facts
    assert facts["current_country"] == "PK"
    assert facts["dependants"] == 1
    assert decision.priority_breakdown["location"] == 10


def test_bad_answers_are_dropped_but_the_request_is_kept(
    active_guidance: GuidanceVersion,
) -> None:
    submit({"nationality": "AF", "employment_months": "lots", "is_us_citizen": True})
    facts = CaseFacts.objects.get().facts
    assert "employment_months" not in facts
    assert TriageDecision.objects.get().pathway == "us_citizen_or_lpr"


def test_without_active_guidance_facts_are_kept_and_nothing_decided() -> None:
    submit({"nationality": "AF"})
    assert CaseFacts.objects.get().facts["nationality"] == "AF"
    assert not TriageDecision.objects.exists()


def test_triage_at_intake_is_audited_once_per_case(active_guidance: GuidanceVersion) -> None:
    from haven.audit.models import AuditEvent

    submit({"nationality": "AF", "employer_type": "us_based_media", "referral_source": "self"})
    decision = TriageDecision.objects.get()
    (event,) = AuditEvent.objects.filter(
        action="update", object_type="cases.case", summary__startswith="Triaged"
    )
    assert event.object_id == str(decision.case_id)
    assert event.details["pathway"] == "p2_needs_referral"


def test_a_refused_activation_is_audited_once(client_for, caseworker, guidance_dir) -> None:
    from django.urls import reverse

    from haven.audit.models import AuditEvent

    from .conftest import store

    version = store("us-afghan-2021@1")
    response = client_for(caseworker).post(reverse("triage:guidance_activate", args=[version.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="denied").count() == 1
