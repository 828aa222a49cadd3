"""Benchmark: a 100,000-row XLSX from the synthetic generator, dry run then import.

Each phase runs as its own `haven import` process, as staff would run it, and is
measured from outside: wall time, and peak memory (maximum resident set size) of
that process alone. Run from the repository root:

    .venv/bin/python bench/import_xlsx/run.py                      # SQLite, 100,000 rows
    .venv/bin/python bench/import_xlsx/run.py --database postgres  # PostgreSQL at 127.0.0.1:5432
    .venv/bin/python bench/import_xlsx/run.py --rows 5000          # a quick look
    .venv/bin/python bench/import_xlsx/run.py --read-alone         # the XLSX reader alone

Each figure is printed with the machine's 1-minute load average when it was taken.

Targets (issue 3): dry run plus import under 60 s and under 500 MB on 2 cores.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HAVEN = ROOT / ".venv" / "bin" / "haven"
PG_URL = "postgres://postgres@127.0.0.1:5432/{name}"
HEADER = [
    "S/No",
    "Name",
    "Father's name",
    "Relation",
    "Sex",
    "DOB",
    "Province",
    "Phone",
    "Passport",
    "Tazkira",
    "SIV case",
    "Email",
    "Current location",
    "Help requested",
]
_ID_COLUMNS = {
    "phone": "Phone",
    "passport": "Passport",
    "e_tazkira": "Tazkira",
    "paper_tazkira": "Tazkira",
    "siv_case": "SIV case",
    "email": "Email",
}


def write_workbook(path: Path, rows: int, seed: int) -> None:
    """One row per person, as list-keepers write households, from the synthetic stream."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    import django

    django.setup()
    from openpyxl import Workbook

    from haven.intake.synthetic import generate

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Requests")
    sheet.append(HEADER)
    written = 0
    for synthetic in generate(requests=rows, seed=seed):
        data = synthetic.data
        for person in data.people:
            cells = dict.fromkeys(HEADER, "")
            cells.update(
                {
                    "S/No": str(written + 1),
                    "Name": person.full_name
                    or " ".join(p for p in (person.given_name, person.family_name) if p),
                    "Father's name": person.father_name,
                    "Relation": person.relationship,
                    "Sex": person.sex,
                    "DOB": person.date_of_birth,
                    "Province": person.province,
                    "Current location": data.current_location,
                    "Help requested": data.help_requested[:200],
                }
            )
            for kind, value in person.identifiers:
                column = _ID_COLUMNS.get(kind)
                if column and not cells[column]:
                    cells[column] = value
            # Text cells throughout: a spreadsheet program must not read "=…" as a formula.
            sheet.append([cells[c] for c in HEADER])
            written += 1
            if written >= rows:
                break
        if written >= rows:
            break
    book.save(path)


def measured(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and stdout of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"{' '.join(args)} failed with {child.returncode}")
    return elapsed, usage.ru_maxrss / 1024, output


READ_ALONE = """
import sys, django
django.setup()
from haven.intake.importing.readers import open_table
with open(sys.argv[1], "rb") as fileobj:
    print(sum(1 for _row in open_table(fileobj).rows()))
"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def read_alone(workbook: Path) -> None:
    """Open the workbook and read every row, nothing else: the reader's own cost."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haven.config.settings"}
    python = str(ROOT / ".venv" / "bin" / "python")
    before = load()
    seconds, peak_mb, output = measured([python, "-c", READ_ALONE, str(workbook)], env)
    print(
        f"read alone  {seconds:8.1f} s  {peak_mb:7.0f} MB peak  {int(output):,} rows  "
        f"({before} before, {load()} after)"
    )


def prepare_database(kind: str, workdir: Path, name: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haven.config.settings"}
    env["HAVEN_VAR_DIR"] = str(workdir / "var")
    if kind == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, env=env
            )
        env["DATABASE_URL"] = PG_URL.format(name=name)
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run([str(HAVEN), "migrate", "-v0"], check=True, env=env)
    return env


def count_requests(env: dict[str, str]) -> int:
    code = (
        "from haven.intake.models import Request;"
        "print(Request.objects.filter(channel='spreadsheet').count())"
    )
    out = subprocess.run(
        [str(HAVEN), "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--pg-name", default="haven_bench_import", help="the PostgreSQL database (recreated)"
    )
    parser.add_argument(
        "--read-alone", action="store_true", help="time only reading the workbook's rows"
    )
    parser.add_argument(
        "--workbook", type=Path, help="keep the XLSX here; reused when it already exists"
    )
    parser.add_argument("--dry-run-only", action="store_true", help="measure the dry run alone")
    parser.add_argument(
        "--match-now",
        action="store_true",
        help="import with --match-now (the pipeline runs chunk by chunk inside the import)",
    )
    parser.add_argument(
        "--no-drain", action="store_true", help="skip timing the background pipeline afterwards"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="haven-bench-") as tmp:
        workdir = Path(tmp)
        workbook = args.workbook or workdir / f"bench_{args.rows}.xlsx"
        if not workbook.exists():
            started = time.perf_counter()
            write_workbook(workbook, args.rows, args.seed)
            print(
                f"generated {workbook.name}: {workbook.stat().st_size / 1e6:.1f} MB "
                f"in {time.perf_counter() - started:.1f} s"
            )
        if args.read_alone:
            read_alone(workbook)
            return
        env = prepare_database(args.database, workdir, args.pg_name)
        base = [str(HAVEN), "import", str(workbook), "--source", "Bench list-keeper", "--json"]
        results = []
        importing = ["--yes", "--match-now"] if args.match_now else ["--yes"]
        phases = [("dry run", ["--create-source", "--dry-run"]), ("import", importing)]
        for phase, extra in phases[:1] if args.dry_run_only else phases:
            seconds, peak_mb, output = measured([*base, *extra], env)
            counts = json.loads(output.strip().splitlines()[-1])
            results.append((phase, seconds, peak_mb, counts))
            print(
                f"{phase:8}  {seconds:8.1f} s  {peak_mb:7.0f} MB peak  "
                f"{counts['rows'] / seconds:8,.0f} rows/s  {counts}  {load()}",
                flush=True,
            )
        total = sum(r[1] for r in results)
        peak = max(r[2] for r in results)
        stored = count_requests(env)
        print(
            f"total     {total:8.1f} s  {peak:7.0f} MB peak   ({args.database}, "
            f"{os.cpu_count()} cores)  requests stored: {stored:,}  {load()}"
        )
        print(
            f"targets: under 60 s: {'yes' if total < 60 else 'NO'}; "
            f"under 500 MB: {'yes' if peak < 500 else 'NO'}"
        )
        if not (args.dry_run_only or args.match_now or args.no_drain):
            # What the background worker does next, timed alone: matching, cases, triage.
            seconds, peak_mb, output = measured([str(HAVEN), "intake-drain"], env)
            print(
                f"then the background pipeline (haven intake-drain): {seconds:.1f} s, "
                f"{peak_mb:.0f} MB peak, {stored / seconds:,.0f} requests/s: "
                f"{output.strip().splitlines()[-1]}"
            )


if __name__ == "__main__":
    main()
