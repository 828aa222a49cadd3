"""`haven tick`: run every periodic job once, or every N seconds with --every."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.common import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs (alerts, digests, outbox, expiring links, retention) once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")
        parser.add_argument("--only", action="append", default=None, help="run only this job")
        parser.add_argument("--list", action="store_true", help="list the jobs and stop")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in periodic.jobs():
                self.stdout.write(job.name)
            return
        only = set(options["only"]) if options["only"] else None
        while True:
            for name, result in periodic.run_all(only=only).items():
                self.stdout.write(f"{name}: {result}")
            if not options["every"]:
                return
            time.sleep(options["every"])
