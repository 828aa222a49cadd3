"""Review queue, reviewer decisions, merge and unmerge, and the person page, through HTTP."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.db import connection
from django.urls import include, path, reverse

from haven.audit.models import AuditEvent
from haven.config.urls import urlpatterns as project_urlpatterns
from haven.intake.models import Channel
from haven.intake.services import CreatedRequest, PersonInput, RequestInput, request_create
from haven.resolution.models import (
    Person,
    PersonLink,
    PersonMerge,
    ReviewDecision,
    ReviewItem,
)

# This test module is its own urlconf: the project's, plus the resolution pages.
urlpatterns = [*project_urlpatterns, path("resolution/", include("haven.resolution.urls"))]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls(__name__),
    pytest.mark.usefixtures("fixed_thresholds"),
]


@pytest.fixture
def fixed_thresholds(settings):
    settings.HAVEN_RESOLUTION_THRESHOLDS = {"auto": 6.0, "review": 3.0}


def _submit(*people: PersonInput) -> CreatedRequest:
    data = RequestInput(channel=Channel.WALK_IN, people=people)
    return request_create(data=data, raw_input=json.dumps({"n": len(people)}))


def _uncertain_pair() -> ReviewItem:
    karimi = PersonInput(father_name="Abdul Karim", province="Kabul")
    # A common name (term frequencies make it count for little), birth years one apart.
    _submit(replace(karimi, full_name="Ahmad Karimi", date_of_birth="1990"))
    _submit(replace(karimi, full_name="Ahmed Karimi", date_of_birth="1991"))
    return ReviewItem.objects.get()


def _person_of(record_id: int) -> int:
    return PersonLink.objects.get(person_record_id=record_id, ended_at__isnull=True).person_id


def test_the_queue_is_for_caseworkers_and_supervisors_only(
    client_for, intake_officer, caseworker, supervisor, outsider
):
    _uncertain_pair()
    url = reverse("resolution:review_queue")
    assert client_for(caseworker).get(url).status_code == 200
    assert client_for(supervisor).get(url).status_code == 200
    assert client_for(intake_officer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 403


def test_the_queue_lists_open_pairs_in_a_fixed_number_of_queries(
    client_for, caseworker, django_assert_num_queries
):
    for suffix in ("", " Jan", " Khan"):
        karimi = PersonInput(father_name="Abdul Karim" + suffix, province="Kabul")
        _submit(replace(karimi, full_name="Ahmad Karimi" + suffix, date_of_birth="1990"))
        _submit(replace(karimi, full_name="Ahmed Karimi" + suffix, date_of_birth="1991"))
    assert ReviewItem.objects.count() == 3
    client = client_for(caseworker)
    # session + user, audit event (with the chain's head, and its lock on PostgreSQL), count,
    # page of items with both records and requests
    chain = 2 if connection.vendor == "postgresql" else 1
    with django_assert_num_queries(5 + chain):
        response = client.get(reverse("resolution:review_queue"))
    assert response.text.count("Karimi") == 6


def test_the_review_page_shows_both_records_and_each_fields_weight_in_plain_words(
    client_for, caseworker
):
    item = _uncertain_pair()
    response = client_for(caseworker).get(reverse("resolution:review_item", args=[item.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Ahmad Karimi" in text and "Ahmed Karimi" in text
    assert "Father&#x27;s name" in text or "Father's name" in text
    assert "counts strongly for the same person" in text
    assert "likely to be the same person" in text
    assert AuditEvent.objects.filter(action="view", object_type="resolution.reviewitem").exists()


def test_same_merges_the_two_people_and_is_audited(client_for, caseworker):
    item = _uncertain_pair()
    older, newer = _person_of(item.record_a_id), _person_of(item.record_b_id)
    response = client_for(caseworker).post(
        reverse("resolution:review_item", args=[item.pk]),
        {"decision": "same", "note": "Same tazkira photo"},
    )
    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    assert decision.decision == "same" and decision.decided_by == caseworker
    assert _person_of(item.record_b_id) == older
    assert Person.objects.get(pk=newer).merged_into_id == older
    link = PersonLink.objects.get(person_record_id=item.record_b_id, ended_at__isnull=True)
    assert link.method == PersonLink.Method.MERGE and link.replaces is not None
    assert link.replaces.ended_at is not None  # ended, not deleted
    item.refresh_from_db()
    assert item.status == "same"
    assert AuditEvent.objects.filter(object_type="resolution.reviewdecision").exists()
    assert AuditEvent.objects.filter(object_type="resolution.personmerge").exists()


def test_not_the_same_is_kept_and_stops_a_later_merge(client_for, caseworker):
    item = _uncertain_pair()
    client = client_for(caseworker)
    client.post(reverse("resolution:review_item", args=[item.pk]), {"decision": "not_same"})
    assert _person_of(item.record_a_id) != _person_of(item.record_b_id)
    source = _person_of(item.record_b_id)
    response = client.post(
        reverse("resolution:person_merge", args=[source]),
        {"target": _person_of(item.record_a_id), "reason": "looks the same"},
    )
    assert response.status_code == 302
    assert not PersonMerge.objects.exists()
    assert "not the same person" in client.get(response.url).text


def test_a_decided_pair_cannot_be_decided_again(client_for, caseworker, supervisor):
    item = _uncertain_pair()
    client_for(caseworker).post(
        reverse("resolution:review_item", args=[item.pk]), {"decision": "not_same"}
    )
    response = client_for(supervisor).post(
        reverse("resolution:review_item", args=[item.pk]), {"decision": "same"}
    )
    assert response.status_code == 400
    assert ReviewDecision.objects.count() == 1


def test_an_intake_officer_cannot_decide(client_for, intake_officer):
    item = _uncertain_pair()
    response = client_for(intake_officer).post(
        reverse("resolution:review_item", args=[item.pk]), {"decision": "same"}
    )
    assert response.status_code == 403
    assert not ReviewDecision.objects.exists()


def test_unmerge_restores_every_link_and_keeps_the_history(client_for, caseworker, supervisor):
    item = _uncertain_pair()
    older, newer = _person_of(item.record_a_id), _person_of(item.record_b_id)
    client_for(caseworker).post(
        reverse("resolution:review_item", args=[item.pk]), {"decision": "same"}
    )
    merge = PersonMerge.objects.get()
    response = client_for(supervisor).post(
        reverse("resolution:person_unmerge", args=[merge.pk]), {"reason": "different mothers"}
    )
    assert response.status_code == 302
    assert _person_of(item.record_b_id) == newer and _person_of(item.record_a_id) == older
    assert Person.objects.get(pk=newer).merged_into_id is None
    merge.refresh_from_db()
    assert merge.undone_by == supervisor and merge.undo_reason == "different mothers"
    restored = PersonLink.objects.get(person_record_id=item.record_b_id, ended_at__isnull=True)
    assert restored.method == PersonLink.Method.NEW_PERSON and restored.merge == merge
    # Three links for the record: the first, the merge's, the restored one; none deleted.
    assert PersonLink.objects.filter(person_record_id=item.record_b_id).count() == 3
    # The unmerge is itself a decision that later runs respect.
    assert ReviewDecision.objects.filter(decision="not_same").count() == 1


def test_the_person_page_lists_every_record_and_why_it_is_linked(
    client_for, caseworker, intake_officer
):
    item = _uncertain_pair()
    client_for(caseworker).post(
        reverse("resolution:review_item", args=[item.pk]), {"decision": "same"}
    )
    person = _person_of(item.record_a_id)
    response = client_for(intake_officer).get(reverse("resolution:person_detail", args=[person]))
    assert response.status_code == 200
    text = response.text
    assert "Ahmad Karimi" in text and "Ahmed Karimi" in text
    assert "Merge of two people" in text and "New person" in text
    assert "caseworker" in text  # who made the merge link
    assert "Ended links" in text
    assert "Undo this merge" not in text  # an intake officer reads, does not merge
    assert AuditEvent.objects.filter(
        action="view", object_type="resolution.person", object_id=str(person)
    ).exists()


def test_people_are_hidden_from_partners_and_people_without_a_role(client_for, partner_a, outsider):
    _submit(PersonInput(full_name="Gul Ahmad", father_name="Din Mohammad", date_of_birth="1988"))
    person = Person.objects.get()
    url = reverse("resolution:person_detail", args=[person.pk])
    assert client_for(partner_a).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 403


def test_a_merge_of_two_members_of_one_household_is_refused(client_for, caseworker):
    created = _submit(
        PersonInput(full_name="Gul Ahmad", father_name="Din Mohammad", date_of_birth="1988"),
        PersonInput(relationship="sibling", full_name="Nazifa", father_name="Din Mohammad"),
    )
    first, second = (_person_of(r.pk) for r in created.request.person_records.order_by("position"))
    response = client_for(caseworker).post(
        reverse("resolution:person_merge", args=[second]), {"target": first, "reason": "x"}
    )
    assert response.status_code == 302
    assert not PersonMerge.objects.exists()
