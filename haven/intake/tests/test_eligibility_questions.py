"""The public and walk-in forms ask the eligibility questions the active guidance reads, with
skip logic that needs no JavaScript, and the answers become the facts triage decides on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation

from haven.cases.models import Case
from haven.intake import eligibility
from haven.intake.models import Request
from haven.triage import library
from haven.triage import services as triage_services
from haven.triage.models import CaseFacts

from .test_public_form import apply_post
from .test_walk_in import walk_in_post

pytestmark = pytest.mark.django_db

WORKED_AT_THE_EMBASSY = {
    "eligibility-us_status": "neither",
    "eligibility-worked_for_us": "yes",
    "eligibility-employer_type": "us_government",
    "eligibility-employment_months": "30",
    "eligibility-has_recommendation_letter": "yes",
    "eligibility-siv_stage": "com_approved",
    "eligibility-referral_source": "",
    "eligibility-us_relative": "none",
    "eligibility-vulnerabilities": "imminent_threat",
}


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def active_guidance(supervisor, django_capture_on_commit_callbacks):
    version = triage_services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        triage_services.guidance_activate(version=version, actor=supervisor)


def test_the_public_form_answers_become_the_cases_facts(
    client, active_guidance, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/apply/", apply_post(**WORKED_AT_THE_EMBASSY))
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.stated_facts == {
        "is_us_citizen": False,
        "is_us_lpr": False,
        "employer_type": "us_government",
        "employment_months": 30,
        # us-afghan-2021@2 reads no recommendation letter: not asked, the answer not taken.
        "siv_stage": "com_approved",
        "us_relative": "none",
        "vulnerabilities": ["imminent_threat"],
    }
    case = Case.objects.get()
    facts = CaseFacts.objects.get(case=case).facts
    assert facts["siv_stage"] == "com_approved" and facts["employment_months"] == 30
    assert case.pathway == "siv_approved"


def test_answers_under_a_no_are_ignored_and_dont_know_gives_no_fact(client):
    answers = {
        **WORKED_AT_THE_EMBASSY,
        "eligibility-worked_for_us": "no",
        "eligibility-us_status": "",
        "eligibility-us_relative": "",
        "eligibility-vulnerabilities": None,
    }
    client.post("/apply/", apply_post(**{k: v for k, v in answers.items() if v is not None}))
    request = Request.objects.get()
    # "No" means no US-linked employer; what was typed under "If yes" is not believed.
    assert request.stated_facts == {"employer_type": "none"}


def test_the_walk_in_form_asks_and_stores_them_too(client_for, intake_officer):
    client = client_for(intake_officer)
    page = client.get("/intake/walk-in/").content.decode()
    assert 'name="eligibility-worked_for_us"' in page
    response = client.post("/intake/walk-in/", walk_in_post(**WORKED_AT_THE_EMBASSY))
    assert response.status_code == 302
    assert Request.objects.get().stated_facts["siv_stage"] == "com_approved"


def test_a_wrong_number_is_a_message_and_nothing_typed_is_lost(client):
    answers = {**WORKED_AT_THE_EMBASSY, "eligibility-employment_months": "twelve"}
    response = client.post("/apply/", apply_post(**answers))
    assert response.status_code == 400
    assert "Enter a whole number." in response.text
    assert 'value="twelve"' in response.text
    assert 'value="com_approved" selected' in response.text
    assert not Request.objects.exists()


def test_the_skip_logic_needs_no_javascript(client):
    page = client.get("/apply/").content.decode()
    # The follow-up questions sit in their own block, under a heading for browsers that
    # cannot hide them; the stylesheet hides them until "yes" is chosen.
    block = page.split('class="if-worked"')[1].split('name="eligibility-referral_source"')[0]
    assert "If yes:" in block and 'name="eligibility-siv_stage"' in block
    assert 'name="eligibility-us_relative"' not in block
    assert "<script" not in page.split('id="eligibility"')[1].split("</fieldset>")[-1]


def test_only_what_the_guidance_reads_is_asked(client, monkeypatch):
    monkeypatch.setattr(eligibility, "_needed_facts", [lambda: frozenset({"siv_stage"})])
    page = client.get("/apply/").content.decode()
    assert 'name="eligibility-siv_stage"' in page
    assert 'name="eligibility-worked_for_us"' in page  # the way to the SIV question
    assert 'name="eligibility-us_relative"' not in page
    assert 'name="eligibility-us_status"' not in page


def test_the_active_guidance_names_the_facts_it_reads(active_guidance):
    needed = eligibility.needed_facts()
    assert needed is not None
    assert {"siv_stage", "employer_type", "us_relative", "vulnerabilities"} <= needed


@pytest.mark.parametrize(("language", "words"), [("fa-af", "نمی‌دانم"), ("ps", "نه پوهېږم")])
def test_the_questions_are_asked_in_dari_and_pashto(client, language, words):
    with translation.override(language):
        page = client.get("/apply/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert words in page
