"""`haven audit verify`: recompute the audit trail's hash chain and name the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.audit import chain
from haven.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Audit trail tools: `verify` recomputes the hash chain and fails at the first break."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute every event's chain hash, oldest first")

    def handle(self, *args: Any, **options: Any) -> None:
        events = AuditEvent.objects.order_by("id").values(*chain.FIELDS).iterator(chunk_size=5000)
        checked = 0

        def counted() -> Any:
            nonlocal checked
            for event in events:
                checked += 1
                yield event

        broken = chain.first_broken(counted())
        if broken is not None:
            at = broken["at"].strftime("%Y-%m-%d %H:%M:%S")
            raise CommandError(
                f"The audit chain is broken at event {broken['id']} ({at} UTC, "
                f"{broken['action']} {broken['object_type']} "
                f"{broken['object_id']}): it was changed, or an event before it was changed, "
                f"removed or inserted. {checked - 1} events before it are intact."
            )
        head = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first()
        self.stdout.write(
            f"{checked} audit events, chain intact; head {head or chain.GENESIS} "
            "(keep this value elsewhere to detect the newest events being cut off later)."
        )
