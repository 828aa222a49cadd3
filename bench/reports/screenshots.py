"""Screenshots of the dashboard and export screens, English and Dari, 360 px and 1280 px.

    HAVEN_VAR_DIR=/tmp/reports-demo .venv/bin/python bench/reports/screenshots.py OUT_DIR \
        --since 2021-09-15 --until 2021-10-15

Runs against a demo database (`haven demo`) in HAVEN_VAR_DIR, served by `haven runserver`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from haven.common.browser_testing import _free_port, _wait_for_port, chromium_page

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--since", default="")
    parser.add_argument("--until", default="")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    var = Path(os.environ["HAVEN_VAR_DIR"])
    password = json.loads((var / "demo-credentials.json").read_text())["supervisor"]
    env = {**os.environ, "HAVEN_DEBUG": "1"}
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "haven.cli", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        query = f"?date_from={args.since}&date_to={args.until}" if args.since else ""
        for lang in ("en", "fa-af"):
            for width in (360, 1280):
                with chromium_page(viewport={"width": width, "height": 900}) as page:
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=username]", "supervisor")
                    page.fill("input[name=password]", password)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    if lang != "en":
                        with page.expect_navigation():
                            page.select_option("#language-select", lang)
                    for name, path in (
                        ("dashboard", f"/reports/{query}"),
                        ("export-new", "/reports/exports/new/"),
                        ("export-register", "/reports/exports/"),
                    ):
                        page.goto(base + path)
                        page.screenshot(
                            path=str(out / f"{name}-{lang}-{width}.png"), full_page=True
                        )
                        print(out / f"{name}-{lang}-{width}.png")
                        if name == "export-new":
                            # A request above the row limit: the page a second supervisor acts on.
                            page.fill("input[name=reason]", "Hand-over list for IOM")
                            page.click("form.card button[type=submit]")
                            page.wait_for_load_state()
                            shot = out / f"export-awaiting-{lang}-{width}.png"
                            page.screenshot(path=str(shot), full_page=True)
                            print(shot)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
