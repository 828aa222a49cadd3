"""Screenshots of the tasks screens (a case's tasks panel with its evidence checklist, a
refused task, restricted notes, the alerts page, caseloads with overdue tasks), in English and
Dari, at 360 px and 1280 px.

    .venv/bin/python bench/cases/screenshots_tasks.py [--out /work/team/shots/case-tasks]
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
import datetime as dt
from django.utils import timezone
from haven.accounts.models import Organization, User
from haven.cases.alerts import alerts_raise
from haven.cases.models import Case, Task
from haven.cases.services import note_create
from haven.cases.services_tasks import task_create
from haven.cases.tests.factories import make_request
from haven.triage import library, services
from haven.triage.models import CaseFacts
tf = Organization.objects.create(name="Task Force", kind="task_force")
users = {{n: User.objects.create_user(username=n, password={PASSWORD!r}, role=r, organization=tf,
                                      first_name=f)
         for n, r, f in (("supervisor", "supervisor", "Sadia"), ("caseworker", "caseworker", "Karim"),
                         ("officer", "intake_officer", "Laila"))}}
v = services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
services.guidance_activate(version=v, actor=users["supervisor"])
made = make_request(given_name="Mohammad Zaman", father_name="Abdul Ghafoor")
case = made.request.case_links.get().case
Case.objects.filter(pk=case.pk).update(assignee=users["caseworker"])
CaseFacts.objects.update_or_create(case=case, defaults={{"facts": {{"nationality": "AF",
    "current_country": "AF", "claims_eligibility": True, "is_us_citizen": False,
    "is_us_lpr": False, "employer_type": "none", "employment_months": 0, "siv_stage": "none",
    "referral_source": "none", "us_relative": "none", "vulnerabilities": [], "dependants": 2}}}})
services.case_retriage(case=case, actor=users["supervisor"])
cw = users["caseworker"]
t = task_create(case=case, actor=cw, title="Call the sponsor about the letter",
                due_date=timezone.localdate() + dt.timedelta(days=3))
Task.objects.filter(pk=t.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
task_create(case=case, actor=cw, title="Book the interview at the embassy",
            assignee=users["supervisor"], due_date=timezone.localdate() + dt.timedelta(days=7))
note_create(case=case, author=cw, body="The family fear a neighbour; do not phone after dark.",
            restricted=True)
note_create(case=case, author=cw, body="Documents checked at the desk.")
alerts_raise()
"""

SHOTS = [
    ("caseworker", "case-tasks", "/cases/1/", "#tasks"),
    ("caseworker", "case-notes", "/cases/1/", "#notes"),
    ("caseworker", "case-tasks-refused", "/cases/1/", "refuse"),
    ("caseworker", "alerts", "/cases/alerts/", ""),
    ("supervisor", "caseloads", "/cases/caseloads/", ""),
    ("officer", "case-notes-intake-officer", "/cases/1/", "#notes"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/case-tasks")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var:
        _prepare(Path(var))
        with haven_server(Path(var)) as url:
            _shoot(url, out)


def _prepare(var: Path) -> None:
    """Migrate and fill the demo database first, without haven_server's 60 s limit on the
    set-up (a shared machine under load needs longer)."""
    env = {**os.environ, "HAVEN_VAR_DIR": str(var), "HAVEN_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    haven = [sys.executable, "-m", "haven.cli"]
    root = Path(__file__).resolve().parents[2]
    subprocess.run([*haven, "migrate", "-v0"], cwd=root, env=env, check=True, timeout=900)
    subprocess.run([*haven, "shell", "-c", SETUP], cwd=root, env=env, check=True, timeout=900)


def _shoot(url: str, out: Path) -> None:
    for width in (360, 1280):
        for language in ("en", "fa-af"):
            with chromium_page(viewport={"width": width, "height": 900}) as page:
                for user in ("caseworker", "supervisor", "officer"):
                    page.context.clear_cookies()
                    log_in(page, url, user, PASSWORD)
                    page.wait_for_load_state()
                    if language != "en":
                        with page.expect_navigation():
                            page.select_option("#language-select", language)
                    for who, name, path, part in SHOTS:
                        if who != user:
                            continue
                        page.goto(url + path)
                        target = out / f"{name}-{language}-{width}.png"
                        if part == "refuse":
                            page.fill("#task-form input[name=due_date]", "2021-08-15")
                            page.click("#task-form button[type=submit]")
                            page.wait_for_selector("#tasks .errorlist")
                            part = "#tasks"
                        if part:
                            page.locator(part).screenshot(path=str(target))
                        else:
                            page.screenshot(path=str(target), full_page=True)
                        print(target)


if __name__ == "__main__":
    main()
