"""`haven resolve [--engine duckdb|spark]`: re-resolve every person record in the database."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.resolution.resolve import Thresholds


class Command(BaseCommand):
    help = (
        "Re-resolve every person record with Splink (DuckDB, or Spark with --engine spark), "
        "respecting reviewers' decisions; writes links and review items. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
        parser.add_argument("--auto-threshold", type=float, default=None)
        parser.add_argument("--review-threshold", type=float, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        from haven.resolution.batch import resolve_all

        thresholds = None
        if options["auto_threshold"] is not None or options["review_threshold"] is not None:
            default = Thresholds()
            thresholds = Thresholds(
                auto=options["auto_threshold"]
                if options["auto_threshold"] is not None
                else default.auto,
                review=options["review_threshold"]
                if options["review_threshold"] is not None
                else default.review,
            )
            if thresholds.review > thresholds.auto:
                raise CommandError("--review-threshold must not be above --auto-threshold")
        if options["engine"] == "spark":
            from haven.resolution.spark import java_available

            if not java_available():
                raise CommandError("--engine spark needs Java 17+ (java on PATH or JAVA_HOME)")
        started = time.perf_counter()
        run = resolve_all(engine=options["engine"], thresholds=thresholds)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Run #{run.pk} ({run.engine}): {run.records} records in {elapsed:.1f} s")
        self.stdout.write(json.dumps(run.summary, indent=2, sort_keys=True))
