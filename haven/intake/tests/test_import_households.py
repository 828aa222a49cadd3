"""A spreadsheet's household column makes one request per family, and its eligibility
columns become the facts triage decides on (through a value table, remembered per source)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from haven.accounts.models import Organization
from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.intake.importing.preview import preview_rows
from haven.intake.importing.services import import_rows
from haven.intake.importing.source import open_sheet
from haven.intake.models import ImportBatch, ImportedRow, ImportMapping, PersonRecord, Request
from haven.triage import library
from haven.triage import services as triage_services
from haven.triage.models import CaseFacts

from .import_helpers import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADER = ["Family ID", "Name", "Father's name", "Relationship", "DOB", "Phone"]


GIVEN = ["Ahmad", "Baryalai", "Dawood", "Farhad", "Hamid", "Jawed", "Khalil", "Nasir", "Rahim"]
FAMILY = ["Amiri", "Barakzai", "Durrani", "Hotak", "Karimi", "Noori", "Popal", "Safi", "Wardak"]
WOMEN = ["Laila", "Nilab", "Parwana", "Sima"]
CHILDREN = ["Omid", "Zarghona", "Bilal", "Mursal", "Tamim", "Yalda"]


def _families(n: int) -> list[list[str]]:
    """n synthetic families of 1 to 4 people; every member has the family's ID."""
    rows = []
    for family in range(n):
        surname = FAMILY[family % len(FAMILY)]
        head = f"{GIVEN[(family // len(FAMILY)) % len(GIVEN)]} {surname}"
        father = GIVEN[(family * 7) % len(GIVEN)]
        key = f"F-{family:03d}"
        rows.append([key, head, father, "Head", str(1960 + family % 30), f"+93 70{family:07d}"])
        members = [
            ("Wife", WOMEN[family % len(WOMEN)], "1984"),
            ("Son", CHILDREN[family % len(CHILDREN)], "2008"),
            ("Daughter", CHILDREN[(family + 3) % len(CHILDREN)], "2012"),
        ]
        for relation, given, year in members[: family % 4]:
            rows.append([key, f"{given} {surname}", "", relation, year, ""])
    return rows


@pytest.fixture
def active_guidance(supervisor, settings, django_capture_on_commit_callbacks):
    version = triage_services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        triage_services.guidance_activate(version=version, actor=supervisor)


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="Kabul office", kind=Organization.Kind.REQUESTING_BODY)


def _import(data: bytes, source: Organization, *, chunk_rows: int | None = None) -> ImportBatch:
    opened = open_sheet(io.BytesIO(data), organization=source)
    batch = ImportBatch.objects.create(
        organization=source, file_name="list.csv", headers=opened.sheet.headers
    )
    import_rows(
        batch=batch,
        sheet=opened.sheet,
        parser=opened.parser(source),
        actor=None,
        chunk_rows=chunk_rows,
        run_pipeline=True,
    )
    batch.refresh_from_db()
    return batch


def test_it_makes_one_request_and_one_case_per_family(source):
    rows = _families(50)
    batch = _import(csv_bytes(rows, header=HEADER), source)

    assert (batch.rows, batch.imported) == (len(rows), len(rows))
    assert Request.objects.count() == 50
    assert Case.objects.count() == 50
    assert PersonRecord.objects.count() == len(rows)
    assert ImportedRow.objects.values("request").distinct().count() == 50
    family = Request.objects.get(imported_rows__row_number=8)  # F-003: four people
    records = list(PersonRecord.objects.filter(request=family).order_by("position"))
    assert records[0].relationship == "principal"
    assert sorted(r.relationship for r in records[1:]) == ["child", "child", "spouse"]


def test_a_chunk_boundary_does_not_split_a_family(source):
    rows = _families(12)
    batch = _import(csv_bytes(rows, header=HEADER), source, chunk_rows=5)

    assert batch.imported == len(rows)
    assert Request.objects.count() == 12
    assert not any("Same household" in r.help_requested for r in Request.objects.all())


def test_a_family_scattered_far_apart_is_a_second_request_that_names_the_first(source):
    rows = [
        ["F-1", "Hamid Amiri", "Gul", "Head", "1980", ""],
        *[[f"X-{i}", f"{GIVEN[i]} {FAMILY[i + 1]}", "", "", "1990", ""] for i in range(6)],
        ["F-1", "Laila Amiri", "", "Wife", "1984", ""],
    ]
    _import(csv_bytes(rows, header=HEADER), source, chunk_rows=3)

    first = Request.objects.get(imported_rows__row_number=2)
    later = Request.objects.get(imported_rows__row_number=9)
    assert first != later
    assert f"Same household as request {first.receipt_number}" in later.help_requested


