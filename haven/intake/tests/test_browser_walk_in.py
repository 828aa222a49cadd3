"""A real browser against a real server: log in, enter a walk-in household, find it, read it in Dari."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]
ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "browser-test-password-1"
CREATE_USER = (
    "from haven.accounts.models import Organization, User;"
    "org = Organization.objects.create(name='Task Force', kind='task_force');"
    f"User.objects.create_user(username='intake', password='{PASSWORD}', role='intake_officer',"
    " organization=org)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A separate server process on its own SQLite file, as a user would run it."""
    var_dir = tmp_path_factory.mktemp("var")
    env = {**os.environ, "HAVEN_VAR_DIR": str(var_dir), "HAVEN_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    haven = [sys.executable, "-m", "haven.cli"]
    subprocess.run([*haven, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run([*haven, "shell", "-c", CREATE_USER], cwd=ROOT, env=env, check=True, timeout=60)
    port = _free_port()
    process = subprocess.Popen(
        [*haven, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_an_officer_enters_a_household_finds_it_and_reads_it_in_dari(server, page):
    page.goto(f"{server}/accounts/login/")
    page.fill("#id_username", "intake")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
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

    page.goto(f"{server}/cases/?q={receipt}")
    assert "Mohammad Zaman" in page.inner_text("#case-table")
    page.click("text=C-")
    members = page.inner_text("#members")
    assert "Fatima" in members and "زبیح‌الله" in members

    page.select_option("#language-select", "fa-af")
    page.wait_for_load_state("load")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "fa-af"
    assert "خروج" in page.inner_text("header")  # "Log out" in Dari
