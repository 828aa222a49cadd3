"""Browser tests run a real `haven` server process and drive Debian's Chromium with Playwright.

The server gets its own SQLite file (a user's demo, not the test database), so nothing the
browser does depends on the test runner's transaction.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
# Without the background-networking flags Chromium keeps dialling out on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_free_port = free_port  # the older name, which bench scripts import


def _wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the haven server did not start on port {port}")


def _haven_env(var_dir: Path, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "HAVEN_VAR_DIR": str(var_dir), "HAVEN_DEBUG": "1", **(extra_env or {})}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def migrate_fresh(var_dir: Path, extra_env: dict[str, str] | None = None) -> None:
    """`haven migrate` a new SQLite database in var_dir, as a user's demo starts."""
    subprocess.run(
        [sys.executable, "-m", "haven.cli", "migrate", "-v0"],
        cwd=ROOT,
        env=_haven_env(var_dir, extra_env),
        check=True,
        timeout=300,
    )


def database_copy(source: Path, var_dir: Path) -> None:
    """Put a copy of the migrated SQLite database `source` where `haven` looks in var_dir.
    Through SQLite's backup, so a source in WAL mode is copied whole."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(source)) as src,
        closing(sqlite3.connect(var_dir / "haven.sqlite3")) as dst,
    ):
        src.backup(dst)


@contextmanager
def haven_server(
    var_dir: Path,
    *,
    setup_python: str = "",
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    database: Path | None = None,
) -> Iterator[str]:
    """Migrate a fresh database in var_dir, run setup code in `haven shell`, serve; yield the URL.
    A test that must know the address before the server starts (security keys are bound to it)
    passes a `port` from free_port() and the settings in `extra_env`. Tests pass `database`, a
    freshly migrated SQLite file (the `migrated_database` fixture, haven/conftest.py), which is
    copied instead of migrating again: the migrations take 30-45 s a server on two busy cores."""
    env = _haven_env(var_dir, extra_env)
    haven = [sys.executable, "-m", "haven.cli"]
    if database is None:
        migrate_fresh(var_dir, extra_env)
    else:
        database_copy(database, var_dir)
    if setup_python:
        subprocess.run(
            [*haven, "shell", "-c", setup_python], cwd=ROOT, env=env, check=True, timeout=60
        )
    port = port or free_port()
    process = subprocess.Popen(
        [*haven, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def chromium_page(**context_options: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(**context_options).new_page()
            # Generous: CI shares two cores with a second pytest worker.
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


# The authenticator-app key each user enrolled with, per server: a later log-in in the same
# module computes its code from it, as the user's phone would.
_enrolled_keys: dict[tuple[str, str], str] = {}
_last_step: dict[tuple[str, str], int] = {}


def _totp_code(secret: str, key: tuple[str, str]) -> str:
    import base64

    from django_otp.oath import TOTP

    raw = secret.replace(" ", "")
    totp = TOTP(base64.b32decode(raw + "=" * (-len(raw) % 8)))
    # A code is usable once: a second log-in within the same 30 seconds waits for the next one.
    while totp.t() <= _last_step.get(key, -1):
        time.sleep(1)
        totp.time = time.time()
    _last_step[key] = totp.t()
    return f"{totp.token():06d}"


def log_in(page: Any, server: str, username: str, password: str) -> None:
    """Log in through the form and pass the second factor as a person would: at the first
    log-in, enrol by typing the key shown under the QR code into "the app" (computed here),
    keep the recovery codes, continue; later log-ins type the app's current code."""
    key = (server, username)
    page.goto(f"{server}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/two-factor/**")
    if "/enrol/" in page.url:
        _enrolled_keys[key] = page.inner_text("[data-testid=totp-secret]").strip()
        page.fill("#id_code", _totp_code(_enrolled_keys[key], key))
        page.click("#main form button[type=submit]")
        page.wait_for_url("**/recovery-codes/")
        page.click("text=continue")
    else:
        page.fill("#id_code", _totp_code(_enrolled_keys[key], key))
        page.click("#main form button[type=submit] >> nth=0")
    page.wait_for_url(lambda url: "/accounts/" not in url)
