"""Writes to referrals and consent. Views, the API, the CLI and off-Haven links call these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import Organization, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case
from haven.cases.services import case_status_change

from . import delivery, lifecycle
from .consent import consent_bases
from .errors import ReferralRefused
from .models import (
    OPEN_STATUSES,
    Delivery,
    Referral,
    ReferralEvent,
    ReferralMessage,
    ReferralOutcome,
    ReferralStatus,
    Service,
    SharingAgreement,
    Urgency,
)
from .snapshot import current_members, snapshot_dumps, snapshots_build

S = ReferralStatus


def agreement_for(organization: Organization) -> SharingAgreement:
    agreement = SharingAgreement.objects.filter(organization=organization, active=True).first()
    if agreement is None:
        raise ReferralRefused(
            _("%(org)s has no data-sharing agreement: nothing can be sent to it.")
            % {"org": organization.name}
        )
    return agreement


def check_service(organization: Organization, service: Service) -> None:
    if service.organization_id != organization.pk:
        raise ReferralRefused(
            _("%(org)s does not offer the service %(service)s.")
            % {"org": organization.name, "service": service.name}
        )
    if service.status != Service.Status.ACTIVE:
        raise ReferralRefused(
            _("The service %(service)s is not offered at the moment.") % {"service": service.name}
        )


def deadlines(agreement: SharingAgreement, urgency: str, at: dt.datetime) -> dict[str, Any]:
    acknowledge, outcome = agreement.deadline(urgency)
    return {"acknowledge_due": at + acknowledge, "outcome_due": at + outcome}


def case_follows_sent(*, case_id: int, actor: User) -> None:
    """A referral went out: the case is "referred" (its requester's status follows)."""
    case = Case(pk=case_id)
    case_status_change(case=case, actor=actor, status=Case.Status.REFERRED)


def case_follows_closed(*, referral: Referral, actor: User | None) -> None:
    """No referral of the case is open any more: the case goes back to review. Done as the
    actor when they work cases, else as the referral's sender (a partner closing it)."""
    if Referral.objects.filter(case_id=referral.case_id, status__in=OPEN_STATUSES).exists():
        return
    status = Case.objects.filter(pk=referral.case_id).values_list("status", flat=True).first()
    if status != Case.Status.REFERRED:
        return  # a caseworker has moved it on (or closed it) meanwhile: theirs to decide
    for who in (actor, referral.created_by):
        if who is not None and permissions.can_work_cases(who):
            case_status_change(
                case=Case(pk=referral.case_id), actor=who, status=Case.Status.IN_REVIEW
            )
            return


def _check_case(case: Case) -> None:
    if case.status == Case.Status.CLOSED or case.merged_into_id is not None:
        raise ReferralRefused(
            _("%(case)s is closed: reopen it before referring it.") % {"case": case.reference}
        )


def _check_no_open(case: Case, organization: Organization) -> None:
    existing = Referral.objects.filter(
        case=case, organization=organization, status__in=(*OPEN_STATUSES, S.DRAFT)
    ).first()
    if existing is not None:
        raise ReferralRefused(
            _("%(case)s already has an open referral to %(org)s (%(ref)s).")
            % {"case": case.reference, "org": organization.name, "ref": existing.reference}
        )


def _basis(
    *, case: Case, organization: Organization, actor: User, override_reason: str
) -> dict[str, Any]:
    basis = consent_bases(case_ids=[case.pk], organization=organization).get(case.pk)
    if basis is not None:
        return {"consent_id": basis.consent_id, "consent_request_id": basis.request_id}
    if not override_reason.strip():
        raise ReferralRefused(
            _(
                "%(case)s has no consent to share with %(org)s. Record the household's consent "
                "first, or ask a supervisor to override it with a written reason."
            )
            % {"case": case.reference, "org": organization.name},
            code="no_consent",
        )
    if not permissions.can_override_consent(actor):
        raise ReferralRefused(_("Only a supervisor may refer a case without consent."))
    return {"override_reason": override_reason.strip(), "override_by": actor}


@transaction.atomic
def referral_create(
    *,
    case: Case,
    actor: User,
    organization: Organization,
    service: Service,
    reason: str,
    urgency: str = Urgency.ROUTINE,
    member_ids: Sequence[int] | None = None,
    override_reason: str = "",
    send: bool = True,
) -> Referral:
    """Create a referral (and send it, unless `send` is False: a draft). All or nothing."""
    if not permissions.can_refer_cases(actor):
        raise PermissionDenied
    # Lock the case: two caseworkers referring it to one partner at once must not both pass
    # the "no open referral" check.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    _check_case(case)
    agreement_for(organization)  # refused first when there is none
    check_service(organization, service)
    if urgency not in Urgency.values:
        raise ReferralRefused(_("Choose an urgency."))
    if not reason.strip():
        raise ReferralRefused(_("Say why the case is referred."))
    _check_no_open(case, organization)
    members = current_members([case.pk]).get(case.pk, [])
    if member_ids is not None:
        chosen = set(member_ids)
        if not chosen or not chosen <= {m.id for m in members}:
            raise ReferralRefused(_("Choose at least one member of this household."))
        members = [m for m in members if m.id in chosen]
    if not members:
        raise ReferralRefused(
            _("%(case)s has no household members to refer.") % {"case": case.reference}
        )
    basis = _basis(
        case=case, organization=organization, actor=actor, override_reason=override_reason
    )
    referral = Referral.objects.create(
        case=case,
        organization=organization,
        service=service,
        urgency=urgency,
        reason=reason.strip(),
        created_by=actor,
        **basis,
    )
    referral.members.set([m.id for m in members])
    ReferralEvent.objects.create(referral=referral, to_status=S.DRAFT, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        summary=f"Referral {referral.reference} of {case.reference} to {organization.name}",
        details={
            "case": case.pk,
            "organization": organization.pk,
            "service": service.pk,
            "members": [m.id for m in members],
            "consent": basis.get("consent_id"),
            "consent_request": basis.get("consent_request_id"),
            "override": bool(basis.get("override_reason")),
        },
    )
    if send:
        referral = referral_send(referral=referral, actor=actor)
    return referral


@transaction.atomic
def referral_send(*, referral: Referral, actor: User) -> Referral:
    """Freeze the snapshot of what the agreement allows, now, and send it."""
    if not permissions.can_refer_cases(actor):
        raise PermissionDenied
    # Lock: a draft sent twice at once must be sent once.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    referral = (
        Referral.objects.select_for_update(no_key=True)
        .select_related("organization")
        .get(pk=referral.pk)
    )
    if referral.status != S.DRAFT:
        raise ReferralRefused(_("%(ref)s was already sent.") % {"ref": referral.reference})
    agreement = agreement_for(referral.organization)
    members = [m for m in current_members([referral.case_id]).get(referral.case_id, [])]
    chosen = set(referral.members.values_list("id", flat=True))
    pathway = Case.objects.filter(pk=referral.case_id).values_list("pathway", flat=True).first()
    snapshot = snapshots_build(
        agreement=agreement,
        members_by_case={referral.case_id: [m for m in members if m.id in chosen]},
        pathways={referral.case_id: pathway or ""},
    )[referral.case_id]
    now = timezone.now()
    referral.snapshot = snapshot_dumps(snapshot)
    referral.status, referral.sent_at = S.SENT, now
    for name, value in deadlines(agreement, referral.urgency, now).items():
        setattr(referral, name, value)
    referral.save(
        update_fields=[
            "snapshot",
            "status",
            "sent_at",
            "acknowledge_due",
            "outcome_due",
            "updated_at",
        ]
    )
    ReferralEvent.objects.create(
        referral=referral, from_status=S.DRAFT, to_status=S.SENT, actor=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=referral,
        summary=f"Sent {referral.reference} to {referral.organization.name}",
        details={"fields": snapshot["fields"], "identifier_kinds": snapshot["identifier_kinds"]},
    )
    case_follows_sent(case_id=referral.case_id, actor=actor)
    if agreement.delivery == Delivery.OFF_HAVEN:
        delivery.link_issue(referral=referral, agreement=agreement, actor=actor)
    return referral


