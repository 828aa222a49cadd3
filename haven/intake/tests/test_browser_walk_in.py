"""A real browser against a real server: log in, enter a walk-in household, find it, read it in Dari."""

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


def test_an_officer_enters_a_household_finds_it_and_reads_it_in_dari(server, page):
    log_in(page, server, "intake", PASSWORD)
    page.wait_for_url("**/cases/")

    page.goto(f"{server}/intake/walk-in/")
    page.fill("#id_principal-given_name", "Mohammad Zaman")
    page.fill("#id_principal-father_name", "Gul Ahmad")
    page.fill("#id_principal-date_of_birth", "1365/04/12")
    page.fill("#id_request-phone", "+93 70 123 4567")
    page.select_option("#id_members-0-relationship", "spouse")
    page.fill("#id_members-0-given_name", "Fatima")
    page.select_option("#id_members-1-relationship", "child")
    page.fill("#id_members-1-full_name", "زبیح‌الله")
    page.click("text=Save request and print receipt")
    page.wait_for_url("**/receipts/**")
    receipt = page.inner_text("[data-testid=receipt-number]").strip()
    assert receipt.startswith("HV-")
    assert page.inner_text("[data-testid=status-secret]").strip()

    page.goto(f"{server}/cases/")
    # The search is POSTed (htmx) and the address pushed is a search id, never the receipt.
    with page.expect_response(lambda r: r.request.method == "POST" and "/cases/" in r.url):
        page.fill("#id_q", receipt)
    page.wait_for_function("() => location.search.startsWith('?search=')")
    assert receipt not in page.url
    assert "Mohammad Zaman" in page.inner_text("#case-table")
    page.click("text=C-")
    members = page.inner_text("#members")
    assert "Fatima" in members and "زبیح‌الله" in members

    # Choosing a language submits the form: wait for that navigation, not just any load.
    with page.expect_navigation():
        page.select_option("#language-select", "fa-af")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "fa-af"
    assert "خروج" in page.inner_text("header")  # "Log out" in Dari
