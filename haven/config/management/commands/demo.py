"""`haven demo`: one account per persona and synthetic data, for a laptop demo.

It lives in the config app, at the top of the app order, because it sets up every app (accounts,
the partner directory, guidance, synthetic requests), not one of them.

Idempotent: a second run reuses the accounts (and prints the same passwords,
kept in var/demo-credentials.json, readable by the owner only) and seeds only
an empty database.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from haven.accounts.models import Organization, Role
from haven.accounts.selectors import user_find
from haven.accounts.services import organization_ensure, user_create, user_password_set
from haven.referrals.demo import demo_directory_ensure
from haven.reports.selectors import desk_counts
from haven.triage.selectors import active_guidance

PERSONAS = [
    ("intake", Role.INTAKE_OFFICER, "Task Force"),
    ("caseworker", Role.CASEWORKER, "Task Force"),
    ("supervisor", Role.SUPERVISOR, "Task Force"),
    ("partner", Role.PARTNER, "UNHCR Pakistan"),
    ("admin", Role.ADMIN, "Task Force"),
]
DEMO_GUIDANCE = "us-afghan-2021@2"
ORGANIZATIONS = [
    ("Task Force", Organization.Kind.TASK_FORCE, "Task force"),
    ("UNHCR Pakistan", Organization.Kind.PARTNER, "UNHCR"),
    ("IOM Pakistan", Organization.Kind.PARTNER, "IOM"),
    ("Safe Passage NGO", Organization.Kind.PARTNER, "NGO"),
]


class Command(BaseCommand):
    help = "Create demo accounts (one per persona) and load synthetic data into an empty database."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--requests", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--today",
            default=None,
            help="Date the synthetic requests relative to this day, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        credentials = self._accounts()
        partners = demo_directory_ensure()
        self.stdout.write(
            f"Partner directory: {', '.join(partners)} (with data-sharing agreements)."
        )
        self._activate_default_guidance()
        if desk_counts()["requests"]:
            self.stdout.write("Synthetic data already loaded; not adding more.")
        else:
            extra = ["--today", options["today"]] if options["today"] else []
            call_command("seed", *extra, requests=options["requests"], seed=options["seed"])
        self.stdout.write("\nDemo accounts (user name / password / role):")
        for username, role, _org in PERSONAS:
            self.stdout.write(f"  {username:<12} {credentials[username]:<26} {role.label}")
        self.stdout.write(
            "At the first log-in each account sets up its second step: an authenticator app "
            "(FreeOTP, Aegis, Google or Microsoft Authenticator) scans the code shown."
        )

    def _activate_default_guidance(self) -> None:
        # Requests are triaged as they arrive, so guidance must be in force before seeding.
        if active_guidance() is not None:
            return
        call_command(
            "guidance",
            "activate",
            DEMO_GUIDANCE,
            "--as",
            "supervisor",
            "--reason",
            "demo: the default guidance",
            stdout=self.stdout,
        )

    def _accounts(self) -> dict[str, str]:
        path = Path(settings.VAR_DIR) / "demo-credentials.json"
        credentials: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        organizations = {
            name: organization_ensure(name=name, kind=kind, category=category)
            for name, kind, category in ORGANIZATIONS
        }
        for username, role, org_name in PERSONAS:
            existing = user_find(username=username)
            if existing is not None and username in credentials:
                continue
            password = secrets.token_urlsafe(12)
            if existing is not None:
                # The credentials file was lost: give the account a new password we can print.
                user_password_set(user=existing, password=password)
            else:
                user_create(
                    username=username,
                    password=password,
                    role=role,
                    organization=organizations[org_name],
                    is_staff=role == Role.ADMIN,
                )
            credentials[username] = password
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(credentials, indent=2))
        os.chmod(path, 0o600)
        return credentials
