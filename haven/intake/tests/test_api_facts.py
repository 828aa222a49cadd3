"""The partner API accepts the documented `facts` object, checks it, and triage uses it
(issue 11, item 4)."""

from __future__ import annotations

import pytest
from django.test import Client

from haven.cases.models import Case
from haven.intake.models import Request
from haven.intake.tasks import pipeline_drain
from haven.triage import library
from haven.triage import services as triage_services
from haven.triage.models import CaseFacts

from .api_helpers import error_of, example_body, issue_token, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def guidance(supervisor, django_capture_on_commit_callbacks):
    version = triage_services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        triage_services.guidance_activate(version=version, actor=supervisor)
    return version


def test_it_accepts_the_documented_facts_and_triage_decides_on_them(partner_org_a, guidance):
    facts = {
        "nationality": "af",  # lower case is accepted and upper-cased (docs/triage.md)
        "employer_type": "us_government",
        "employment_months": 14,
        "siv_stage": "none",
        "has_recommendation_letter": True,
        "vulnerabilities": ["imminent_threat"],
        "us_relative": None,  # null is unknown
    }
    response = post(issue_token(partner_org_a), example_body(facts=facts))

    assert response.status_code == 201, response.content
    assert pipeline_drain.call() == 1
    case = Case.objects.get(case_requests__request=Request.objects.get())
    stored = CaseFacts.objects.get(case=case).facts
    assert stored["nationality"] == "AF"
    assert stored["employer_type"] == "us_government"
    assert stored["employment_months"] == 14
    assert stored["vulnerabilities"] == ["imminent_threat"]
    assert "us_relative" not in stored
    assert case.pathway == "siv_apply"
    decision = case.triage_decisions.get()
    assert decision.facts_used["employment_months"] == 14


def test_wrong_facts_are_422_naming_every_fact_beside_the_other_fields(partner_org_a):
    body = example_body(
        facts={
            "employment_months": "twelve",
            "employer_type": "us_govt",
            "employment_month": 3,
            "is_us_citizen": "yes",
            "days_waiting": 40,
            "nationality": "AF",  # fine
        }
    )
    body["location"]["country"] = "Pakistan"

    response = post(issue_token(partner_org_a), body)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    details = {d["field"]: d for d in error["details"]}
    assert set(details) == {
        "facts.employment_months",
        "facts.employer_type",
        "facts.employment_month",
        "facts.is_us_citizen",
        "facts.days_waiting",
        "location.country",
    }
    assert details["facts.employment_months"]["message"] == (
        "employment_months: must be a whole number, not 'twelve'"
    )
    assert "'us_govt' is not one of us_government," in details["facts.employer_type"]["message"]
    assert "did you mean employment_months?" in details["facts.employment_month"]["message"]
    assert "must be true or false" in details["facts.is_us_citizen"]["message"]
    assert "worked out by Haven" in details["facts.days_waiting"]["message"]
    assert all(d["location"] == "body" for d in error["details"])
    assert "facts.employment_months" in error["message"]
    assert not Request.objects.exists()


def test_facts_must_be_an_object(partner_org_a):
    response = post(issue_token(partner_org_a), example_body(facts=["employment_months"]))
    assert response.status_code == 422
    assert {d["field"] for d in error_of(response)["details"]} == {"facts"}


def test_the_schema_documents_the_facts_object():
    schema = Client().get("/api/v1/schema").json()
    request_in = schema["components"]["schemas"]["RequestIn"]
    assert "facts" in request_in["properties"]
    assert "employment_months" in request_in["properties"]["facts"]["description"]
    assert "facts" in request_in["examples"][0]
