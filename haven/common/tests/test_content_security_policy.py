"""A Content-Security-Policy without 'unsafe-inline', and templates that need none
(issue 11, item 22)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
HAVEN = Path(__file__).resolve().parents[2]
# Templates WeasyPrint turns into a PDF on the server never reach a browser, so no policy
# applies to them (and WeasyPrint reads a <style> element, not the site's static files).
PDF_ONLY = {"reports/templates/reports/sitrep.html"}
TEMPLATES = sorted(
    p for p in HAVEN.glob("**/templates/**/*.html") if str(p.relative_to(HAVEN)) not in PDF_ONLY
)

INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I),
    "an event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_there_are_templates_to_scan():
    assert len(TEMPLATES) > 20
    assert HAVEN / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(HAVEN)))
def test_no_template_has_inline_script_handlers_or_styles(template):
    text = template.read_text()
    found = [what for what, pattern in INLINE.items() if pattern.search(text)]
    assert not found, f"{template.relative_to(HAVEN)} has {', '.join(found)}"


@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/accounts/login/"),
        (None, "/apply/"),
        (None, "/status/"),
        (None, "/api/v1/docs"),
        ("caseworker", "/cases/"),
        ("intake_officer", "/intake/walk-in/"),
        ("supervisor", "/audit/"),
    ],
)
def test_every_page_carries_the_policy(request, client_for, who, url):
    client = client_for(request.getfixturevalue(who)) if who else Client()
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    # What the page itself holds, after rendering (includes, widgets, messages).
    html = response.content.decode()
    assert not [what for what, pattern in INLINE.items() if pattern.search(html)]


def test_htmx_is_told_not_to_inject_its_indicator_style(client_for, caseworker):
    html = client_for(caseworker).get(reverse("cases:list")).text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in html
    assert "js/haven.js" in html
