"""A real browser on a phone-sized screen: send the public form in Dari, read the receipt, check the status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from haven.common.browser_testing import browser_test, chromium_page, haven_server

pytestmark = browser_test


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, migrated_database: Path) -> Iterator[str]:
    with haven_server(tmp_path_factory.mktemp("var"), database=migrated_database) as url:
        yield url


@pytest.fixture
def page() -> Iterator[Any]:
    # A small phone, with JavaScript off: the public pages must not need it.
    with chromium_page(viewport={"width": 360, "height": 740}, java_script_enabled=False) as page:
        yield page


def test_a_family_applies_in_dari_and_checks_the_status(server, page):
    page.goto(f"{server}/apply/")
    with page.expect_navigation():
        page.click("button[name=language][value=fa-af]")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.inner_text("h1") == "از کارگروه ویژه کمک بخواهید"

    page.fill("#id_principal-given_name", "محمد زمان")
    page.fill("#id_principal-father_name", "گل احمد")
    page.fill("#id_principal-date_of_birth", "۱۳۶۵/۰۴/۱۲")
    page.fill("#id_request-phone", "+93 70 123 4567")
    page.select_option("#id_members-0-relationship", "spouse")
    page.fill("#id_members-0-given_name", "فاطمه")
    page.check("#id_request-consent")
    page.click("button.primary")
    page.wait_for_url("**/apply/receipt/")

    receipt = page.inner_text("[data-testid=receipt-number]").strip()
    secret = page.inner_text("[data-testid=status-secret]").strip()
    assert receipt.startswith("HV-") and len(secret.replace("-", "")) >= 26
    assert "محمد" not in page.content()  # no names on the receipt

    page.goto(f"{server}/status/")
    assert page.get_attribute("html", "lang") == "fa-af"
    page.fill("#id_receipt_number", receipt)
    page.fill("#id_secret", secret)
    page.click("button.primary")
    page.wait_for_load_state("load")
    assert page.inner_text("[data-testid=status]").strip() == "دریافت شد"  # "Received"
    assert "محمد" not in page.content()
