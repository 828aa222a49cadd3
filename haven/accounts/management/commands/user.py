"""`haven user create`: the first administrator of a fresh install (and any account by shell).

    haven user create --username amina --role admin --org "Task Force" [--email E]

Prints a one-time link: the person opens it, chooses a password and sets up the second step.
The organisation is created (as the task force) when it does not exist yet.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts.models import Organization, Role
from haven.accounts.services import organization_ensure
from haven.accounts.services_admin import AdminError, user_invite


class Command(BaseCommand):
    help = "Create an account and print its one-time link (choose a password, then a second step)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create an account.")
        create.add_argument("--username", required=True)
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--org", required=True, help="The organisation's name.")
        create.add_argument("--email", default="", help="Also send the link by e-mail.")

    def handle(self, *args: Any, **options: Any) -> None:
        org_name = options["org"].strip()
        if not org_name:
            raise CommandError("--org must name an organisation.")
        organization = Organization.objects.filter(name=org_name).first()
        if organization is None:
            organization = organization_ensure(name=org_name, kind=Organization.Kind.TASK_FORCE)
            self.stderr.write(f"Created the organisation {org_name!r} (task force).")
        try:
            user, link = user_invite(
                username=options["username"],
                email=options["email"],
                role=options["role"],
                organization=organization,
                actor=None,
            )
        except AdminError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Account {user.username} ({user.get_role_display()}) created. Open this link once "
            "to choose a password and set up the second step:"
        )
        self.stdout.write(link)
