"""`haven referral`: send referrals (one case, several, or a whole queue), and the directory.

    haven referral send (--case REF [--case REF ...] | --queue PATHWAY) [--to ORG] [--service SERVICE]
                        --as USER [--reason TEXT] [--urgency routine|urgent|emergency] [--dry-run] [--json]
    haven referral directory-export [--output FILE]
    haven referral directory-import FILE [--as USER]
    haven referral agreement ORG --fields names,sex,... [--identifiers unhcr,...]
                        [--delivery on_haven|off_haven] [--contact EMAIL] [--code-email EMAIL] --as USER

With --json, the last line of `send` is exactly {"sent": N, "refused_no_consent": N,
"skipped_open_referral": N}. Any bad input (unknown partner, service, case or user, a partner
without an agreement) stops before anything is sent, with exit code 2. With --queue and
without --to/--service, the partner and service are those the active guidance pack names for
the pathway (`pathway_referrals`); neither given nor named is refused the same way.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from haven.accounts.models import Organization, User
from haven.accounts.selectors import user_find
from haven.cases.models import Case

from ...approvals import approval_required, bulk_request
from ...bulk import bulk_plan, queue_case_ids, referrals_send_many
from ...defaults import default_service
from ...errors import ReferralRefused
from ...hsds import directory_export, directory_import
from ...models import SHAREABLE_FIELDS, SHAREABLE_IDENTIFIERS, Delivery, Service, Urgency
from ...services import agreement_for, agreement_set

_REFERENCE = re.compile(r"^\s*C-?0*(\d+)\s*$", re.IGNORECASE)


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Send referrals to a partner, and import or export the partner directory (HSDS)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Refer cases to a partner's service.")
        which = send.add_mutually_exclusive_group(required=True)
        which.add_argument("--case", action="append", dest="cases", metavar="REF")
        which.add_argument("--queue", metavar="PATHWAY")
        # Without them, --queue takes the partner and service the active guidance names.
        send.add_argument("--to", metavar="ORG")
        send.add_argument("--service", metavar="SERVICE")
        send.add_argument("--as", required=True, dest="username", metavar="USER")
        send.add_argument("--reason", default="")
        send.add_argument("--urgency", default=Urgency.ROUTINE, choices=Urgency.values)
        send.add_argument("--dry-run", action="store_true")
        send.add_argument("--json", action="store_true")
        export = sub.add_parser("directory-export", help="Write the directory as HSDS 3.0 JSON.")
        export.add_argument("--output", default="-")
        imp = sub.add_parser("directory-import", help="Read an HSDS 3.0 JSON directory.")
        imp.add_argument("file")
        imp.add_argument("--as", dest="username", default="")
        agreement = sub.add_parser("agreement", help="Set a partner's data-sharing agreement.")
        agreement.add_argument("organization")
        agreement.add_argument("--fields", required=True)
        agreement.add_argument("--identifiers", default="")
        agreement.add_argument("--delivery", default=Delivery.ON_HAVEN, choices=Delivery.values)
        agreement.add_argument("--contact", default="")
        agreement.add_argument("--code-email", default="")
        agreement.add_argument("--as", required=True, dest="username")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "send":
                self._send(options)
            elif action == "directory-export":
                self._export(options["output"])
            elif action == "directory-import":
                self._import(options)
            else:
                self._agreement(options)
        except ReferralRefused as refused:
            raise _fail(" ".join(refused.messages)) from refused

    def _user(self, username: str) -> User:
        user = user_find(username=username)
        if user is None:
            raise _fail(f"There is no user {username!r}.")
        return user

    def _organization(self, name: str) -> Organization:
        org = Organization.objects.filter(Q(name__iexact=name) | Q(category__iexact=name)).filter(
            kind=Organization.Kind.PARTNER
        )
        found = list(org[:2])
        if len(found) != 1:
            names = ", ".join(
                Organization.objects.filter(kind="partner").values_list("name", flat=True)
            )
            problem = "is not a partner in the directory" if not found else "names several partners"
            raise _fail(f"{name!r} {problem}. Partners: {names or 'none'}.")
        return found[0]

    def _service(self, org: Organization, text: str) -> Service:
        services = Service.objects.filter(organization=org).filter(
            Q(kind=text) | Q(name__iexact=text) | Q(hsds_id__iexact=text)
            if re.fullmatch(r"[0-9a-fA-F-]{36}", text)
            else Q(kind=text) | Q(name__iexact=text)
        )
        found = list(services[:2])
        if len(found) != 1:
            offered = ", ".join(
                f"{s.kind} ({s.name})" for s in Service.objects.filter(organization=org)
            )
            raise _fail(
                f"{org.name} offers no single service {text!r}. It offers: {offered or 'nothing'}."
            )
        return found[0]

    def _partner_and_service(self, options: dict[str, Any]) -> tuple[Organization, Service]:
        """--to and --service, or what the active guidance names for --queue's pathway
        (each one missing taken from it; a --to of another partner needs its --service)."""
        if options["to"] and options["service"]:
            org = self._organization(options["to"])
            return org, self._service(org, options["service"])
        queue = options["queue"]
        named = default_service(queue) if queue else None
        if named is None:
            missing = " and ".join(f"--{name}" for name in ("to", "service") if not options[name])
            where = (
                f"the active guidance names no partner and service for the queue {queue!r}"
                if queue
                else "only a --queue takes them from the active guidance"
            )
            raise _fail(
                f"Say where to refer: give {missing} ({where}; a pack names them as "
                f"pathway_referrals: {{{queue or 'PATHWAY'}: {{partner: ..., service: ...}}}})."
            )
        org = self._organization(options["to"]) if options["to"] else named.organization
        if org.pk != named.organization_id:
            if not options["service"]:
                raise _fail(
                    f"The guidance names {named.organization.name} for the queue {queue!r}, "
                    f"not {org.name}: give --service for {org.name}."
                )
            return org, self._service(org, options["service"])
        service = self._service(org, options["service"]) if options["service"] else named
        self.stdout.write(
            f"Partner and service from the guidance: {org.name}, {service.name}."
            if not (options["to"] or options["service"])
            else f"Partner or service from the guidance: {org.name}, {service.name}."
        )
        return org, service

    def _case_ids(self, refs: list[str]) -> list[int]:
        ids = []
        for ref in refs:
            match = _REFERENCE.match(ref)
            if match is None:
                raise _fail(f"{ref!r} is not a case reference (like C-0000123).")
            ids.append(int(match.group(1)))
        found = dict(Case.objects.filter(pk__in=ids).values_list("pk", "status"))
        missing = [Case(pk=i).reference for i in ids if i not in found]
        if missing:
            raise _fail(f"No such case: {', '.join(missing)}.")
        closed = [Case(pk=i).reference for i in ids if found[i] == Case.Status.CLOSED]
        if closed:
            raise _fail(f"Closed, so not referred: {', '.join(closed)}. Reopen them first.")
        return ids

    def _send(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        org, service = self._partner_and_service(options)
        agreement_for(org)  # refused before anything else if there is none
        if options["cases"]:
            case_ids = self._case_ids(options["cases"])
            source = f"{len(case_ids)} case(s) named"
        else:
            case_ids = queue_case_ids(options["queue"])
            source = f"queue {options['queue']}"
        reason = options["reason"] or f"Referral for {service.name}"
        if options["dry_run"]:
            counts = bulk_plan(case_ids=case_ids, organization=org).counts()
            self.stdout.write(
                f"Dry run, nothing sent: would refer {counts['sent']} case(s) to {org.name}."
            )
        elif approval_required(
            sendable := len(bulk_plan(case_ids=case_ids, organization=org).sendable)
        ):
            approval = bulk_request(
                case_ids=case_ids,
                organization=org,
                service=service,
                actor=user,
                reason=reason,
                urgency=options["urgency"],
                source=source,
                sendable=sendable,
            )
            counts = {"sent": 0, "refused_no_consent": 0, "skipped_open_referral": 0}
            self.stdout.write(
                f"{sendable} referral(s) wait for a second approver (approval {approval.pk}): "
                f"haven approval approve {approval.pk} --as OTHER_SUPERVISOR"
            )
        else:
            done = referrals_send_many(
                case_ids=case_ids,
                organization=org,
                service=service,
                actor=user,
                reason=reason,
                urgency=options["urgency"],
                source=source,
            )
            counts = {
                "sent": done.sent,
                "refused_no_consent": done.refused_no_consent,
                "skipped_open_referral": done.skipped_open_referral,
            }
            self.stdout.write(
                f"Bulk referral {done.pk}: {done.sent} referral(s) sent to {org.name}."
            )
        self.stdout.write(
            f"{counts['refused_no_consent']} refused (no consent), "
            f"{counts['skipped_open_referral']} skipped (open referral to {org.name})."
        )
        if options["json"]:
            self.stdout.write(json.dumps(counts))

    def _export(self, output: str) -> None:
        text = json.dumps(directory_export(), ensure_ascii=False, indent=2)
        if output == "-":
            self.stdout.write(text)
        else:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stdout.write(f"Directory written to {output}.")

    def _import(self, options: dict[str, Any]) -> None:
        actor = self._user(options["username"]) if options["username"] else None
        try:
            with (
                sys.stdin if options["file"] == "-" else open(options["file"], encoding="utf-8")
            ) as handle:
                data = json.load(handle)
        except OSError as exc:
            raise _fail(f"Cannot read {options['file']}: {exc.strerror}.") from exc
        except json.JSONDecodeError as exc:
            raise _fail(f"{options['file']} is not JSON (line {exc.lineno}: {exc.msg}).") from exc
        done = directory_import(data=data, actor=actor)
        self.stdout.write(
            f"Imported {done.organizations} organisation(s), {done.services} service(s), "
            f"{done.locations} location(s)."
        )

    def _agreement(self, options: dict[str, Any]) -> None:
        actor = self._user(options["username"])
        org = self._organization(options["organization"])
        fields = [f.strip() for f in options["fields"].split(",") if f.strip()]
        identifiers = [i.strip() for i in options["identifiers"].split(",") if i.strip()]
        unknown = [f for f in fields if f not in SHAREABLE_FIELDS] + [
            i for i in identifiers if i not in SHAREABLE_IDENTIFIERS
        ]
        if unknown:
            raise _fail(
                f"Unknown field(s): {', '.join(unknown)}. Fields: {', '.join(SHAREABLE_FIELDS)}; "
                f"identifiers: {', '.join(SHAREABLE_IDENTIFIERS)}."
            )
        agreement_set(
            organization=org,
            actor=actor,
            fields=fields,
            identifier_kinds=identifiers,
            delivery=options["delivery"],
            contact_email=options["contact"],
            code_email=options["code_email"],
        )
        self.stdout.write(f"Agreement with {org.name} set: {', '.join(fields)}.")
