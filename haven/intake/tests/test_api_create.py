"""POST /api/v1/requests: what a partner system sends is stored, whole and verbatim."""

from __future__ import annotations

import json

import pytest

from haven.audit.models import AuditEvent
from haven.cases.models import CaseRequest
from haven.common import crypto
from haven.intake.models import Identifier, PersonRecord, Request
from haven.intake.tasks import pipeline_drain

from .api_helpers import error_of, example_body, issue_token, post

pytestmark = pytest.mark.django_db


def test_it_creates_the_request_with_its_household(
    partner_org_a, django_capture_on_commit_callbacks
):
    token = issue_token(partner_org_a)
    # Odd spacing and Arabic script: the raw input must keep exactly these bytes.
    raw = json.dumps(example_body(), ensure_ascii=False, indent=3)

    with django_capture_on_commit_callbacks(execute=True):  # the background worker's turn
        response = post(token, raw)

    assert response.status_code == 201
    out = response.json()
    request = Request.objects.get()
    assert out["id"] == request.pk
    assert out["receipt_number"] == request.receipt_number
    assert crypto.secret_matches(out["status_secret"], request.status_secret_hash)
    assert len(out["status_secret"]) >= 22  # 128 bits in URL-safe base64
    assert out["status"] == "received"
    assert out["people_count"] == 3
    assert out["needs_data_entry"] is False
    assert request.raw_input == raw
    assert request.channel == "api"
    assert request.requester is not None
    assert request.requester.organization == partner_org_a
    assert request.requester.name == "UNHCR Pakistan"
    assert request.entered_by is None
    assert (request.current_country, request.current_location) == ("PK", "Islamabad, G-9")
    assert request.help_requested.startswith("SIV applicant")
    assert (request.language, request.consent_version) == ("fa-af", "2021-08")
    assert CaseRequest.objects.filter(request=request).exists()
    assert request.pipeline_pending is False


def test_it_answers_before_matching_and_the_worker_attaches_the_case(partner_org_a):
    token = issue_token(partner_org_a)
    response = post(token, example_body())

    assert response.status_code == 201
    request = Request.objects.get()
    assert request.pipeline_pending is True
    assert not CaseRequest.objects.filter(request=request).exists()

    assert pipeline_drain.call() == 1

    request.refresh_from_db()
    assert request.pipeline_pending is False
    case_request = CaseRequest.objects.get(request=request)
    assert case_request.case.members.count() == 3
    assert pipeline_drain.call() == 0  # nothing left: a second drain does nothing


def test_people_are_read_from_the_raw_body_and_stored_by_the_worker(partner_org_a):
    response = post(issue_token(partner_org_a), example_body())

    assert response.status_code == 201
    request = Request.objects.get()
    assert request.people_pending is True
    assert not PersonRecord.objects.exists()  # the answer came after one write

    pipeline_drain.call()

    request.refresh_from_db()
    assert request.people_pending is False
    assert PersonRecord.objects.filter(request=request).count() == 3
    assert Identifier.objects.filter(person_record__request=request).count() == 5


def test_people_keep_names_and_dates_as_written(partner_org_a):
    post(issue_token(partner_org_a), example_body())
    pipeline_drain.call()

    principal, spouse, child = PersonRecord.objects.order_by("position")
    assert (principal.relationship, principal.given_name, principal.father_name) == (
        "principal",
        "Mohammad Zaman",
        "Gul Ahmad",
    )
    assert principal.dob_as_written == "1365/04/12"
    assert principal.dob is not None  # the Solar Hijri date was read
    assert (spouse.relationship, spouse.dob_as_written, spouse.dob_precision) == (
        "spouse",
        "1990",
        "year",
    )
    assert (child.relationship, child.full_name) == ("child", "ذبیح‌الله")
    kinds = sorted(
        Identifier.objects.filter(person_record=principal).values_list("kind", flat=True)
    )
    # The household's phone and e-mail are stored on the principal.
    assert kinds == ["e_tazkira", "email", "passport", "phone", "siv_case"]
    phone = Identifier.objects.get(person_record=principal, kind="phone")
    assert phone.value_as_written == "+93 700 123 456"
    assert phone.normalized == "+93700123456"


def test_the_first_person_is_the_principal_when_no_relationship_is_given(partner_org_a):
    body = {"people": [{"given_name": "Noor"}, {"given_name": "Gul"}]}
    assert post(issue_token(partner_org_a), body).status_code == 201
    pipeline_drain.call()
    assert list(PersonRecord.objects.values_list("relationship", flat=True)) == [
        "principal",
        "other",
    ]


def test_a_person_without_a_name_is_stored_for_data_entry(partner_org_a):
    response = post(issue_token(partner_org_a), {"people": [{"date_of_birth": "1380"}]})

    assert response.status_code == 201
    assert response.json()["needs_data_entry"] is True
    assert Request.objects.get().needs_data_entry


