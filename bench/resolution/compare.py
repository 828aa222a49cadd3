"""Haven's matcher and a plain Splink baseline, side by side, on synthetic data with truth.

    # 10,000 records from `haven seed` (the project's generator), both engines:
    .venv/bin/python bench/resolution/compare.py --seed-records 10000
    # a file pair you already have (resolve-file CSV + record_id,person_id[,household_id]):
    .venv/bin/python bench/resolution/compare.py --records r.csv --truth t.csv
    # the independent held-out generator:
    .venv/bin/python bench/resolution/compare.py --heldout 10000
    # a million (takes a while; add --only haven to skip the baseline):
    .venv/bin/python bench/resolution/compare.py --seed-records 1000000

Each engine runs in its own process, so its time and peak memory (max RSS,
DuckDB included) are its own. Printed per engine: precision of automatic links
(pairwise), recall, pairwise F1, review-queue share of records, time, peak memory.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import django

csv.field_size_limit(10_000_000)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    django.setup()


def _read_rows(path: Path) -> list[dict[str, str]]:
    from haven.resolution.resolve_file import rows_read

    with path.open(encoding="utf-8-sig", newline="") as stream:
        return rows_read(stream)


def _read_truth(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return {r["record_id"]: r["person_id"] for r in csv.DictReader(stream)}


def _run_engine(engine: str, records: str, truth: str, as_of: str, queue: Any) -> None:
    _setup()
    from haven.resolution.evaluation import pairwise_scores
    from haven.resolution.resolve import records_resolve
    from haven.resolution.resolve_file import rows_drain, rows_resolve

    rows = _read_rows(Path(records))
    n_rows = len(rows)
    started = time.perf_counter()
    if engine == "haven":
        rows.reverse()
        today = dt.date.fromisoformat(as_of) if as_of else None
        resolution = rows_resolve(rows_drain(rows), today=today)
    else:
        sys.path.insert(0, str(Path(__file__).parent))
        from baseline import COLUMNS, baseline_record, baseline_spec

        prepared = [baseline_record(r) for r in rows]
        resolution = records_resolve(prepared, spec=baseline_spec(), columns=COLUMNS)
    elapsed = time.perf_counter() - started
    scores = pairwise_scores(resolution.cluster_of, _read_truth(Path(truth)))
    review = sum(d == "review" for d in resolution.decision.values()) / max(n_rows, 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "engine": engine,
            "records": n_rows,
            "precision": scores.precision,
            "recall": scores.recall,
            "f1": scores.f1,
            "review": review,
            "seconds": elapsed,
            "peak_mb": peak_mb,
        }
    )


def _measure(engine: str, records: Path, truth: Path, as_of: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(
        target=_run_engine, args=(engine, str(records), str(truth), as_of, queue)
    )
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def _seed(n_records: int, directory: Path, seed: int, request_ids: bool) -> tuple[Path, Path]:
    """`haven seed` makes about five person records per request."""
    records, truth = directory / "records.csv", directory / "truth.csv"
    haven = Path(sys.executable).with_name("haven")
    requests = max(1, round(n_records / 5))
    subprocess.run(
        [str(haven), "seed", "--skip-checks", "--requests", str(requests), "--seed", str(seed), "--no-db",
         "--records", str(records), "--truth", str(truth),
         *(["--request-ids"] if request_ids else [])],
        check=True,
    )  # fmt: skip
    return records, truth


def _heldout(n_records: int, directory: Path, seed: int) -> tuple[Path, Path]:
    _setup()
    from haven.resolution.heldout import heldout_records
    from haven.resolution.records import INPUT_COLUMNS

    records, truth = directory / "records.csv", directory / "truth.csv"
    with records.open("w", newline="") as r_out, truth.open("w", newline="") as t_out:
        r_writer = csv.DictWriter(r_out, fieldnames=INPUT_COLUMNS, extrasaction="ignore")
        t_writer = csv.writer(t_out)
        r_writer.writeheader()
        t_writer.writerow(["record_id", "person_id", "household_id"])
        for row in heldout_records(n_records, seed=seed):
            r_writer.writerow(row)
            t_writer.writerow([row["record_id"], row["person_id"], row["household_id"]])
    return records, truth


def _print(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'engine':14}{'records':>10}{'auto-prec':>11}{'recall':>9}{'F1':>8}"
        f"{'review':>9}{'time s':>9}{'peak MB':>10}"
    )
    print(header)
    for r in results:
        print(
            f"{r['engine']:14}{r['records']:>10}{r['precision']:>11.4f}{r['recall']:>9.4f}"
            f"{r['f1']:>8.4f}{r['review']:>8.1%}{r['seconds']:>9.1f}{r['peak_mb']:>10.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--seed-records", type=int, help="Generate this many with `haven seed`.")
    source.add_argument("--heldout", type=int, help="Generate this many with the held-out one.")
    source.add_argument("--records", type=Path, help="A resolve-file CSV (needs --truth).")
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["haven", "baseline"])
    parser.add_argument(
        "--request-ids",
        action="store_true",
        help="with --seed-records: add the request_id column (which records came in one "
        "request), as the application database has it; not part of resolve-file's interface",
    )
    parser.add_argument(
        "--as-of",
        default="",
        help="the day the records' ages were written (as resolve-file --as-of); with "
        "--seed-records, the synthetic requests' reference date unless given",
    )
    args = parser.parse_args()
    if args.seed_records and not args.as_of:
        # The synthetic requests were received around this day; their "35 years" count from it,
        # as intake counts ages from a request's received date.
        _setup()
        from haven.intake.synthetic.households import REFERENCE_DATE

        args.as_of = REFERENCE_DATE.isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        if args.seed_records:
            records, truth = _seed(args.seed_records, directory, args.seed, args.request_ids)
        elif args.heldout:
            records, truth = _heldout(args.heldout, directory, args.seed)
        else:
            if not args.truth:
                parser.error("--records needs --truth")
            records, truth = args.records, args.truth
        engines = [args.only] if args.only else ["haven", "baseline"]
        _print([_measure(engine, records, truth, args.as_of) for engine in engines])


if __name__ == "__main__":
    main()
