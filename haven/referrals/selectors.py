"""Reads of referrals. Every view and the API go through these; they decide who sees what.

Partner staff (and partner API tokens) see only referrals sent to their own organisation,
never drafts or withdrawn ones (404 like any other id), and every read is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from haven.accounts import permissions
from haven.accounts.models import Organization, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.cases.models import Case

from .models import (
    Consent,
    Referral,
    ReferralEvent,
    ReferralMessage,
    ReferralStatus,
    Service,
    SharingAgreement,
)

S = ReferralStatus
# What a partner can ever see: sent and after, not drafts, not withdrawn.
PARTNER_VISIBLE = (S.SENT, S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED)


@dataclass(frozen=True)
class PartnerFilters:
    status: str = ""
    service: int | None = None
    overdue: bool = False
    updated_since: Any = None


def partner_referrals(*, organization: Organization, filters: PartnerFilters) -> QuerySet[Referral]:
    """Referrals to one organisation, newest change first (the partner list and the API)."""
    found = Referral.objects.filter(organization=organization, status__in=PARTNER_VISIBLE)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.service:
        found = found.filter(service_id=filters.service)
    if filters.overdue:
        found = found.filter(overdue=True)
    if filters.updated_since is not None:
        found = found.filter(updated_at__gte=filters.updated_since)
    return found.select_related("service").order_by("-updated_at", "-id")


def _partner_org(user: User) -> Organization:
    if not permissions.can_use_partner_workspace(user):
        raise PermissionDenied
    assert user.organization is not None
    return user.organization


def workspace_referrals(*, user: User, filters: PartnerFilters) -> QuerySet[Referral]:
    return partner_referrals(organization=_partner_org(user), filters=filters)


def audit_partner_list(
    *, actor: User | None, organization: Organization, ids: list[int], through: str, **extra: Any
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="referrals.referral",
        summary=f"{organization.name} listed referrals ({through})",
        details={"organization": organization.pk, "referrals": ids, "through": through, **extra},
    )


def partner_referral(*, organization: Organization, referral_id: int) -> Referral:
    referral = (
        Referral.objects.select_related("service", "organization")
        .filter(pk=referral_id, organization=organization, status__in=PARTNER_VISIBLE)
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def workspace_referral(*, user: User, referral_id: int, through: str = "workspace") -> Referral:
    """One referral to the user's organisation (404 for any other), the read audited."""
    organization = _partner_org(user)
    referral = partner_referral(organization=organization, referral_id=referral_id)
    audit_partner_read(actor=user, referral=referral, through=through)
    return referral


def audit_partner_read(
    *, actor: User | None, referral: Referral, through: str, **extra: Any
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=referral,
        summary=f"{referral.organization.name} read {referral.reference} ({through})",
        details={"organization": referral.organization_id, "through": through, **extra},
    )


def referral_history(*, referral: Referral) -> list[ReferralEvent]:
    return list(referral.events.select_related("actor"))


def referral_thread(*, referral: Referral) -> list[ReferralMessage]:
    return list(referral.messages.select_related("author"))


# Task-force staff.


def _staff(user: User) -> None:
    if not permissions.can_view_referrals(user):
        raise PermissionDenied


def staff_referral(*, user: User, referral_id: int) -> Referral:
    _staff(user)
    referral = (
        Referral.objects.select_related(
            "case", "organization", "service", "created_by", "override_by"
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404
    audit_record(
        actor=user, action=AuditAction.VIEW, obj=referral, summary=f"Viewed {referral.reference}"
    )
    return referral


def case_referrals(*, user: User, case: Case) -> list[Referral]:
    _staff(user)
    return list(
        Referral.objects.filter(case=case)
        .select_related("organization", "service", "created_by")
        .order_by("-created_at", "-id")
    )


def case_consents(*, user: User, case: Case) -> list[Consent]:
    _staff(user)
    return list(
        Consent.objects.filter(case=case).select_related("recorded_by").prefetch_related("partners")
    )


def partner_choices() -> QuerySet[Organization]:
    """Partners that can receive referrals: with an active agreement."""
    return Organization.objects.filter(
        kind=Organization.Kind.PARTNER, sharing_agreement__active=True
    ).order_by("name")


def partners_all() -> QuerySet[Organization]:
    """Every partner in the directory, with or without an agreement (for consent and filters)."""
    return Organization.objects.filter(kind=Organization.Kind.PARTNER).order_by("name")


def services_all() -> QuerySet[Service]:
    """Every service in the directory, with its partner, for the staff list's filter."""
    return Service.objects.select_related("organization").order_by("organization__name", "name")


def services_of(*, organization: Organization) -> QuerySet[Service]:
    """A partner's own services, for its workspace filter."""
    return Service.objects.filter(organization=organization)


def services_for_referral() -> QuerySet[Service]:
    return (
        Service.objects.filter(status=Service.Status.ACTIVE, organization__in=partner_choices())
        .select_related("organization")
        .order_by("organization__name", "name")
    )


def directory(*, user: User) -> list[Organization]:
    _staff(user)
    return list(
        Organization.objects.filter(kind=Organization.Kind.PARTNER)
        .filter(Q(services__isnull=False) | Q(sharing_agreement__isnull=False))
        .distinct()
        .prefetch_related("services__languages", "services__service_areas", "locations")
        .select_related("sharing_agreement")
        .order_by("name")
    )


def agreement_of(organization: Organization) -> SharingAgreement | None:
    return SharingAgreement.objects.filter(organization=organization).first()


def _agreements_reader(user: User) -> None:
    if not permissions.can_read_audit(user):  # the roles agreement_set allows
        raise PermissionDenied


def agreement_rows(*, user: User) -> list[tuple[Organization, SharingAgreement | None]]:
    """Every partner with its data-sharing agreement (None when it has none yet), by name."""
    _agreements_reader(user)
    partners = (
        Organization.objects.filter(kind=Organization.Kind.PARTNER)
        .select_related("sharing_agreement")
        .order_by("name")
    )
    return [(org, getattr(org, "sharing_agreement", None)) for org in partners]


def agreement_partner(
    *, user: User, organization_id: int
) -> tuple[Organization, SharingAgreement | None]:
    """The partner whose agreement is edited, with its agreement; 404 for any other
    organisation."""
    _agreements_reader(user)
    organization = Organization.objects.filter(
        pk=organization_id, kind=Organization.Kind.PARTNER
    ).first()
    if organization is None:
        raise Http404
    return organization, agreement_of(organization)
