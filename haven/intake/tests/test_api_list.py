"""GET /api/v1/requests: an organisation sees its own requests, a page at a time."""

from __future__ import annotations

import pytest

from haven.audit.models import AuditEvent
from haven.intake.models import Channel, PersonRecord, Request
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.intake.tasks import pipeline_drain

from .api_helpers import error_of, example_body, get, issue_token, post

pytestmark = pytest.mark.django_db


def send(token: str, count: int) -> list[str]:
    return [
        post(token, example_body(help_requested=f"request {i}")).json()["receipt_number"]
        for i in range(count)
    ]


def test_each_organisation_sees_only_what_it_sent(partner_org_a, partner_org_b, intake_officer):
    token_a, token_b = issue_token(partner_org_a), issue_token(partner_org_b)
    sent_a, sent_b = send(token_a, 3), send(token_b, 2)
    request_create(
        data=RequestInput(channel=Channel.WALK_IN, people=(PersonInput(given_name="Noor"),)),
        raw_input="{}",
        actor=intake_officer,
    )

    page_a, page_b = get(token_a).json(), get(token_b).json()

    assert page_a["count"] == 3
    assert {r["receipt_number"] for r in page_a["results"]} == set(sent_a)
    assert page_b["count"] == 2
    assert {r["receipt_number"] for r in page_b["results"]} == set(sent_b)
    assert Request.objects.count() == 6


def test_a_new_token_of_the_same_organisation_sees_the_same_requests(partner_org_a):
    sent = send(issue_token(partner_org_a), 1)
    assert [r["receipt_number"] for r in get(issue_token(partner_org_a)).json()["results"]] == sent


def test_results_carry_minimal_fields_only(partner_org_a):
    token = issue_token(partner_org_a)
    (receipt,) = send(token, 1)

    (row,) = get(token).json()["results"]

    assert set(row) == {"id", "receipt_number", "received_at", "status", "outcome", "people_count"}
    request = Request.objects.get(receipt_number=receipt)
    assert row["id"] == request.pk
    assert row["status"] == "received"
    assert row["people_count"] == 3  # counted while the people wait for the worker
    pipeline_drain.call()
    (row,) = get(token).json()["results"]
    assert row["people_count"] == PersonRecord.objects.filter(request=request).count() == 3


def test_pages_are_newest_first_and_complete(partner_org_a):
    token = issue_token(partner_org_a)
    sent = send(token, 5)

    pages = [get(token, page=n, page_size=2).json() for n in (1, 2, 3, 4)]

    assert [p["count"] for p in pages] == [5, 5, 5, 5]
    assert [p["pages"] for p in pages] == [3, 3, 3, 3]
    assert [len(p["results"]) for p in pages] == [2, 2, 1, 0]
    listed = [r["receipt_number"] for p in pages for r in p["results"]]
    assert listed == list(reversed(sent))


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page": 0}, "page"), ({"page_size": 201}, "page_size"), ({"page": "two"}, "page")],
)
def test_bad_paging_is_422_naming_the_parameter(partner_org_a, params, field):
    response = get(issue_token(partner_org_a), **params)

    assert response.status_code == 422
    details = error_of(response)["details"]
    assert [(d["field"], d["location"]) for d in details] == [(field, "query")]


def test_each_list_is_audited(partner_org_a):
    token = issue_token(partner_org_a)
    get(token, page=1)
    event = AuditEvent.objects.get(object_type="intake.request", action="view")
    assert event.details == {
        "api_token": token[:12],
        "organization_id": partner_org_a.pk,
        "page": 1,
        "results": 0,
    }
