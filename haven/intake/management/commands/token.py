"""`haven token`: API tokens for partner systems.

    haven token create --org "UNHCR Pakistan" [--name "case system"] [--rate-limit N]
    haven token list [--org NAME]
    haven token revoke hvn_XXXXXXXX
    haven token purge-keys [--older-than-hours 24]

`create` prints the token alone on standard output (so a script can capture it) and
everything else on standard error; only a hash of the token is kept. The command is
intake's, which owns the API and its retry keys; the tokens are accounts' services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.accounts.models import ApiToken, Organization
from haven.accounts.services import organization_ensure
from haven.accounts.services_api import (
    TokenNotFound,
    api_token_create,
    api_token_revoke,
)
from haven.intake.api.idempotency import idempotency_records_purge


class Command(BaseCommand):
    help = "Create, list and revoke API tokens for partner organisations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a token and print it once.")
        create.add_argument("--org", required=True, help="The organisation's name, exactly.")
        create.add_argument("--name", default="", help="A label, e.g. the partner's system.")
        create.add_argument(
            "--rate-limit",
            type=int,
            default=None,
            help="Requests per minute for this token (default: the site setting; 0: unlimited).",
        )
        create.add_argument(
            "--create-org",
            action="store_true",
            help="Create the organisation (as a partner) if it does not exist.",
        )
        listing = actions.add_parser("list", help="List tokens (prefixes only).")
        listing.add_argument("--org", default=None)
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix", help="The token's first 12 characters, or the whole token.")
        purge = actions.add_parser("purge-keys", help="Forget expired Idempotency-Keys.")
        purge.add_argument("--older-than-hours", type=float, default=24.0)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options["org"])
        elif action == "revoke":
            self._revoke(options["prefix"])
        else:
            removed = idempotency_records_purge(
                older_than=dt.timedelta(hours=options["older_than_hours"])
            )
            self.stderr.write(f"Removed {removed} idempotency records.")

    def _organization(self, name: str, create: bool) -> Organization:
        if create:
            return organization_ensure(name=name, kind=Organization.Kind.PARTNER)
        found = Organization.objects.filter(name=name).first()
        if found is None:
            known = ", ".join(Organization.objects.values_list("name", flat=True)[:20])
            raise CommandError(
                f"No organisation named {name!r}. Known: {known or 'none'}. "
                "Use --create-org to create it."
            )
        return found

    def _create(self, options: dict[str, Any]) -> None:
        rate_limit = options["rate_limit"]
        if rate_limit is not None and rate_limit < 0:
            raise CommandError("--rate-limit must be 0 (unlimited) or more.")
        organization = self._organization(options["org"], options["create_org"])
        issued = api_token_create(
            organization=organization, name=options["name"], rate_limit_per_minute=rate_limit
        )
        self.stderr.write(
            f"Token {issued.token.prefix}… for {organization.name}. "
            "It is shown only now: store it in the partner's secret store."
        )
        self.stdout.write(issued.raw)

    def _list(self, org: str | None) -> None:
        tokens = ApiToken.objects.select_related("organization")
        if org:
            tokens = tokens.filter(organization__name=org)
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            limit = token.rate_limit_per_minute
            self.stdout.write(
                f"{token.prefix}…  {token.organization.name}  {token.name or '-'}  "
                f"{state}  rate={'default' if limit is None else limit}"
            )

    def _revoke(self, prefix: str) -> None:
        try:
            revoked = api_token_revoke(prefix=prefix)
        except TokenNotFound as exc:
            raise CommandError(str(exc)) from exc
        for token in revoked:
            self.stderr.write(f"Revoked {token.prefix}… ({token.organization.name}).")
