"""The dry run warns about cells that would run as formulas, not about phones and numbers;
exports still neutralise every formula-like cell."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from haven.accounts.models import Organization
from haven.intake.importing.preview import preview_rows
from haven.intake.importing.rows import looks_like_formula
from haven.intake.importing.source import open_sheet
from haven.intake.models import ImportBatch, RejectedRow

from .import_helpers import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Name", "Father's name", "DOB", "Phone", "Notes"]


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)


@pytest.mark.parametrize(
    "cell",
    ["+93 700 123 456", "+93700123456", "+92 300 1234567", "+۹۳۷۰۰۱۲۳۴۵۶", "-5", "+1.5", "-1,200"],
)
def test_it_reads_phones_and_numbers_as_data(cell):
    assert not looks_like_formula(cell)


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x")', "@SUM(1)", "+SUM(A1)", "-2+3", "=1+1", "+12+cmd|' /C calc'!A0"],
)
def test_it_still_flags_real_formulas(cell):
    assert looks_like_formula(cell)


def test_a_dry_run_of_200_phone_rows_flags_only_the_real_formulas(source):
    rows = [
        [f"Synthetic Person {i}", "Gul Ahmad", "1988", f"+93 70{i:07d}", ""] for i in range(200)
    ]
    rows[10][4] = '=HYPERLINK("http://evil")'
    rows[20][4] = "@SUM(1)"
    opened = open_sheet(io.BytesIO(csv_bytes(rows, header=HEADER)), organization=source)

    preview = preview_rows(sheet=opened.sheet, parser=opened.parser(source), organization=source)

    assert preview.rows == 200
    assert preview.problem_counts.get("formula_like") == 2
    flagged = [r["row"] for r in preview.problem_rows if "formula_like" in r["problems"]]
    assert flagged == [12, 22]


def test_the_error_report_still_neutralises_a_phone_cell(client_for, intake_officer, source):
    batch = ImportBatch.objects.create(
        organization=source, file_name="x.csv", headers=["Phone"], status="done", rejected=1
    )
    RejectedRow.objects.create(
        batch=batch, row_number=3, reason="store_failed", message="", cells=["+93 700 123 456"]
    )
    report = client_for(intake_officer).get(reverse("importing:errors", args=[batch.pk]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][3] == "'+93 700 123 456"
