"""`haven approval list|approve|reject`: the second approver, from a shell.

haven approval list
haven approval approve 12 --as other_supervisor [--note "checked the preview"]
haven approval reject 12 --as other_supervisor --note "wrong version"
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts import approvals
from haven.accounts.models import Approval, User


class Command(BaseCommand):
    help = "List, approve or reject dangerous actions waiting for a second approver."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list")
        for name in ("approve", "reject"):
            sub = actions.add_parser(name)
            sub.add_argument("id", type=int)
            sub.add_argument("--as", dest="username", required=True)
            sub.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for a in Approval.objects.filter(status=Approval.Status.PENDING):
                self.stdout.write(f"{a.pk}  {a.label}  asked by {a.requested_by}: {a.reason}")
            return
        approval = Approval.objects.filter(pk=options["id"]).first()
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if approval is None or actor is None:
            raise CommandError("No such approval, or no such active user.")
        try:
            if options["action"] == "approve":
                done = approvals.approval_approve(
                    approval=approval, actor=actor, note=options["note"]
                )
                self.stdout.write(f"{done.get_status_display()}: {done.result}")
            else:
                approvals.approval_reject(approval=approval, actor=actor, note=options["note"])
                self.stdout.write("Rejected.")
        except PermissionDenied as exc:
            raise CommandError(f"{actor} may not decide on this.") from exc
        except approvals.ApprovalError as exc:
            raise CommandError(str(exc)) from exc
