"""Screenshots of the people and households screens (a case's household with each member's
other open cases and the household form; a refused move; correcting a person record, with a
future date refused; a person's page with their cases; the data-entry queue and a request
beside its form), in English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/cases/screenshots_people.py [--out /work/team/shots/case-people]
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
from haven.cases.models import Case, CaseMember
from haven.cases.tests.factories import make_request
from haven.intake.services import PersonInput, RequestInput, request_create
tf = Organization.objects.create(name="Task Force", kind="task_force")
User.objects.create_user(username="caseworker", password={PASSWORD!r}, role="caseworker",
                         organization=tf)
made = make_request(given_name="Gul Ahmad", father_name="Sher",
                    identifiers=(("passport", "P7654321"),),
                    members=(PersonInput(relationship="spouse", given_name="مریم",
                                         father_name="یوسف", date_of_birth="1367/01/23"),
                             PersonInput(relationship="child", given_name="Farid",
                                         father_name="Gul Ahmad", date_of_birth="2012")))
other = make_request(given_name="Zalmai", father_name="Rahim")
first = Case.objects.get(case_requests__request=made.request)
second = Case.objects.get(case_requests__request=other.request)
spouse = first.members.order_by("id")[1]
CaseMember.objects.create(case=second, person_id=spouse.person_id, relationship="sibling")
request_create(data=RequestInput(channel="email", people=()), raw_content_type="message/rfc822",
               raw_input="From: sponsor@example.org\\nSubject: please help\\n\\n"
                         "My brother Habibullah son of Sher, born 1365, passport P1122334, "
                         "is hiding in Kabul with his wife Shabana.")
request_create(data=RequestInput(channel="spreadsheet", people=()),
               raw_input='{{"Name": "", "Father": "Karim", "Notes": "family of five"}}')
"""

SHOTS = [
    ("case-household", "/cases/1/#members", None),
    ("case-household-refused", "/cases/2/", "refuse"),
    ("person-cases", "/resolution/people/2/", None),
    ("record-edit", "/resolution/records/2/edit/", None),
    ("record-edit-refused", "/resolution/records/2/edit/", "future"),
    ("data-entry-queue", "/cases/data-entry/", None),
    ("data-entry-form", "/cases/data-entry/3/", None),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/case-people")
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


def _act(page, action: str | None) -> None:  # type: ignore[no-untyped-def]
    if action == "refuse":
        # Move the only member of case 2 but one … then everyone: refused, nothing lost.
        for box in page.query_selector_all("input[name=people]"):
            box.check()
        page.fill("#id_target", "C-0000001")
        with page.expect_navigation():
            page.click("button[value=move]")
    elif action == "future":
        page.fill("#id_date_of_birth", "2090")
        with page.expect_navigation():
            page.click("#correction button[type=submit]")


def _shoot(url: str, out: Path) -> None:
    for width in (360, 1280):
        for language in ("en", "fa-af"):
            with chromium_page(viewport={"width": width, "height": 900}) as page:
                log_in(page, url, "caseworker", PASSWORD)
                page.wait_for_load_state()
                if language != "en":
                    with page.expect_navigation():
                        page.select_option("#language-select", language)
                for name, path, action in SHOTS:
                    page.goto(url + path)
                    _act(page, action)
                    target = out / f"{name}-{language}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)


if __name__ == "__main__":
    main()
