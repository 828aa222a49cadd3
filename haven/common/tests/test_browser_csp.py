"""A real browser under the Content-Security-Policy: nothing is refused, and what used to be
inline script (the language menu, "Add another family member", Print) still works
(issue 11, item 22)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from haven.common.browser_testing import browser_test, chromium_page, haven_server, log_in

pytestmark = browser_test
PASSWORD = "browser-test-password-1"
CREATE_USER = (
    "from haven.accounts.models import Organization, User;"
    "org = Organization.objects.create(name='Task Force', kind='task_force');"
    f"User.objects.create_user(username='intake', password='{PASSWORD}', role='intake_officer',"
    " organization=org)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    with haven_server(
        tmp_path_factory.mktemp("var"), database=migrated_database, setup_python=CREATE_USER
    ) as url:
        yield url


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium_page() as page:
        yield page


def test_pages_work_under_the_policy_with_nothing_refused(server, page):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    page.goto(f"{server}/apply/")
    page.goto(f"{server}/status/")
    # Through the log-in form, enrolment and the second factor: those pages are under it too.
    log_in(page, server, "intake", PASSWORD)

    page.goto(f"{server}/intake/walk-in/")
    before = page.locator("#members fieldset").count()
    page.click("#add-member")
    assert page.locator("#members fieldset").count() == before + 1
    assert page.locator(f"#id_members-{before}-given_name").count() == 1

    with page.expect_navigation():
        page.select_option("#language-select", "fa-af")
    assert page.get_attribute("html", "dir") == "rtl"
    assert refused == []