def _actor_label(actor: User | None, actor_label: str) -> str:
    return actor.get_username() if actor is not None else actor_label


@transaction.atomic
def referral_partner_move(
    *,
    referral: Referral,
    status: str,
    actor: User | None,
    actor_label: str = "",
    reason: str = "",
    outcome: str = "",
    note: str = "",
) -> Referral:
    """The receiving partner acknowledges, accepts, declines, starts or completes a referral.

    `actor` is a partner user of the receiving organisation, or None for the API or an
    off-Haven link (whose caller the view has already tied to the organisation)."""
    if actor is not None and not (
        permissions.can_use_partner_workspace(actor)
        and actor.organization_id == referral.organization_id
    ):
        raise PermissionDenied
    # Lock: the partner's two clicks (or API retries) must not both move it.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    referral = Referral.objects.select_for_update(no_key=True).get(pk=referral.pk)
    lifecycle.check_partner_move(referral.status, status)
    if status == S.DECLINED and not reason.strip():
        raise ReferralRefused(_("Say why the referral is declined."), code="reason")
    if status == S.COMPLETED and outcome not in ReferralOutcome.values:
        raise ReferralRefused(_("Choose the outcome of the referral."), code="outcome")
    previous = referral.status
    now = timezone.now()
    referral.status = status
    changed = ["status", "updated_at", "overdue"]
    if referral.acknowledged_at is None:
        referral.acknowledged_at = now
        changed.append("acknowledged_at")
    if status == S.DECLINED:
        referral.decline_reason = reason.strip()
        changed.append("decline_reason")
    if status == S.COMPLETED:
        referral.outcome, referral.outcome_note = outcome, note.strip()
        changed += ["outcome", "outcome_note"]
    if status in lifecycle.CLOSED_STATUSES:
        referral.closed_at = now
        changed.append("closed_at")
    referral.overdue = False  # the periodic job flags it again if a later deadline passes
    referral.save(update_fields=changed)
    ReferralEvent.objects.create(
        referral=referral,
        from_status=previous,
        to_status=status,
        actor=actor,
        actor_label=_actor_label(actor, actor_label),
        note=(reason or note).strip(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        summary=f"{referral.reference}: {previous} → {status}",
        details={"status": status, "outcome": outcome, "by": _actor_label(actor, actor_label)},
    )
    if status in lifecycle.CLOSED_STATUSES:
        case_follows_closed(referral=referral, actor=None)
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, actor: User, reason: str) -> Referral:
    """The sender withdraws it: the partner loses access at once (selectors hide it)."""
    if not permissions.can_refer_cases(actor):
        raise PermissionDenied
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    referral = Referral.objects.select_for_update(no_key=True).get(pk=referral.pk)
    if referral.status not in (S.DRAFT, *OPEN_STATUSES):
        raise ReferralRefused(
            _("%(ref)s is %(status)s: it can no longer be withdrawn.")
            % {"ref": referral.reference, "status": str(S(referral.status).label).lower()},
            code="transition",
        )
    if not reason.strip():
        raise ReferralRefused(_("Say why the referral is withdrawn."))
    previous = referral.status
    referral.status, referral.closed_at, referral.overdue = S.WITHDRAWN, timezone.now(), False
    referral.save(update_fields=["status", "closed_at", "overdue", "updated_at"])
    ReferralEvent.objects.create(
        referral=referral,
        from_status=previous,
        to_status=S.WITHDRAWN,
        actor=actor,
        note=reason.strip(),
    )
    delivery.links_revoke(referral=referral, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        summary=f"Withdrew {referral.reference}",
        details={"status": S.WITHDRAWN, "from": previous},
    )
    if previous != S.DRAFT:
        case_follows_closed(referral=referral, actor=actor)
    return referral


