"""`haven outbox-deliver`: deliver what is due now (the periodic job does this every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.communications.outbox import outbox_deliver


class Command(BaseCommand):
    help = "Deliver due messages from the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="messages claimed at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(outbox_deliver(limit=options["limit"])))
