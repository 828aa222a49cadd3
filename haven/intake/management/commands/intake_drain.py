"""`haven intake-drain`: run the intake pipeline for every pending request, now.

The REST API and the public form store a request and answer at once; the background
worker (`haven db_worker`) then matches it, attaches it to a case and triages it. An
operator without a worker runs this instead, by hand or from cron.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from haven.common.worker import retrying
from haven.intake.services import requests_pending_drain


class Command(BaseCommand):
    help = "Run resolution, cases and triage for every request still waiting for them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retry-for",
            type=float,
            default=300,
            help="when the database goes away (a restart), reconnect and carry on for up to "
            "this many seconds before failing (default 300)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        # Each batch commits on its own, so after a lost connection the drain carries on with
        # what is still pending (the batches of an attempt cut short are not counted).
        done = 0

        def drain() -> int:
            nonlocal done
            done += requests_pending_drain()
            return done

        retrying(drain, give_up_after=options["retry_for"])
        self.stdout.write(
            ngettext(
                "Processed %(count)d pending request in %(seconds).1f s.",
                "Processed %(count)d pending requests in %(seconds).1f s.",
                done,
            )
            % {"count": done, "seconds": time.monotonic() - started}
        )
