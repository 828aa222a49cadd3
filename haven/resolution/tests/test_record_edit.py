"""Staff correct a person record: a new version, audited, in the case history, matched again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent
from haven.cases.tests.factories import make_request
from haven.intake.models import PersonRecord
from haven.resolution.models import MatchProfile, Person, PersonLink, RecordVersion, ReviewItem

pytestmark = pytest.mark.django_db


def _record(created) -> PersonRecord:
    return PersonRecord.objects.get(request=created.request, position=0)


def _person(record: PersonRecord) -> Person:
    return PersonLink.objects.get(person_record=record, ended_at__isnull=True).person


def _form(**values) -> dict[str, str]:
    data = {
        "full_name": "",
        "given_name": "Ahmad",
        "family_name": "",
        "father_name": "Karim",
        "sex": "",
        "date_of_birth": "1985",
        "reason": "",
        "rows": "3",
    }
    data.update(values)
    return data


def _post(client, record: PersonRecord, **values):
    return client.post(reverse("resolution:record_edit", args=[record.pk]), _form(**values))


def test_a_caseworker_corrects_a_record_as_a_new_version(client_for, caseworker):
    created = make_request(given_name="Ahmed", father_name="Karim")
    record = _record(created)
    person = _person(record)
    case = Case.objects.get(case_requests__request=created.request)
    profile_before = MatchProfile.objects.get(person_record=record).data
    client = client_for(caseworker)
    form = client.get(reverse("resolution:record_edit", args=[record.pk]))
    assert form.status_code == 200
    assert 'value="Ahmed"' in form.text
    response = _post(
        client, record, given_name="Ahmad Shah", date_of_birth="1366", reason="passport spelling"
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.given_name == "Ahmed"  # the record stays as received
    assert record.dob_as_written == "1985"
    version = RecordVersion.objects.get(record=record)
    assert version.number == 2
    assert version.given_name == "Ahmad Shah"
    assert version.dob_precision == "year"  # Solar Hijri year only
    assert version.dob is not None and version.dob.year == 1987
    assert set(version.changed) == {"names", "date_of_birth"}
    assert version.reason == "passport spelling"
    person.refresh_from_db()
    assert person.display_name == "Ahmad Shah"
    # Matching reads the correction from now on.
    assert MatchProfile.objects.get(person_record=record).data != profile_before
    assert AuditEvent.objects.filter(
        action="update", object_type="intake.personrecord", object_id=str(record.pk)
    ).exists()
    event = CaseEvent.objects.get(case=case, kind="person_edited")
    assert (event.data or {})["version"] == 2
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert "corrected (version 2): names, date of birth" in page.text
    assert "corrected, version 2" in page.text


def test_a_second_correction_is_version_three_and_history_is_kept(client_for, caseworker):
    record = _record(make_request(given_name="Ahmed"))
    client = client_for(caseworker)
    _post(client, record, given_name="Ahmad")
    _post(client, record, date_of_birth="12/04/1985")
    versions = list(RecordVersion.objects.filter(record=record).order_by("number"))
    assert [(v.number, v.given_name, v.dob) for v in versions] == [
        (2, "Ahmad", dt.date(1985, 7, 1)),
        (3, "Ahmad", dt.date(1985, 4, 12)),
    ]


def test_a_solar_hijri_date_is_understood(client_for, caseworker):
    record = _record(make_request())
    _post(client_for(caseworker), record, date_of_birth="1367/01/23")
    version = RecordVersion.objects.get(record=record)
    assert version.dob == dt.date(1988, 4, 12)
    assert version.dob_precision == "exact"


def test_a_date_of_birth_in_the_future_is_refused_and_nothing_is_lost(client_for, caseworker):
    record = _record(make_request())
    future = str(dt.date.today().year + 2)
    response = _post(client_for(caseworker), record, given_name="Typed Name", date_of_birth=future)
    assert response.status_code == 400
    assert "cannot be in the future" in response.text
    assert 'value="Typed Name"' in response.text
    assert not RecordVersion.objects.exists()


def test_an_identifier_that_fails_its_check_is_refused(client_for, caseworker):
    record = _record(make_request())
    response = _post(
        client_for(caseworker),
        record,
        identifier_kind_0="e_tazkira",
        identifier_value_0="12345",
    )
    assert response.status_code == 400
    assert "does not pass its check" in response.text
    assert 'value="12345"' in response.text
    assert not RecordVersion.objects.exists()


def test_a_valid_identifier_is_stored_encrypted_with_the_version(client_for, caseworker):
    record = _record(make_request())
    response = _post(
        client_for(caseworker), record, identifier_kind_0="passport", identifier_value_0="p 1234567"
    )
    assert response.status_code == 302
    version = RecordVersion.objects.get(record=record)
    assert version.identifiers[0]["normalized"] == "P1234567"
    assert version.changed == ["identifiers"]


def test_nothing_changed_is_a_message(client_for, caseworker):
    record = _record(make_request())
    response = _post(client_for(caseworker), record)
    assert response.status_code == 400
    assert "Nothing was changed" in response.text


def test_an_exact_duplicate_of_another_person_is_refused_then_sent_to_review(
    client_for, caseworker
):
    other = _record(make_request(given_name="Zalmai", father_name="Rahim"))
    other_person = _person(other)
    record = _record(make_request(given_name="Ahmad", father_name="Karim"))
    person = _person(record)
    assert person != other_person
    client = client_for(caseworker)
    duplicate = dict(given_name="Zalmai", father_name="Rahim", sex="", date_of_birth="1985")
    response = _post(client, record, **duplicate)
    assert response.status_code == 400
    assert "exact duplicate" in response.text
    assert reverse("resolution:person_detail", args=[other_person.pk]) in response.text
    assert not RecordVersion.objects.exists()
    confirmed = _post(client, record, **duplicate, duplicate_confirmed="on")
    assert confirmed.status_code == 302
    # Never merged: still two people, and the pair waits for a reviewer.
    assert _person(record) == person
    assert ReviewItem.objects.filter(source="edit", status="open").exists()
    audit = AuditEvent.objects.filter(object_type="intake.personrecord", action="update").get()
    details = audit.details or {}
    assert details["duplicate_confirmed"] is True
    assert other_person.pk in details["review_people"]


def test_an_intake_officer_may_not_correct_records(client_for, intake_officer):
    record = _record(make_request())
    client = client_for(intake_officer)
    assert client.get(reverse("resolution:record_edit", args=[record.pk])).status_code == 403
    assert _post(client, record, given_name="Changed").status_code == 403
    assert not RecordVersion.objects.exists()


def test_a_supervisor_may_correct_records(client_for, supervisor):
    record = _record(make_request())
    assert _post(client_for(supervisor), record, given_name="Changed").status_code == 302
    assert RecordVersion.objects.filter(record=record).exists()


@pytest.mark.parametrize("persona", ["partner_a", "outsider"])
def test_partners_and_outsiders_get_a_404(request, client_for, persona):
    record = _record(make_request(given_name="Secretname"))
    client = client_for(request.getfixturevalue(persona))
    page = client.get(reverse("resolution:record_edit", args=[record.pk]))
    assert page.status_code == 404
    assert "Secretname" not in page.text
    assert _post(client, record, given_name="Changed").status_code == 404
    assert not RecordVersion.objects.exists()
