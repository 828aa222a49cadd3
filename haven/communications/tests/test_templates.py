from __future__ import annotations

import pytest
from django.urls import reverse

from haven.communications import rendering, texts
from haven.communications.models import MessageTemplate

pytestmark = pytest.mark.django_db


def _url(purpose: str, language: str) -> str:
    return reverse("communications:template_edit", args=[purpose, language])


def test_every_purpose_ships_in_english_dari_and_pashto() -> None:
    found = set(MessageTemplate.objects.values_list("purpose", "language"))
    for purpose in texts.PURPOSES:
        for language in ("en", "fa-af", "ps"):
            assert (purpose, language) in found


def test_preview_renders_dari_with_sample_values_and_ucs2_length(client_for, caseworker) -> None:
    page = client_for(caseworker).get(_url("receipt", "fa-af")).content.decode()
    assert "درخواست شما دریافت شد" in page
    assert "HV-7K2QD-9MX4T" in page  # the sample, not anyone's receipt
    assert "UCS-2" in page
    assert "{{" not in page.split("Variables")[0].split("Preview")[-1]


def test_it_refuses_unknown_variables_at_preview(client_for, supervisor) -> None:
    response = client_for(supervisor).post(
        _url("receipt", "en"),
        {
            "subject": "Receipt {{ receipt_number }}",
            "body": "Your passport {{ passport_number }}",
            "sms_body": "ok {{ receipt_number }}",
            "action": "preview",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Unknown variable(s): passport_number" in page
    assert 'value="save"' not in page  # nothing to save until the preview is clean


def test_it_refuses_template_tags(client_for, supervisor) -> None:
    response = client_for(supervisor).post(
        _url("receipt", "en"),
        {"subject": "{% load x %}", "body": "b", "sms_body": "s", "action": "save"},
    )
    assert "Only {{ name }} placeholders are allowed" in response.content.decode()
    assert MessageTemplate.objects.get(purpose="receipt", language="en").version == 1


def test_save_needs_a_preview_of_exactly_those_texts(client_for, supervisor) -> None:
    client = client_for(supervisor)
    texts = {"subject": "Got {{ receipt_number }}", "body": "Body", "sms_body": "SMS"}
    page = client.post(_url("receipt", "en"), {**texts, "action": "preview"}).content.decode()
    digest = page.split('name="previewed" value="')[1].split('"')[0]
    assert digest
    client.post(
        _url("receipt", "en"), {**texts, "body": "changed", "previewed": digest, "action": "save"}
    )
    assert MessageTemplate.objects.get(purpose="receipt", language="en").body != "changed"
    client.post(_url("receipt", "en"), {**texts, "previewed": digest, "action": "save"})
    saved = MessageTemplate.objects.get(purpose="receipt", language="en")
    assert (saved.subject, saved.version, saved.updated_by) == (texts["subject"], 2, supervisor)


def test_caseworker_may_preview_but_not_save(client_for, caseworker) -> None:
    response = client_for(caseworker).post(
        _url("receipt", "en"), {"subject": "x", "body": "y", "sms_body": "z", "action": "save"}
    )
    assert response.status_code == 403


def test_partner_sees_no_templates(client_for, partner_a) -> None:
    assert client_for(partner_a).get(reverse("communications:template_list")).status_code == 403


def test_missing_language_falls_back_to_english_and_says_so(client_for, caseworker) -> None:
    MessageTemplate.objects.filter(purpose="closed", language="ps").delete()
    page = client_for(caseworker).get(_url("closed", "ps")).content.decode()
    assert 'id="fallback-note"' in page
    assert "is now closed" in page
    listing = client_for(caseworker).get(reverse("communications:template_list")).content.decode()
    assert "missing: English is sent" in listing


@pytest.mark.parametrize(
    ("text", "encoding", "parts"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count twice
        ("€" * 81, "GSM-7", 2),
        ("س" * 70, "UCS-2", 1),
        ("س" * 71, "UCS-2", 2),
        ("س" * 134, "UCS-2", 2),
        ("س" * 135, "UCS-2", 3),
    ],
)
def test_sms_length(text: str, encoding: str, parts: int) -> None:
    length = rendering.sms_length(text)
    assert (length.encoding, length.parts) == (encoding, parts)


def test_render_lists_as_lines_in_mail_and_joined_in_sms() -> None:
    values = {"documents": ["پاسپورت", "تذکره"], "receipt_number": "R", "status_url": "U"}
    text = "{{ documents }}"
    assert rendering.render(text, values, purpose="documents_needed") == "- پاسپورت\n- تذکره"
    sms = rendering.render(text, values, purpose="documents_needed", sms=True, language="fa-af")
    assert sms == "پاسپورت، تذکره"