def test_each_create_is_audited_with_the_token_that_sent_it(partner_org_a):
    token = issue_token(partner_org_a)
    request_id = post(token, example_body()).json()["id"]

    event = AuditEvent.objects.get(object_type="intake.request", object_id=str(request_id))
    assert event.action == "create"
    assert event.details["api_token"] == token[:12]
    assert event.details["organization_id"] == partner_org_a.pk


def test_validation_errors_name_every_field(partner_org_a):
    body = example_body(colour="blue")
    body["people"][0]["sex"] = "z"
    body["people"][1]["dob"] = "1990"  # a misspelt field is refused, not silently dropped
    body["location"]["country"] = "Pakistan"

    response = post(issue_token(partner_org_a), body)

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    fields = {d["field"] for d in error["details"]}
    assert fields == {"colour", "people.0.sex", "people.1.dob", "location.country"}
    assert "people.0.sex" in error["message"]
    assert all(d["location"] == "body" for d in error["details"])
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"people": []},
        [],
        json.dumps("a string"),
        {"people": [{"given_name": "A\u0000B"}]},
        '{"people": [{"given_name": "\\ud800"}]}',
    ],
    ids=["no-people", "empty-people", "array", "string", "nul", "lone-surrogate"],
)
def test_shapes_that_cannot_be_a_request_are_422(partner_org_a, body):
    response = post(issue_token(partner_org_a), body)
    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_failed"
    assert not Request.objects.exists()


def test_an_empty_body_is_422_saying_a_body_is_required(partner_org_a):
    response = post(issue_token(partner_org_a), "")
    assert response.status_code == 422
    assert "body is required" in error_of(response)["details"][0]["message"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('{"people": [', "Malformed JSON at line 1"),
        (b'{"people": [{"given_name": "\xff"}]}', "not valid UTF-8"),
        ("[" * 100_000, "nested too deeply"),
    ],
    ids=["truncated", "not-utf8", "too-deep"],
)
def test_malformed_bodies_are_400_in_the_error_format(partner_org_a, raw, words):
    response = post(issue_token(partner_org_a), raw)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_json"
    assert words in error["message"]
    assert not Request.objects.exists()


def test_an_oversized_body_is_413_with_the_limit(partner_org_a, settings):
    settings.HAVEN_MAX_UPLOAD_BYTES = 4000
    body = example_body(help_requested="x" * 5000)

    response = post(issue_token(partner_org_a), body)

    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "payload_too_large"
    assert "the limit is 4000 bytes" in error["message"]
    assert error["details"] == [{"limit_bytes": 4000}]
    assert not Request.objects.exists()


def test_the_body_limit_never_exceeds_djangos_own(partner_org_a, settings):
    settings.HAVEN_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3000

    response = post(issue_token(partner_org_a), example_body(help_requested="x" * 5000))

    assert response.status_code == 413
    assert "the limit is 3000 bytes" in error_of(response)["message"]


def test_every_request_through_a_token_names_its_partner_system(partner_org_a):
    token = issue_token(partner_org_a)
    first = post(token, example_body()).json()["id"]
    second = post(token, example_body()).json()["id"]

    requesters = {r.requester for r in Request.objects.filter(pk__in=[first, second])}
    (requester,) = requesters
    assert requester is not None
    assert (requester.organization, requester.kind) == (partner_org_a, "international_org")
    assert requester.api_token is not None and token.startswith(requester.api_token.prefix)


@pytest.mark.parametrize("key", [None, "retry-key-1"])
def test_a_receipt_number_already_taken_is_drawn_again(partner_org_a, monkeypatch, key):
    token = issue_token(partner_org_a)
    taken = post(token, example_body()).json()["receipt_number"]
    draws = iter([taken, "HV-NEW00-NUMBR"])
    monkeypatch.setattr("haven.intake.services_deferred.new_receipt_number", lambda: next(draws))

    response = post(token, example_body(), key=key)

    assert response.status_code == 201
    assert response.json()["receipt_number"] == "HV-NEW00-NUMBR"
    assert Request.objects.count() == 2
    if key is not None:  # and a retry gets that answer again
        monkeypatch.undo()
        assert post(token, example_body(), key=key).json() == response.json()


def test_a_body_that_no_longer_reads_leaves_the_request_for_data_entry(partner_org_a, monkeypatch):
    post(issue_token(partner_org_a), example_body())

    def schema_changed_since(raw_body: str) -> None:
        raise ValueError("people.0.given_name: field required")

    # As if the API's schema had changed between the answer and the worker's turn.
    monkeypatch.setattr("haven.intake.api.reading.people_from_raw_body", schema_changed_since)

    assert pipeline_drain.call() == 1

    request = Request.objects.get()
    assert request.needs_data_entry is True
    assert request.people_pending is False
    assert not PersonRecord.objects.exists()
    assert request.raw_input  # what was sent is still there for staff
