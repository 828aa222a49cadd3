"""Referring many cases at once: a preview, then one audited action with a manifest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from haven.accounts import permissions
from haven.accounts.models import Organization, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record, audit_record_many
from haven.cases.models import Case
from haven.cases.services import cases_status_change_many

from . import delivery
from .consent import Basis, consent_bases
from .models import (
    OPEN_STATUSES,
    BulkReferral,
    Delivery,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
    Urgency,
)
from .services import agreement_for, check_service, deadlines
from .snapshot import CHUNK, current_members, snapshot_dumps, snapshots_build

S = ReferralStatus
# Rows per INSERT: a bulk referral of 10,000 cases writes some 30,000 rows.
_BATCH_SIZE = 1000


@dataclass
class Plan:
    sendable: list[int] = field(default_factory=list)
    refused_no_consent: list[int] = field(default_factory=list)
    skipped_open_referral: list[int] = field(default_factory=list)
    bases: dict[int, Basis] = field(default_factory=dict)
    pathways: dict[int, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "sent": len(self.sendable),
            "refused_no_consent": len(self.refused_no_consent),
            "skipped_open_referral": len(self.skipped_open_referral),
        }


def queue_case_ids(pathway: str) -> list[int]:
    """Open cases on a triage pathway (what `--queue` and the queue's bulk button refer)."""
    return list(
        Case.objects.filter(pathway=pathway, merged_into__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .order_by("-priority", "id")
        .values_list("pk", flat=True)
    )


def bulk_plan(*, case_ids: Sequence[int], organization: Organization) -> Plan:
    """Which cases would go; reads only (the preview, and the first step of sending)."""
    ids = list(dict.fromkeys(case_ids))
    plan = Plan()
    open_to_partner: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        open_to_partner.update(
            Referral.objects.filter(
                case_id__in=chunk, organization=organization, status__in=(*OPEN_STATUSES, S.DRAFT)
            ).values_list("case_id", flat=True)
        )
        plan.pathways.update(Case.objects.filter(pk__in=chunk).values_list("pk", "pathway"))
    plan.bases = consent_bases(case_ids=ids, organization=organization)
    for case_id in ids:
        if case_id in open_to_partner:
            plan.skipped_open_referral.append(case_id)
        elif case_id not in plan.bases:
            plan.refused_no_consent.append(case_id)
        else:
            plan.sendable.append(case_id)
    return plan


@transaction.atomic
def referrals_send_many(
    *,
    case_ids: Sequence[int],
    organization: Organization,
    service: Service,
    actor: User,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    source: str = "",
) -> BulkReferral:
    """Refer every case that has consent and no open referral to the partner; refuse or skip
    the others. One transaction: all of it, or nothing."""
    if not permissions.can_refer_cases(actor):
        raise PermissionDenied
    agreement = agreement_for(organization)
    check_service(organization, service)
    ids = list(dict.fromkeys(case_ids))
    # Lock the cases: a referral of one of them sent meanwhile must not make it two.
    for start in range(0, len(ids), CHUNK):
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        list(
            Case.objects.select_for_update(no_key=True)
            .filter(pk__in=ids[start : start + CHUNK])
            .values_list("pk")
        )
    plan = bulk_plan(case_ids=ids, organization=organization)
    members = current_members(plan.sendable)
    plan.refused_no_consent.extend(c for c in plan.sendable if not members.get(c))
    sendable = [c for c in plan.sendable if members.get(c)]
    plan.sendable = sendable
    snapshots = snapshots_build(
        agreement=agreement,
        members_by_case={c: members[c] for c in sendable},
        pathways=plan.pathways,
    )
    now = timezone.now()
    due = deadlines(agreement, urgency, now)
    bulk = BulkReferral.objects.create(
        organization=organization, service=service, created_by=actor, source=source[:200]
    )
    referrals = [
        Referral(
            case_id=case_id,
            organization=organization,
            service=service,
            urgency=urgency,
            reason=reason.strip(),
            status=S.SENT,
            snapshot=snapshot_dumps(snapshots[case_id]),
            consent_id=plan.bases[case_id].consent_id,
            consent_request_id=plan.bases[case_id].request_id,
            bulk=bulk,
            created_by=actor,
            sent_at=now,
            **due,
        )
        for case_id in sendable
    ]
    Referral.objects.bulk_create(referrals, batch_size=_BATCH_SIZE)
    Referral.members.through.objects.bulk_create(
        [
            Referral.members.through(referral_id=r.pk, casemember_id=m.id)
            for r in referrals
            for m in members[r.case_id]
        ],
        batch_size=_BATCH_SIZE,
    )
    ReferralEvent.objects.bulk_create(
        [ReferralEvent(referral=r, to_status=S.SENT, actor=actor) for r in referrals],
        batch_size=_BATCH_SIZE,
    )
    audit_record_many(
        actor=actor,
        action=AuditAction.EXPORT,
        entries=[
            (
                r,
                f"Sent {Referral(pk=r.pk).reference} to {organization.name} (bulk {bulk.pk})",
                {"case": r.case_id, "bulk": bulk.pk},
            )
            for r in referrals
        ],
    )
    bulk.manifest = {
        "sent": [[r.case_id, r.pk] for r in referrals],
        "refused_no_consent": plan.refused_no_consent,
        "skipped_open_referral": plan.skipped_open_referral,
        "fields": sorted(agreement.fields),
        "identifier_kinds": sorted(agreement.identifier_kinds),
    }
    bulk.sent = len(referrals)
    bulk.refused_no_consent = len(plan.refused_no_consent)
    bulk.skipped_open_referral = len(plan.skipped_open_referral)
    bulk.save(update_fields=["manifest", "sent", "refused_no_consent", "skipped_open_referral"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=bulk,
        summary=f"Bulk referral {bulk.pk} to {organization.name}: {bulk.sent} sent",
        details={"service": service.pk, "source": source, **plan.counts()},
    )
    # Through the cases' own service, set by set (the requester's public status follows
    # it); cases already "referred" are left as they are.
    cases_status_change_many(case_ids=list(sendable), actor=actor, status=Case.Status.REFERRED)
    if agreement.delivery == Delivery.OFF_HAVEN:
        for referral in referrals:
            delivery.link_issue(referral=referral, agreement=agreement, actor=actor)
    return bulk