@transaction.atomic
def referral_message_post(
    *,
    referral: Referral,
    body: str,
    from_partner: bool,
    author: User | None,
    author_label: str = "",
) -> ReferralMessage:
    """A question or an update in the referral's thread, from the partner or the sender."""
    if author is not None:
        allowed = (
            permissions.can_use_partner_workspace(author)
            and author.organization_id == referral.organization_id
            if from_partner
            else permissions.can_refer_cases(author)
        )
        if not allowed:
            raise PermissionDenied
    if not body.strip():
        raise ReferralRefused(_("Write a message first."))
    if referral.status in (S.DRAFT, S.WITHDRAWN):
        raise ReferralRefused(_("This referral is not with the partner."))
    message = ReferralMessage.objects.create(
        referral=referral,
        author=author,
        author_label=_actor_label(author, author_label),
        from_partner=from_partner,
        body=body.strip()[:5000],
    )
    Referral.objects.filter(pk=referral.pk).update(updated_at=timezone.now())
    audit_record(
        actor=author,
        action=AuditAction.CREATE,
        obj=message,
        summary=f"Message on {referral.reference}",
        details={"referral": referral.pk, "from_partner": from_partner},
    )
    return message


def referrals_overdue_flag() -> str:
    """Periodic: flag referrals whose acknowledgement or outcome is late (and unflag those no
    longer late). Idempotent; returns counts for the log."""
    now = timezone.now()
    late_ack = {"status": S.SENT, "acknowledge_due__lt": now}
    late_outcome = {
        "status__in": (S.ACKNOWLEDGED, S.ACCEPTED, S.IN_PROGRESS),
        "outcome_due__lt": now,
    }
    flagged = 0
    for late in (late_ack, late_outcome):
        flagged += Referral.objects.filter(overdue=False, **late).update(overdue=True)
    still = Q(**late_ack) | Q(**late_outcome)
    cleared = Referral.objects.filter(overdue=True).exclude(still).update(overdue=False)
    return f"{flagged} referral(s) newly overdue, {cleared} no longer"


# Consent and agreements have their own module; one place to import services from.
from .services_consent import agreement_set, consent_record, consent_withdraw  # noqa: E402

__all__ = ["agreement_set", "consent_record", "consent_withdraw"]
