"""Writes to consent and to partners' data-sharing agreements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import Organization, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case
from haven.intake.models import Request

from .errors import ReferralRefused
from .models import (
    SHAREABLE_FIELDS,
    SHAREABLE_IDENTIFIERS,
    Consent,
    Delivery,
    SharingAgreement,
    Urgency,
)


@transaction.atomic
def consent_record(
    *,
    case: Case,
    actor: User,
    given_at: dt.datetime,
    purpose: str,
    scope: str,
    source: str,
    given_by: str = "",
    partner_kinds: Sequence[str] = (),
    partners: Sequence[Organization] = (),
    source_request: Request | None = None,
    note: str = "",
) -> Consent:
    if not permissions.can_record_consent(actor):
        raise PermissionDenied
    if scope == Consent.Scope.PARTNER_KINDS and not partner_kinds:
        raise ReferralRefused(_("Name the kinds of partner the consent covers."))
    if scope == Consent.Scope.PARTNERS and not partners:
        raise ReferralRefused(_("Name the partners the consent covers."))
    if given_at > timezone.now() + dt.timedelta(minutes=5):
        raise ReferralRefused(_("Consent cannot have been given in the future."))
    consent = Consent.objects.create(
        case=case,
        given_at=given_at,
        given_by=given_by.strip()[:200],
        purpose=purpose.strip()[:300],
        scope=scope,
        partner_kinds=list(partner_kinds) if scope == Consent.Scope.PARTNER_KINDS else [],
        source=source,
        source_request=source_request,
        note=note.strip(),
        recorded_by=actor,
    )
    if scope == Consent.Scope.PARTNERS:
        consent.partners.set(partners)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=consent,
        summary=f"Consent to share recorded for {case.reference}",
        details={
            "case": case.pk,
            "scope": scope,
            "partner_kinds": consent.partner_kinds,
            "partners": [p.pk for p in partners] if scope == Consent.Scope.PARTNERS else [],
            "source": source,
        },
    )
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: User) -> Consent:
    if not permissions.can_record_consent(actor):
        raise PermissionDenied
    consent.withdrawn_at, consent.withdrawn_by = timezone.now(), actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=consent, summary="Consent withdrawn")
    return consent


# Bounds of a deadline: an hour to a month to acknowledge, a day to a year to an outcome.
DEADLINE_BOUNDS = {"acknowledge_hours": (1, 720), "outcome_days": (1, 365)}


def _deadline_problems(deadlines: dict[str, dict[str, int]]) -> list[str]:
    problems = []
    for urgency, spec in deadlines.items():
        if urgency not in Urgency.values:
            problems.append(_("Unknown urgency %(urgency)s.") % {"urgency": urgency})
            continue
        for key, value in spec.items():
            bounds = DEADLINE_BOUNDS.get(key)
            if bounds is None or isinstance(value, bool) or not isinstance(value, int):
                problems.append(_("Unknown deadline %(key)s.") % {"key": key})
            elif not bounds[0] <= value <= bounds[1]:
                problems.append(
                    _("The %(urgency)s deadline %(key)s must be between %(low)s and %(high)s.")
                    % {"urgency": urgency, "key": key, "low": bounds[0], "high": bounds[1]}
                )
    return problems


@transaction.atomic
def agreement_set(
    *,
    organization: Organization,
    actor: User | None,
    fields: Sequence[str],
    identifier_kinds: Sequence[str] = (),
    delivery: str = Delivery.ON_HAVEN,
    contact_email: str = "",
    code_email: str = "",
    passphrase: str = "",
    passphrase_clear: bool = False,
    deadlines: dict[str, dict[str, int]] | None = None,
) -> SharingAgreement:
    """Create or replace a partner's data-sharing agreement (an oversight decision): what the
    command `haven referral agreement` and the agreements screen both call. A passphrase
    and deadlines not given stay as they are; `passphrase_clear` removes the passphrase."""
    if actor is not None and not permissions.can_read_audit(actor):
        raise PermissionDenied
    if organization.kind != Organization.Kind.PARTNER:
        raise ReferralRefused(
            _("%(org)s is not a partner organisation.") % {"org": organization.name}
        )
    bad = [f for f in fields if f not in SHAREABLE_FIELDS] + [
        i for i in identifier_kinds if i not in SHAREABLE_IDENTIFIERS
    ]
    if bad:
        raise ReferralRefused(_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(bad)})
    if delivery not in Delivery.values:
        raise ReferralRefused(_("Choose how the partner receives referrals."))
    if delivery == Delivery.OFF_HAVEN and not contact_email:
        raise ReferralRefused(_("A partner not on Haven needs a contact e-mail address."))
    problems = _deadline_problems(deadlines or {})
    if problems:
        raise ReferralRefused(problems)
    values: dict[str, Any] = {
        "fields": list(fields),
        "identifier_kinds": list(identifier_kinds),
        "delivery": delivery,
        "contact_email": contact_email,
        "code_email": code_email,
        "active": True,
    }
    if passphrase:
        values["passphrase_hash"] = make_password(passphrase)
    elif passphrase_clear:
        values["passphrase_hash"] = ""
    if deadlines:
        values["deadlines"] = deadlines
    # Lock the row: two supervisors saving at once must not each audit a change the other
    # overwrote without either seeing it.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    existing = SharingAgreement.objects.select_for_update(no_key=True).filter(
        organization=organization
    )
    before = existing.values("fields", "identifier_kinds", "delivery", "deadlines").first()
    agreement, created = SharingAgreement.objects.update_or_create(
        organization=organization, defaults=values
    )
    details = {k: v for k, v in values.items() if k != "passphrase_hash"}
    if "passphrase_hash" in values:
        details["passphrase"] = "set" if passphrase else "removed"
    if before is not None:
        details["before"] = before
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=agreement,
        summary=f"Data-sharing agreement with {organization.name}",
        details=details,
    )
    return agreement
