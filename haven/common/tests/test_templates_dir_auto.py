"""Every template shows user-entered text in an element with dir="auto" (or <bdi>), so a
Dari name in an English page, or a Latin one in a Dari page, reads in its own direction."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Values that people type: names, notes, reasons, places, identifiers as written, files.
USER_TEXT = re.compile(
    r"\{\{\s*[\w.]*("
    r"display_name|father_name|full_name|given_name|family_name|requester\.name|\.body|"
    r"reason|help_requested|location|province|description|value_as_written|"
    r"normalized|masked|dob_as_written|original_name|filename|\.subject\b|history_line|entry\.label|\be\.summary"
    r")[^}]*\}\}"
)
OPEN = re.compile(r"<(\w+)([^<>]*)>|</(\w+)\s*>")
VOID = {"br", "input", "img", "meta", "link", "hr", "col", "source", "wbr"}
# Templates that show no user text but match by name (a form field's label, an API page).
EXEMPT = {"intake/api/templates/api_docs.html"}


def _templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*.html") if "/tests/" not in str(p))


def _innermost_open(before: str) -> tuple[str, str] | None:
    stack: list[tuple[str, str]] = []
    for match in OPEN.finditer(before):
        if match.group(3):
            name = match.group(3).lower()
            while stack and stack.pop()[0] != name:
                pass
        elif match.group(1).lower() not in VOID:
            stack.append((match.group(1).lower(), match.group(2)))
    return stack[-1] if stack else None


def problems(text: str) -> list[str]:
    found = []
    for match in USER_TEXT.finditer(text):
        if re.search(r"get_\w+_display|_label\b|\|review_reason", match.group(0)):
            continue  # a choice's label: the application's words, not the user's
        before = text[: match.start()]
        if before.rfind("<") > before.rfind(">"):
            continue  # inside a tag: an attribute's value, not shown text
        element = _innermost_open(re.sub(r"\{%.*?%\}|\{#.*?#\}", "", before, flags=re.S))
        if element is None:
            found.append(match.group(0))
            continue
        name, attributes = element
        # <bdi> isolates by itself; an explicit dir="ltr" is a choice (a phone, a code).
        if name == "bdi" or "dir=" in attributes or name in {"title", "textarea"}:
            continue
        found.append(f"{match.group(0)} in <{name}{attributes}>")
    return found


def test_the_scan_finds_what_it_should():
    assert problems("<td>{{ case.display_name }}</td>") == ["{{ case.display_name }} in <td>"]
    assert problems("<td><bdi>{{ case.display_name }}</bdi></td>") == []
    assert problems('<p dir="auto" class="x">{{ note.body }}</p>') == []
    assert problems('<input value="{{ form.reason }}">') == []


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_user_entered_text_has_dir_auto(path: Path):
    if any(str(path).endswith(e) for e in EXEMPT):
        return
    assert problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.django_db
def test_text_boxes_take_the_direction_of_what_is_typed(client_for, intake_officer):
    from django.urls import reverse

    page = client_for(intake_officer).get(reverse("intake:walk_in")).text
    for name in ("principal-given_name", "principal-father_name", "request-help_requested"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', page)
        assert tag is not None and 'dir="auto"' in tag.group(0), name
