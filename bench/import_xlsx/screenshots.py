"""Screenshots of the spreadsheet import screens (the upload page with recent imports, a
refused workbook, the column check of a Dari list), in English and Dari, at 360 px and
1280 px.

    .venv/bin/python bench/import_xlsx/screenshots.py [--out /work/team/shots/import-xlsx]

The list is synthetic (people made up for the screens); the column check needs no worker.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook

from haven.common.browser_testing import chromium_page, haven_server, log_in

PASSWORD = "xlsx-screens-password-1"

SETUP = f"""
from haven.accounts.models import Organization, User
org = Organization.objects.create(name="Task force", kind=Organization.Kind.TASK_FORCE)
Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)
User.objects.create_user(
    username="intake", password="{PASSWORD}", role="intake_officer", organization=org
)
"""

ROWS = [
    ["نام", "نام پدر", "تاریخ تولد", "نسبت", "شماره تماس", "Family ID"],
    ["احمد ولی", "غلام سخی", "۱۳۶۰/۰۲/۱۵", "متقاضی", "0700123456", "F-1"],
    ["فریبا", "محمد نبی", "۱۳۶۴", "همسر", "", "F-1"],
    ["Nilab Sadiqi", "Sayed Ahmad", "23/12/1982", "self", "+93 700 123 457", "F-2 (Kabul)"],
]


def workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_doctype(data: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            target.writestr(item, body)
    return out.getvalue()


def upload(page, url: str, path: Path) -> None:
    page.goto(url + "/intake/import/")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=source]", label="IOM Kabul")
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="/work/team/shots/import-xlsx")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as var, haven_server(Path(var), setup_python=SETUP) as url:
        good, bad = Path(var) / "لست خانواده ها (2).xlsx", Path(var) / "refused.xlsx"
        good.write_bytes(workbook(ROWS))
        bad.write_bytes(with_doctype(workbook(ROWS)))
        for width in (360, 1280):
            for language in ("en", "fa-af"):
                with chromium_page(viewport={"width": width, "height": 900}) as page:
                    log_in(page, url, "intake", PASSWORD)
                    page.wait_for_load_state()
                    if language != "en":
                        with page.expect_navigation():
                            page.select_option("#language-select", language)

                    for name, path in (
                        ("xlsx-columns", good),
                        ("xlsx-refused", bad),
                        ("xlsx-list", None),
                    ):
                        if path is None:
                            page.goto(url + "/intake/import/")
                        else:
                            upload(page, url, path)
                        target = out / f"{name}-{language}-{width}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target)


if __name__ == "__main__":
    main()