def test_the_dry_run_shows_the_households_it_found(source):
    rows = _families(10)
    opened = open_sheet(io.BytesIO(csv_bytes(rows, header=HEADER)), organization=source)

    preview = preview_rows(sheet=opened.sheet, parser=opened.parser(source), organization=source)

    assert preview.household_count == 10
    assert preview.rows_in_households == len(rows)
    assert preview.requests == 10
    assert preview.household_groups[1]["rows"] == [3, 4]
    assert not Request.objects.exists()


def test_the_raw_input_keeps_every_row_of_the_family_as_read(source):
    _import(csv_bytes(_families(2), header=HEADER), source)
    family = Request.objects.get(imported_rows__row_number=3)
    raw = json.loads(family.raw_input)
    assert [r["row"] for r in raw["rows"]] == [3, 4]
    assert raw["rows"][1]["cells"][1] == "Nilab Barakzai"


ELIGIBILITY = ["Name", "DOB", "Employer", "Months employed", "SIV stage", "Vulnerability"]


def test_eligibility_columns_become_the_facts_triage_uses(source, active_guidance):
    rows = [
        ["Synthetic Interpreter", "1985", "US Embassy", "2 years", "COM approved", "Widow"],
        ["Synthetic Driver", "1979", "Acme Logistics", "18", "", "elderly; blind"],
    ]
    _import(csv_bytes(rows, header=ELIGIBILITY), source)

    first = Case.objects.get(case_requests__request__receipt_number=_receipt(2))
    facts = CaseFacts.objects.get(case=first).facts
    assert facts["employer_type"] == "us_government"
    assert facts["employment_months"] == 24
    assert facts["siv_stage"] == "com_approved"
    assert facts["vulnerabilities"] == ["woman_at_risk"]
    assert first.pathway == "siv_approved"  # the pack: Chief of Mission approval

    second = Request.objects.get(imported_rows__row_number=3)
    facts = CaseFacts.objects.get(case__case_requests__request=second).facts
    assert "employer_type" not in facts  # never guessed
    assert facts["vulnerabilities"] == ["elderly"]
    assert "Employer: Acme Logistics" in second.help_requested


def _receipt(row_number: int) -> str:
    return ImportedRow.objects.get(row_number=row_number).request.receipt_number


def test_staff_say_what_a_sources_word_means_and_it_is_remembered(
    client_for, intake_officer, source, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    rows = [["Synthetic Guard", "1990", "Acme Logistics", "30", "", ""]]
    data = xlsx_bytes(rows, header=ELIGIBILITY)
    client.post(
        reverse("importing:upload"),
        {"file": SimpleUploadedFile("l.xlsx", data), "source": source.pk},
    )
    batch = ImportBatch.objects.get()
    mapping = {f"column_{i}": field for i, field in enumerate(batch.mapping)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:preview", args=[batch.pk]), mapping)
    page = client.get(reverse("importing:detail", args=[batch.pk])).content.decode()
    assert "Eligibility answers not understood" in page
    assert "“acme logistics”" in page

    bad = client.post(reverse("importing:fact_values", args=[batch.pk]), {"value_0": "nonsense"})
    assert bad.status_code == 400
    assert "Select a valid choice" in bad.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            reverse("importing:fact_values", args=[batch.pk]),
            {"value_0": "us_government_contractor"},
        )
    assert ok.status_code == 302
    remembered = ImportMapping.objects.get(organization=source).fact_values
    assert remembered == {"fact_employer_type": {"acme logistics": "us_government_contractor"}}
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.preview["unknown_values"] == []
    assert AuditEvent.objects.filter(summary__startswith="Eligibility values remembered").exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("importing:start", args=[batch.pk]))
    request = Request.objects.get()
    assert request.stated_facts["employer_type"] == "us_government_contractor"


def test_the_command_line_dry_run_lists_households_and_unknown_values(source, tmp_path, capsys):
    rows = [
        ["F-1", "Synthetic Head", "", "Head", "1980", ""],
        ["F-1", "Synthetic Son", "", "Son", "2010", ""],
    ]
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes(rows, header=HEADER))
    call_command("import", str(path), "--source", source.name, "--dry-run")
    out = capsys.readouterr().out
    assert "Households: 1 (holding 2 rows): the import makes 1 requests." in out
    assert "f 1: rows 2, 3" in out
    assert not Request.objects.exists()
