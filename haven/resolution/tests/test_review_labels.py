"""The review page names each compared field and says who the second strong match is."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from haven.intake.models import PersonRecord
from haven.intake.services import PersonInput
from haven.resolution.models import ReviewItem

from .test_review_and_merge import _person_of, _submit, _uncertain_pair

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _back_to_english():
    """Requests here switch language, and Django leaves the last one active in the thread:
    later tests that render outside a request must not inherit it."""
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def fixed_thresholds(settings):
    settings.HAVEN_RESOLUTION_THRESHOLDS = {"auto": 6.0, "review": 3.0}


def _page(client, item: ReviewItem, language: str = "en") -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("resolution:review_item", args=[item.pk]))
    assert response.status_code == 200
    return response.text


def test_every_evidence_row_names_its_field_not_custom_comparison(client_for, caseworker):
    item = _uncertain_pair()
    assert {f["description"] for f in item.details["fields"]} == {"CustomComparison"}
    page = _page(client_for(caseworker), item)
    evidence = page[page.index('id="evidence"') :]
    assert "CustomComparison" not in page
    for label in ("Name", "Father&#x27;s name", "Date of birth", "Province"):
        assert f'<th scope="row">{label}</th>' in evidence
    assert "same year, different day" in evidence or "year off by one" in evidence


def test_the_evidence_is_labelled_in_dari(client_for, caseworker):
    item = _uncertain_pair()
    page = _page(client_for(caseworker), item, "fa-af")
    evidence = page[page.index('id="evidence"') :]
    assert "CustomComparison" not in page
    assert '<th scope="row">Name</th>' not in evidence
    assert '<th scope="row">نام پدر</th>' in evidence  # "Father's name"
    # Why the pair is here, in Dari too ("between the thresholds: a person decides").
    assert "بین دو آستانه" in page and "between the thresholds" not in page.lower()


def test_a_second_strong_match_shows_both_people_with_links(client_for, caseworker):
    first = _submit(PersonInput(full_name="Gul Ahmad Ahmadzai", date_of_birth="1988"))
    second = _submit(PersonInput(full_name="Sayed Rahim Noori", date_of_birth="1975"))
    a = PersonRecord.objects.get(request=first.request)
    b = PersonRecord.objects.get(request=second.request)
    item = ReviewItem.objects.create(
        record_a=a,
        record_b=b,
        score=9.5,
        details={"weight": 9.5, "prior": -10, "fields": []},
        reason="also a strong match for a second person",
        source=ReviewItem.Source.INTAKE,
    )
    page = _page(client_for(caseworker), item)
    note = page[page.index('id="second-person"') :]
    note = note[: note.index("</div>")]
    for record in (a, b):
        person = _person_of(record.pk)
        assert reverse("resolution:person_detail", args=[person]) in note
        assert f"person {person}" in note
    assert "Gul Ahmad Ahmadzai" in note and "Sayed Rahim Noori" in note
    assert first.request.receipt_number in note and second.request.receipt_number in note
