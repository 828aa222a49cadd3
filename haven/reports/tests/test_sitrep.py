"""The sitrep: a PDF whose text holds the headline figures in English and Dari, an XLSX with
one sheet per table, a button on the dashboard, long periods in the background."""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from haven.cases.models import Case
from haven.intake.models import Channel
from haven.reports.models import SitrepJob
from haven.reports.services import sitrep_job_render

from .desk import add_case

pytestmark = pytest.mark.django_db
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (poppler-utils) is not installed: `make report-deps` installs it as root",
)


@pytest.fixture
def desk(caseworker):
    for i in range(7):
        add_case(
            days_ago=i % 3,
            channel=Channel.WALK_IN if i % 2 else Channel.API,
            pathway="p1",
            assignee=caseworker,
        )
    add_case(days_ago=10, pathway="siv_apply", status=Case.Status.IN_REVIEW)
    add_case(days_ago=45, pathway="p1", status=Case.Status.AWAITING_INFORMATION)


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@needs_pdftotext
def test_the_english_sitrep_pdf_has_the_headline_figures(desk, tmp_path) -> None:
    out = tmp_path / "sitrep.pdf"
    stdout = StringIO()
    call_command("report", "sitrep", "--out", str(out), stdout=stdout)
    assert out.read_bytes().startswith(b"%PDF")
    text = _text(out)
    assert "Situation report" in text
    # 7 requests in the last week, 1 the week before (10 days ago); 9 open cases, 1 over target.
    assert "Requests received" in text
    line = next(line for line in text.splitlines() if "Requests received" in line)
    assert line.split()[-3:] == ["7", "1", "+6"]
    line = next(line for line in text.splitlines() if "Open cases now" in line)
    assert line.split()[-1] == "9"
    assert "Requests received: 7 (+6)" in stdout.getvalue()
    assert 1 <= _pages(out) <= 2


@needs_pdftotext
def test_the_dari_sitrep_pdf_is_shaped_right_to_left(desk, tmp_path) -> None:
    out = tmp_path / "sitrep-fa.pdf"
    call_command("report", "sitrep", "--out", str(out), "--lang", "fa-af", stdout=StringIO())
    text = _text(out)
    assert "7" in text and "+6" in text
    # Arabic-script letters come out as letters (shaped glyphs map back to text).
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_the_sitrep_workbook_has_one_sheet_per_table(desk, tmp_path) -> None:
    out = tmp_path / "sitrep.xlsx"
    call_command("report", "sitrep", "--out", str(out), stdout=StringIO())
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Headline"
    # Sheet names are at most 31 characters (Excel's limit).
    assert {"Open cases by pathway and statu", "Review queue and data-entry bac"} <= set(
        book.sheetnames
    )
    headline = {row[0]: row[1:] for row in book["Headline"].iter_rows(min_row=2, values_only=True)}
    assert headline["Requests received"][:2] == (7, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "is not a date"),
        (["--since", "2026-11-20", "--until", "2026-11-01"], "ends before it starts"),
        (["--since", "2016-01-01", "--until", "2026-01-01"], "at most 731 days"),
    ],
)
def test_bad_periods_are_refused_with_exit_code_2(tmp_path, args, message, db) -> None:
    with pytest.raises(CommandError, match=message) as error:
        call_command("report", "sitrep", "--out", str(tmp_path / "x.pdf"), *args)
    assert error.value.returncode == 2


def test_an_empty_period_still_makes_a_sitrep(tmp_path, db) -> None:
    out = tmp_path / "empty.xlsx"
    call_command(
        "report",
        "sitrep",
        "--out",
        str(out),
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-07",
        stdout=StringIO(),
    )
    assert openpyxl.load_workbook(out)["Headline"]["B2"].value == 0


def test_the_dashboard_button_downloads_the_sitrep(client_for, supervisor, desk) -> None:
    response = client_for(supervisor).post(reverse("reports:sitrep"), {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content[:2] == b"PK"


def test_a_caseworker_cannot_make_a_sitrep(client_for, caseworker) -> None:
    assert (
        client_for(caseworker).post(reverse("reports:sitrep"), {"format": "pdf"}).status_code == 403
    )


def test_a_long_period_renders_in_the_background_with_progress(
    client_for, supervisor, desk, settings
) -> None:
    settings.HAVEN_REPORTS_SITREP_INLINE_DAYS = 31
    client = client_for(supervisor)
    response = client.post(reverse("reports:sitrep"), {"format": "pdf", "date_from": "2026-01-01"})
    job = SitrepJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:sitrep_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 2s"' in page and job.get_status_display() in page
    # The test's transaction never commits, so the worker's task is run here by hand.
    sitrep_job_render(job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress) == (SitrepJob.Status.DONE, 100)
    download = client.get(reverse("reports:sitrep_download", args=[job.pk]))
    assert download.content.startswith(b"%PDF")


@needs_pdftotext
def test_the_pashto_sitrep_pdf_has_the_headline_figures(desk, tmp_path) -> None:
    out = tmp_path / "sitrep-ps.pdf"
    call_command("report", "sitrep", "--out", str(out), "--lang", "ps", stdout=StringIO())
    # pdftotext marks each right-to-left and left-to-right run (U+202A-U+202E): left out here.
    text = re.sub("[\u202a-\u202e\u2066-\u2069]", "", _text(out))
    assert "د وضعیت راپور" in text  # "Situation report": shaped letters map back to text
    # Pashto's own letters (ښ, ې) come out as letters: the Pashto texts, not the Dari ones.
    requests = next(line for line in text.splitlines() if "ترلاسه شوې غوښتنې" in line)
    # 7 requests this week, 1 the week before, +6 (the columns run right to left).
    assert [w for w in requests.split() if w[-1].isdigit()] == ["+6", "1", "7"]
    open_now = next(line for line in text.splitlines() if "اوسنۍ خلاصې قضیې" in line)
    assert "9" in open_now.split()
    # A date inside Pashto text stays one left-to-right run (2026-12-03, not 03-12-2026).
    busiest = next(line for line in text.splitlines() if "تر ټولو بوخته ورځ" in line)
    assert timezone.localdate().isoformat() in busiest.replace("\u2011", "-")
    assert 1 <= _pages(out) <= 2
