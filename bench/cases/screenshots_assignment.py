"""Screenshots of the assignment screens (the case list with filters, bulk assignment and
saved searches; a case's assignment form; caseloads; teams in the administration; a bulk
notice to a saved search), in English and Dari, at 360 px and 1280 px.

    .venv/bin/python bench/cases/screenshots_assignment.py [--out /work/team/shots/case-assign]
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
import json
from haven.accounts.models import Organization, Team, User
from haven.cases.models import Case, SavedSearch
from haven.cases.tests.factories import make_request
from haven.triage import library, services
from haven.triage.models import GuidanceVersion
tf = Organization.objects.create(name="Task Force", kind="task_force")
users = {{n: User.objects.create_user(username=n, password={PASSWORD!r}, role=r, organization=tf)
         for n, r in (("supervisor", "supervisor"), ("caseworker", "caseworker"),
                      ("nadia", "caseworker"), ("admin", "admin"))}}
siv = Team.objects.create(name="SIV desk", kind="pathway", values=["siv_apply", "siv_in_process"])
dari = Team.objects.create(name="Dari speakers", kind="language", values=["fa", "fa-af"])
siv.members.add(users["caseworker"], users["nadia"]); dari.members.add(users["nadia"])
v = services.guidance_store(pack=library.find("us-afghan-2021@2"), actor=None)
GuidanceVersion.objects.filter(pk=v.pk).update(status="active")
rows = [("Mohammad Zaman", "siv_apply", 60), ("Din Mohammad", "p2", 40),
        ("Zabihullah", "siv_in_process", 75), ("Gul Ahmad", "refer_unhcr", 20),
        ("عبدالواحد نوری", "humanitarian_parole", 55), ("Fatima", "p1", 30)]
import datetime as dt
from django.utils import timezone
for i, (name, pathway, priority) in enumerate(rows):
    made = make_request(given_name=name, father_name=f"Father {{i}}")
    Case.objects.filter(case_requests__request=made.request).update(
        pathway=pathway, priority=priority,
        created_at=timezone.now() - dt.timedelta(days=5 * i))
    made.request.__class__.objects.filter(pk=made.request.pk).update(
        received_at=timezone.now() - dt.timedelta(days=5 * i))
cases = list(Case.objects.order_by("pk"))
Case.objects.filter(pk=cases[1].pk).update(assignee=users["nadia"], team=siv)
Case.objects.filter(pk=cases[3].pk).update(assignee=users["caseworker"])
SavedSearch.objects.create(owner=users["supervisor"], name="Urgent SIV",
                           filters=json.dumps({{"priority_min": "50", "open": "on"}}))
"""

SHOTS = [
    ("supervisor", "case-list", "/cases/?open=on"),
    ("supervisor", "case-assign", "/cases/1/"),
    ("supervisor", "caseloads", "/cases/caseloads/"),
    (
        "supervisor",
        "notice-saved-search",
        "/communications/notices/new/?purpose=general_notice&saved_search=1",
    ),
    ("admin", "teams", "/accounts/admin/teams/"),
    ("admin", "team-form", "/accounts/admin/teams/1/"),
    ("admin", "user-teams", "/accounts/admin/users/3/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/case-assign")
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
                for user in ("supervisor", "admin"):
                    page.context.clear_cookies()
                    log_in(page, url, user, PASSWORD)
                    page.wait_for_load_state()
                    if language != "en":
                        with page.expect_navigation():
                            page.select_option("#language-select", language)
                    for who, name, path in SHOTS:
                        if who != user:
                            continue
                        page.goto(url + path)
                        target = out / f"{name}-{language}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)


if __name__ == "__main__":
    main()
