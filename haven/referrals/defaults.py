"""A pathway's default partner and service, as the active guidance pack names them.

A pack may say `pathway_referrals: {refer_unhcr: {partner: unhcr-pakistan, service:
protection}}`; triage checks only that shape when the pack loads (it must not know the
directory). Here the names are found in the directory: the partner by slug (its name in
lower case with hyphens) or by the HSDS id of its agreement, the service among that
partner's by kind or HSDS id. The bulk page and `haven referral send --queue` use them when
no partner and service are given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext as _

from haven.accounts.models import Organization
from haven.triage.selectors import active_guidance, stored_pack

from .errors import ReferralRefused
from .models import Service, SharingAgreement


@dataclass(frozen=True)
class PathwayDefault:
    pathway: str
    partner: str  # as the pack names them
    service: str
    guidance: str  # the pack version's label, to say where the default comes from


def pathway_default(pathway: str) -> PathwayDefault | None:
    """What the active guidance names for the pathway, or None (no active guidance, or no
    default for that pathway)."""
    version = active_guidance()
    if version is None:
        return None
    named = stored_pack(version).pathway_referrals.get(pathway)
    if named is None:
        return None
    return PathwayDefault(pathway, named.partner, named.service, version.label)


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _partner(default: PathwayDefault) -> Organization:
    hsds_id = _as_uuid(default.partner)
    if hsds_id is not None:
        found = (
            SharingAgreement.objects.filter(hsds_id=hsds_id).select_related("organization").first()
        )
        if found is not None and found.organization.kind == Organization.Kind.PARTNER:
            return found.organization
    else:
        for org in Organization.objects.filter(kind=Organization.Kind.PARTNER):
            if slugify(org.name) == default.partner:
                return org
    raise ReferralRefused(
        _(
            "The guidance %(guidance)s names the partner %(partner)s for the queue "
            "%(pathway)s, but no partner in the directory has that slug or HSDS id. Choose "
            "the partner and service yourself, or correct the guidance."
        )
        % {"guidance": default.guidance, "partner": default.partner, "pathway": default.pathway},
        code="default",
    )


def _service(default: PathwayDefault, organization: Organization) -> Service:
    offered = Service.objects.filter(organization=organization, status=Service.Status.ACTIVE)
    hsds_id = _as_uuid(default.service)
    found = list(
        offered.filter(hsds_id=hsds_id)
        if hsds_id is not None
        else offered.filter(kind=default.service)
    )
    if len(found) == 1:
        return found[0]
    raise ReferralRefused(
        _(
            "The guidance %(guidance)s names the service %(service)s of %(org)s for the queue "
            "%(pathway)s, but %(org)s offers no single active service by that name. Choose the "
            "partner and service yourself, or correct the guidance."
        )
        % {
            "guidance": default.guidance,
            "service": default.service,
            "org": organization.name,
            "pathway": default.pathway,
        },
        code="default",
    )


def default_service(pathway: str) -> Service | None:
    """The partner's service the active guidance names for the pathway, found in the
    directory; None when it names none. Refused with a message naming the pack when what it
    names is not in the directory."""
    default = pathway_default(pathway)
    if default is None:
        return None
    return _service(default, _partner(default))
