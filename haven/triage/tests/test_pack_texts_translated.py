"""Triage texts from the guidance pack read in the reader's language: a decision made in
English shows its next action, explanation and evidence still needed in Dari or Pashto
when a Dari or Pashto reader opens the case (issue 11 item 10)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from haven.accounts.models import User
from haven.cases.models import Case
from haven.triage import services
from haven.triage.engine import render
from haven.triage.models import GuidanceVersion, TriageDecision
from haven.triage.pack import Pack, localized, parse_pack

from .conftest import AFGHAN_IN_KABUL, REPO_GUIDANCE, store

pytestmark = pytest.mark.django_db

FACTS = {
    **AFGHAN_IN_KABUL,
    "employer_type": "us_government_contractor",
    "employment_months": 30,
}


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    """Django leaves the last request's language active in the thread."""
    yield
    translation.activate("en")


@pytest.fixture
def pack() -> Pack:
    path = REPO_GUIDANCE / "us-afghan-2021" / "2.yaml"
    return parse_pack(path.read_text(encoding="utf-8"), str(path))


@pytest.fixture
def version_2(guidance_dir: Path, supervisor: User, django_capture_on_commit_callbacks: Any):
    version = store("us-afghan-2021@2")
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_activate(version=version, actor=supervisor)
    version.refresh_from_db()
    assert version.status == GuidanceVersion.Status.ACTIVE
    return version


@pytest.fixture
def case(version_2: GuidanceVersion, make_case: Callable[..., Case], caseworker: User) -> Case:
    case = make_case(FACTS)
    with translation.override("en"):
        services.case_retriage(case=case, actor=caseworker)
    decision = TriageDecision.objects.filter(case=case).latest("id")
    assert decision.guidance_id == version_2.pk
    assert decision.rule == "siv_apply"
    # Stored as rendered when decided: in English.
    assert decision.next_action.startswith("Apply for Chief of Mission approval")
    return case


def _page(client: Client, case: Case, language: str) -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.text
    return html.unescape(response.text)


def _texts(pack: Pack, language: str) -> dict[str, Any]:
    rule = next(r for r in pack.rules if r.id == "siv_apply")
    return {
        "next_action": localized(rule.next_action, language),
        "explanation": render(rule.explanation, FACTS, language),
        "evidence": [localized(pack.evidence[code], language) for code in rule.evidence],
    }


@pytest.mark.parametrize("language", ["fa-af", "ps"])
def test_the_case_page_shows_the_packs_texts_in_dari_and_pashto(
    client_for: Callable[[User], Client], caseworker: User, case: Case, pack: Pack, language: str
) -> None:
    page = _page(client_for(caseworker), case, language)
    english = _texts(pack, "en")
    translated = _texts(pack, language)
    assert translated["next_action"] != english["next_action"]
    assert translated["next_action"] in page
    # The explanation names facts: they read as labels in the reader's language too.
    assert translated["explanation"] in page
    assert "us_government_contractor" not in re.sub(r"<[^>]+>", " ", page)
    for text in translated["evidence"]:
        assert text in page
    assert english["next_action"] not in page
    assert english["explanation"] not in page
    for text in english["evidence"]:
        assert text not in page


def test_in_english_the_case_page_is_unchanged(
    client_for: Callable[[User], Client], caseworker: User, case: Case, pack: Pack
) -> None:
    page = _page(client_for(caseworker), case, "en")
    decision = TriageDecision.objects.filter(case=case).latest("id")
    assert decision.next_action in page
    assert decision.explanation in page
    english = _texts(pack, "en")
    assert english["next_action"] == decision.next_action
    for text in english["evidence"]:
        assert text in page
    for text in _texts(pack, "fa-af")["evidence"]:
        assert text not in page


def test_a_text_naming_a_fact_the_decision_did_not_keep_shows_as_stored(
    guidance_dir: Path,
    supervisor: User,
    make_case: Callable[..., Case],
    client_for: Callable[[User], Client],
    caseworker: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Decisions keep only the facts their rules read; re-rendering a text that names
    another fact would print "unknown" where the decision had the value."""
    source = (guidance_dir / "us-afghan-2021" / "2.yaml").read_text(encoding="utf-8")
    source = source.replace('version: "2"', 'version: "3"').replace(
        "consular help and flights.\n", "consular help and flights (employer: {employer_type}).\n"
    )
    (guidance_dir / "us-afghan-2021" / "3.yaml").write_text(source, encoding="utf-8")
    version = store("us-afghan-2021@3")
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_activate(version=version, actor=supervisor)
    case = make_case({**FACTS, "is_us_citizen": True})
    with translation.override("en"):
        services.case_retriage(case=case, actor=caseworker)
    decision = TriageDecision.objects.filter(case=case).latest("id")
    assert decision.rule == "us_citizen_or_lpr"
    assert "employer_type" not in decision.facts_used
    assert "(employer: A US government contractor)" in decision.explanation
    page = _page(client_for(caseworker), case, "en")
    assert decision.explanation in page
    assert "(employer: unknown)" not in page
    # The Dari text names no such fact, so a Dari reader still gets it.
    rule = next(r for r in parse_pack(source, "3.yaml").rules if r.id == decision.rule)
    assert localized(rule.explanation, "fa-af") in _page(client_for(caseworker), case, "fa-af")
