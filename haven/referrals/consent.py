"""Whether a case's household consented to sharing with a partner, and on what basis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from haven.accounts.models import Organization
from haven.cases.models import CaseRequest

from .models import Consent

CHUNK = 2000
# The consent statements (Request.consent_version) whose text covered sharing with partner
# organisations: the public form's says the task force "may share it with that organisation".
DEFAULT_COVERING_VERSIONS = ("web-2021-08-v1", "2021-08")


def covering_versions() -> tuple[str, ...]:
    return tuple(getattr(settings, "HAVEN_REFERRAL_CONSENT_VERSIONS", DEFAULT_COVERING_VERSIONS))


@dataclass(frozen=True)
class Basis:
    consent_id: int | None = None
    request_id: int | None = None


def consent_bases(*, case_ids: Sequence[int], organization: Organization) -> dict[int, Basis]:
    """For each case with valid consent to share with `organization`, what the consent is:
    a recorded consent (preferred: it names purpose and scope) or a covering request."""
    found: dict[int, Basis] = {}
    ids = list(case_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        consents = (
            Consent.objects.filter(case_id__in=chunk, withdrawn_at__isnull=True)
            .prefetch_related("partners")
            .order_by("case_id", "-given_at", "-id")
        )
        for consent in consents:
            if consent.case_id in found:
                continue
            partner_ids = {p.pk for p in consent.partners.all()}
            if consent.covers(organization, partner_ids):
                found[consent.case_id] = Basis(consent_id=consent.pk)
        versions = covering_versions()
        if versions:
            rows = (
                CaseRequest.objects.filter(
                    case_id__in=[c for c in chunk if c not in found],
                    request__consent_version__in=versions,
                )
                .order_by("case_id", "request_id")
                .values_list("case_id", "request_id")
            )
            for case_id, request_id in rows:
                found.setdefault(case_id, Basis(request_id=request_id))
    return found
