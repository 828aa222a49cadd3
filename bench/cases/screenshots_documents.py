"""Screenshots of the documents screens (a case's Documents panel with a clean, a waiting and
an infected document; the panel after a refused upload; the walk-in form's documents part;
the supervisors' quarantine list), in English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/cases/screenshots_documents.py [--out /work/team/shots/case-documents]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from haven.common.browser_testing import chromium_page, haven_server, log_in

PASSWORD = "browser-test-password-1"

SETUP = f"""
from haven.accounts.models import Organization, User
from haven.cases.clamd import ScanResult, Verdict
from haven.cases.document_files import prepare
from haven.cases.models import Case
from haven.cases.services_documents import NewDocument, documents_add
from haven.cases.tests.document_helpers import jpeg_with_gps, pdf
from haven.cases.tests.factories import make_request
from haven.cases.tests.fake_clamd import EICAR
tf = Organization.objects.create(name="Task Force", kind="task_force")
users = {{n: User.objects.create_user(username=n, password={PASSWORD!r}, role=r, organization=tf)
         for n, r in (("supervisor", "supervisor"), ("intake", "intake_officer"))}}
made = make_request(given_name="Mohammad Zaman", father_name="Gul Ahmad")
case = Case.objects.get(case_requests__request=made.request)
documents_add(case=case, actor=users["intake"], source="walk_in", documents=[
    NewDocument(file=prepare(jpeg_with_gps(), "passport-scan.jpg"), kind="passport",
                scan=ScanResult(Verdict.NOT_CONFIGURED)),
    NewDocument(file=prepare(pdf(), "recommendation-letter.pdf"), kind="recommendation_letter",
                scan=ScanResult(Verdict.UNAVAILABLE, "ConnectionRefusedError")),
])
documents_add(case=case, actor=users["supervisor"], source="case_page", documents=[
    NewDocument(file=prepare(EICAR, "COM-approval.txt"), kind="com_approval_letter",
                scan=ScanResult(Verdict.INFECTED, "Eicar-Test-Signature"),
                description="Forwarded by the sponsor"),
])
"""
EXE = b"MZ\\x90\\x00" + b"\\x00" * 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/case-documents")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        _prepare(Path(var))
        with haven_server(Path(var)) as url:
            _shoot(url, out)


def _prepare(var: Path) -> None:
    env = {**os.environ, "HAVEN_VAR_DIR": str(var), "HAVEN_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    haven = [sys.executable, "-m", "haven.cli"]
    root = Path(__file__).resolve().parents[2]
    subprocess.run([*haven, "migrate", "-v0"], cwd=root, env=env, check=True, timeout=900)
    subprocess.run([*haven, "shell", "-c", SETUP], cwd=root, env=env, check=True, timeout=900)


def _shot(page, target: Path, selector: str | None = None) -> None:
    if selector:
        page.locator(selector).screenshot(path=str(target))
    else:
        page.screenshot(path=str(target), full_page=True)
    print(target)


def _shoot(url: str, out: Path) -> None:
    for width in (360, 1280):
        for language in ("en", "fa-af"):
            with chromium_page(viewport={"width": width, "height": 900}) as page:
                log_in(page, url, "supervisor", PASSWORD)
                page.wait_for_load_state()
                if language != "en":
                    with page.expect_navigation():
                        page.select_option("#language-select", language)
                suffix = f"{language}-{width}"
                page.goto(url + "/cases/1/")
                _shot(page, out / f"documents-panel-{suffix}.png", "#documents")
                page.set_input_files(
                    "#document-upload input[type=file]",
                    files=[{"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": EXE}],
                )
                with page.expect_navigation():
                    page.click("#document-upload button[type=submit]")
                _shot(page, out / f"documents-refused-{suffix}.png", "#documents")
                page.goto(url + "/cases/documents/quarantine/")
                _shot(page, out / f"documents-quarantine-{suffix}.png")
                page.goto(url + "/intake/walk-in/")
                _shot(page, out / f"documents-walk-in-{suffix}.png", "#walk-in-documents")


if __name__ == "__main__":
    main()
