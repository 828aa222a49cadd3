"""A real browser through a caseworker's step: take the next case from the queue, upload a
scan to it, and mark its task done."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from haven.common.browser_testing import browser_test, chromium_page, haven_server, log_in

from .document_helpers import jpeg_with_gps

pytestmark = browser_test
PASSWORD = "browser-test-password-3"
SETUP = f"""
from haven.accounts.models import Organization, Team, User
from haven.cases.models import Case
from haven.cases.services_tasks import task_create
from haven.cases.tests.factories import make_request
org = Organization.objects.create(name="Task Force", kind="task_force")
worker = User.objects.create_user(username="worker", password={PASSWORD!r}, role="caseworker",
                                  organization=org)
boss = User.objects.create_user(username="boss", password={PASSWORD!r}, role="supervisor",
                                organization=org)
team = Team.objects.create(name="SIV desk", kind="pathway", values=["siv_apply"])
team.members.add(worker)
made = make_request(given_name="Mohammad Zaman", father_name="Gul Ahmad")
case = Case.objects.get(case_requests__request=made.request)
Case.objects.filter(pk=case.pk).update(team=team, pathway="siv_apply", priority=80)
task_create(case=case, actor=boss, title="Scan the passport")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    with haven_server(
        tmp_path_factory.mktemp("var"), database=migrated_database, setup_python=SETUP
    ) as url:
        yield url


def test_take_next_then_upload_a_scan_then_complete_the_task(server, tmp_path: Path):
    scan = tmp_path / "passport.jpg"
    scan.write_bytes(jpeg_with_gps())
    with chromium_page(viewport={"width": 1280, "height": 1000}) as page:
        log_in(page, server, "worker", PASSWORD)
        page.goto(f"{server}/cases/")
        with page.expect_navigation():
            page.click("text=Take next case")
        assert "is yours now" in page.inner_text("main")
        assert "Mohammad Zaman" in page.inner_text("h1")
        page.select_option("#document-upload select[name=kind]", "passport")
        page.set_input_files("#document-upload input[type=file]", str(scan))
        with page.expect_navigation():
            page.click("#document-upload button[type=submit]")
        documents = page.inner_text("#documents")
        assert "passport.jpg" in documents and "Passport" in documents
        with page.expect_download() as download_info:
            page.click("#documents a[download]")
        assert Path(download_info.value.path()).read_bytes()[:3] == b"\xff\xd8\xff"
        assert "Scan the passport" in page.inner_text("#tasks")
        page.click("#tasks .task-done")
        # Polled from Python: the page's CSP forbids evaluating a string as script, which
        # is how wait_for_function takes one.
        for _attempt in range(150):
            open_tasks = page.locator("#tasks ul.tasks")
            if open_tasks.count() == 0 or "Scan the passport" not in open_tasks.first.inner_text():
                break
            page.wait_for_timeout(100)
        else:
            raise AssertionError("the task stayed open after it was marked done")
        page.reload()
        open_tasks = page.locator("#tasks ul.tasks")
        assert open_tasks.count() == 0 or "Scan the passport" not in open_tasks.inner_text()
