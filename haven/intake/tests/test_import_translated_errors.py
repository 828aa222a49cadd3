"""Staff who work in Dari or Pashto read why a spreadsheet is refused in their language: the
XLSX reader's refusals (a DOCTYPE, a stretched sheet, a damaged workbook …) are translated,
and so is every other message the importing code marks for translation."""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from haven.accounts.models import Organization
from haven.intake.models import ImportBatch

from .import_helpers import xlsx_bytes
from .test_import_bombs import stretched

pytestmark = pytest.mark.django_db

IMPORTING = Path(__file__).resolve().parents[1] / "importing"
GETTEXT = {"_", "gettext", "gettext_lazy"}


def with_doctype(data: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            target.writestr(item, body)
    return out.getvalue()


def upload_in(language: str, client, data: bytes, source: Organization):
    # The language switch every page offers: the session keeps the choice.
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    upload = SimpleUploadedFile("list.xlsx", data)
    return client.post(reverse("importing:upload"), {"file": upload, "source": source.pk})


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)


def test_it_tells_a_dari_session_in_dari_that_a_workbook_with_a_doctype_is_refused(
    client_for, intake_officer, source
):
    data = with_doctype(xlsx_bytes([["Ahmad"]], header=["Name"]))
    response = upload_in("fa-af", client_for(intake_officer), data, source)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'lang="fa-af"' in page and 'dir="rtl"' in page
    assert "این فایل Excel دارای XML غیرمجاز است (یک DOCTYPE)." in page
    assert "not allowed" not in page
    assert not ImportBatch.objects.exists()


def test_it_tells_a_pashto_session_in_pashto_that_a_stretched_sheet_is_refused(
    client_for, intake_officer, source
):
    response = upload_in("ps", client_for(intake_officer), stretched("A1", "XFD1048576"), source)
    assert response.status_code == 400
    page = response.content.decode()
    assert "دا Excel فایل ونه منل شو: پاڼه یې تر 1,048,576 قطار او 16,384 ستون پورې رسېږي" in page
    assert not ImportBatch.objects.exists()


def marked_strings() -> list[str]:
    """Every literal the importing code passes to gettext (its msgids)."""
    found: list[str] = []
    for path in sorted(IMPORTING.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if name in GETTEXT and isinstance(first, ast.Constant):
                found.append(str(first.value))
    return found


@pytest.mark.parametrize("language", ["fa-af", "ps"])
def test_every_message_of_the_importing_code_is_translated(language):
    messages = marked_strings()
    assert len(messages) > 50
    with translation.override(language):
        untranslated = [m for m in messages if translation.gettext(m) == m]
    assert untranslated == []
