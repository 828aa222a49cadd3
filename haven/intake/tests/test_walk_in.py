from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseMember
from haven.intake.models import Identifier, PersonRecord, Request

pytestmark = pytest.mark.django_db

URL = reverse("intake:walk_in")


def walk_in_post(**overrides: str) -> dict[str, str]:
    data = {
        "principal-given_name": "Mohammad Zaman",
        "principal-father_name": "Gul Ahmad",
        "principal-family_name": "Ahmadzai",
        "principal-sex": "m",
        "principal-date_of_birth": "1365/04/12",
        "principal-passport": "p 1234 5678",
        "principal-e_tazkira": "1398-0102-34567",
        "principal-siv_case": "KBL0012345",
        "request-phone": "0700 123 456",
        "request-email": "",
        "request-current_country": "PK",
        "request-current_location": "Islamabad",
        "request-province": "Nangarhar",
        "request-help_requested": "SIV in process; family in danger",
        "request-requester_kind": "applicant",
        "request-requester_name": "",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-relationship": "spouse",
        "members-0-given_name": "Fatima",
        "members-0-father_name": "Abdul Rahman",
        "members-0-sex": "f",
        "members-0-date_of_birth": "1990",
        "members-1-relationship": "child",
        "members-1-full_name": "زبیح‌الله",
        "members-1-sex": "m",
        "members-1-date_of_birth": "01/01/2012",
    }
    data.update(overrides)
    return data


def test_it_stores_a_walk_in_request_with_its_household(client_for, intake_officer):
    client = client_for(intake_officer)
    response = client.post(URL, walk_in_post())
    assert response.status_code == 302
    request = Request.objects.get()
    assert response["Location"] == reverse("intake:receipt", args=[request.receipt_number])
    assert request.channel == "walk_in"
    assert request.entered_by == intake_officer
    assert request.current_country == "PK"
    assert json.loads(request.raw_input)["principal-given_name"] == ["Mohammad Zaman"]
    records = list(PersonRecord.objects.order_by("position"))
    assert [r.relationship for r in records] == ["principal", "spouse", "child"]
    principal, spouse, child = records
    assert principal.dob is not None and principal.dob.year == 1986  # 1365 SH
    assert "dob_solar_hijri" in principal.flags
    assert spouse.dob_precision == "year"
    assert child.dob_precision == "approximate"  # 1 January
    assert "zbyh" in child.search_text or "zabih" in child.search_text
    case = Case.objects.get()
    assert case.display_name.startswith("Mohammad Zaman")
    assert CaseMember.objects.filter(case=case).count() == 3


def test_it_encrypts_identifiers_and_finds_them_by_keyed_hash(client_for, intake_officer):
    client_for(intake_officer).post(URL, walk_in_post())
    passport = Identifier.objects.get(kind="passport")
    assert passport.normalized == "P12345678"
    assert "12345678" not in passport.normalized_encrypted
    assert "12345678" not in passport.value_as_written_encrypted
    phone = Identifier.objects.get(kind="phone")
    assert phone.normalized == "+93700123456"
    tazkira = Identifier.objects.get(kind="e_tazkira")
    assert tazkira.normalized == "1398010234567" and tazkira.is_valid


def test_the_receipt_shows_the_secret_to_its_officer_only(client_for, intake_officer, supervisor):
    client = client_for(intake_officer)
    response = client.post(URL, walk_in_post(), follow=True)
    request = Request.objects.get()
    assert request.receipt_number in response.text
    assert 'data-testid="status-secret"' in response.text
    # Kept for a short while for the officer who saved it (test_receipt_secret.py), never
    # for anyone else.
    again = client_for(supervisor).get(reverse("intake:receipt", args=[request.receipt_number]))
    assert again.status_code == 200
    assert 'data-testid="status-secret"' not in again.text
    # Nothing on the paper says who the requester is.
    assert "Mohammad" not in again.text


def test_it_keeps_everything_typed_when_a_field_is_wrong(client_for, intake_officer):
    response = client_for(intake_officer).post(
        URL,
        walk_in_post(**{"principal-date_of_birth": "sometime in spring", "request-phone": "12"}),
    )
    assert response.status_code == 400
    assert "This date was not understood" in response.text
    assert "phone number was not understood" in response.text
    assert 'value="Mohammad Zaman"' in response.text
    assert 'value="sometime in spring"' in response.text
    assert "زبیح‌الله" in response.text
    assert Request.objects.count() == 0


def test_it_requires_a_name_for_the_principal(client_for, intake_officer):
    data = walk_in_post(
        **{"principal-given_name": "", "principal-father_name": "", "principal-family_name": ""}
    )
    response = client_for(intake_officer).post(URL, data)
    assert response.status_code == 400
    assert "at least one name for the principal" in response.text


@pytest.mark.parametrize("persona", ["partner_a", "outsider"])
def test_roles_without_intake_rights_cannot_enter_requests(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, walk_in_post()).status_code == 403
    assert Request.objects.count() == 0


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_raw_input_cannot_be_changed_even_from_sql(client_for, intake_officer):
    client_for(intake_officer).post(URL, walk_in_post())
    request = Request.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE intake_request SET raw_input = 'tampered' WHERE id = %s", [request.pk]
        )
    request.refresh_from_db()
    assert "tampered" not in request.raw_input


def test_creating_a_request_is_audited_with_the_officer_and_address(client_for, intake_officer):
    client_for(intake_officer).post(URL, walk_in_post(), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="create", object_type="intake.request")
    assert event.actor == intake_officer
    assert event.ip_address == "10.1.2.3"
