"""`haven retention`: erase what the retention policy says is due, or list it first.

    haven retention --dry-run      list the cases that would be erased, with counts
    haven retention                erase them now (the `retention` job of `haven tick` does too)
    haven retention --hold C-0001234 --reason "inquiry" --as supervisor_name
    haven retention --release C-0001234 --reason "inquiry closed" --as supervisor_name

Output names cases by reference and counts what would go; never a name or an identifier.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts.models import User
from haven.cases.audit_scope import case_id_of
from haven.cases.models import Case
from haven.retention import services


class Command(BaseCommand):
    help = "Erase personal data of cases closed longer than the retention policy allows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")
        parser.add_argument("--hold", metavar="CASE", help="Put a legal hold on a case.")
        parser.add_argument("--release", metavar="CASE", help="Release a case's legal hold.")
        parser.add_argument("--reason", default="")
        parser.add_argument("--as", dest="actor", help="The supervisor's user name (holds).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hold"] or options["release"]:
            self._hold(options)
            return
        days = services.retention_days()
        if days <= 0:
            self.stderr.write("Retention is off (HAVEN_RETENTION_CLOSED_CASE_DAYS=0).")
            return
        if options["dry_run"]:
            due = services.retention_dry_run()
            for item in due:
                counts = ", ".join(f"{k}={v}" for k, v in item.counts.items())
                self.stdout.write(f"{item.reference}  closed {item.closed_at:%Y-%m-%d}  {counts}")
            self.stderr.write(
                f"{len(due)} cases closed more than {days} days ago would be erased "
                "(dry run: nothing changed)."
            )
            return
        done = services.retention_run()
        for tombstone in done:
            self.stdout.write(f"{tombstone.case.reference}  erased")
        self.stderr.write(f"Erased the personal data of {len(done)} cases.")

    def _hold(self, options: dict[str, Any]) -> None:
        reference = options["hold"] or options["release"]
        case_id = case_id_of(reference)
        case = Case.objects.filter(pk=case_id).first() if case_id else None
        if case is None:
            raise CommandError(f"No case {reference!r}.")
        actor = User.objects.filter(username=options["actor"] or "", is_active=True).first()
        if actor is None:
            raise CommandError("--as must name an active supervisor's user name.")
        try:
            if options["hold"]:
                services.legal_hold_set(case=case, actor=actor, reason=options["reason"])
                self.stderr.write(f"Legal hold on {case.reference}.")
            else:
                services.legal_hold_release(case=case, actor=actor, reason=options["reason"])
                self.stderr.write(f"Legal hold released on {case.reference}.")
        except PermissionDenied as exc:
            raise CommandError("Only a supervisor or administrator sets legal holds.") from exc
        except services.RetentionError as exc:
            raise CommandError(str(exc)) from exc
