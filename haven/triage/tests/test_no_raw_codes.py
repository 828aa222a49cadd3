"""In Dari (and Pashto) the case page shows labels, never codes: facts, their options,
record flags, history lines."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from haven.accounts.models import User
from haven.cases.models import Case, CaseEvent
from haven.cases.services import case_status_change
from haven.intake.fact_labels import CHOICE_LABELS
from haven.intake.flags import RECORD_FLAG_LABELS
from haven.intake.models import Channel
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.triage import services
from haven.triage.models import CaseFacts, GuidanceVersion
from haven.triage.pathways import PATHWAYS

from .conftest import AFGHAN_IN_KABUL

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_english():
    """Requests here switch language, and Django leaves the last one active in the thread:
    later tests that render outside a request must not inherit it."""
    yield
    translation.activate("en")


# Every code a reader could be shown: the ones written like identifiers (one English word
# such as "self" or "elderly" may also be an ordinary word in a name or a note).
CODES = sorted(
    {c for c in (*CHOICE_LABELS, *PATHWAYS, *RECORD_FLAG_LABELS) if "_" in c}
    | {c for c in (*Case.Status.values, *Channel.values) if "_" in c}
    | {"passport_invalid", "e_tazkira_invalid"}
)


def _visible_text(html: str) -> str:
    """What a reader sees: no tags or attribute values, no scripts. A rule's id is shown
    as code on purpose (<code>, the guidance author's reference), so it is left out."""
    html = re.sub(r"<(script|style|code)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def case(active_guidance: GuidanceVersion, caseworker: User) -> Case:
    people = (
        PersonInput(given_name="Gul Ahmad", father_name="Din Mohammad", date_of_birth="1365/04/12"),
        PersonInput(
            relationship="child",
            given_name="Mariam",
            date_of_birth="01/01/2012",
            identifiers=(("passport", "123"),),
        ),
    )
    created = request_create(
        data=RequestInput(channel=Channel.WALK_IN, people=people),
        raw_input=json.dumps({"n": 2}),
    )
    case = Case.objects.get(case_requests__request=created.request)
    facts = {
        **AFGHAN_IN_KABUL,
        "employer_type": "us_funded_program",
        "referral_source": "us_media_or_ngo_senior_us_citizen",
        "siv_stage": "com_application_submitted",
        "us_relative": "us_lpr",
        "vulnerabilities": ["woman_at_risk", "urgent_medical"],
    }
    CaseFacts.objects.update_or_create(case=case, defaults={"facts": facts})
    services.case_retriage(case=case, actor=caseworker)
    services.case_retriage(case=case, actor=caseworker)
    case_status_change(case=case, actor=caseworker, status=Case.Status.AWAITING_INFORMATION)
    return case


@pytest.mark.parametrize("language", ["fa-af", "ps"])
@pytest.mark.usefixtures("only_triage_panel")
def test_the_case_page_shows_no_raw_codes(client_for, caseworker, case, language):
    client = client_for(caseworker)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert f'<html lang="{language}" dir="rtl">' in response.text
    text = _visible_text(response.text)
    shown = [code for code in CODES if re.search(rf"\b{re.escape(code)}\b", text)]
    assert shown == []
    # The labels are there instead, in the reader's language.
    with translation.override(language):
        expected = [
            str(CHOICE_LABELS["us_funded_program"]),
            str(CHOICE_LABELS["woman_at_risk"]),
            str(RECORD_FLAG_LABELS["dob_solar_hijri"]),
            str(RECORD_FLAG_LABELS["dob_january_first"]),
            str(Case.Status.AWAITING_INFORMATION.label),
        ]
    for label in expected:
        assert label in text
        assert not label.isascii(), f"{label!r} is not translated"


def test_history_lines_are_written_in_the_readers_language(client_for, caseworker, case):
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.STATUS_CHANGED)
    assert event.data == {
        "message": "status_changed",
        "from_status": "new",
        "from_outcome": "",
        "to_status": "awaiting_information",
        "to_outcome": "",
    }
    with translation.override("fa-af"):
        line = event.text
        assert str(Case.Status.NEW.label) in line
        assert str(Case.Status.AWAITING_INFORMATION.label) in line
    assert line.isascii() is False
    with translation.override("en"):
        assert event.text == "New → Awaiting information"
    opened = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.CREATED)
    with translation.override("en"):
        assert opened.text.startswith("Opened from request HV-") and "(Walk-in)" in opened.text
