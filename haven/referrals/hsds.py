"""The partner directory as Open Referral HSDS 3.0 JSON: a list of `organization` objects with
their `services` (each with `languages` and `service_areas`) and `locations`.

Import is by HSDS id, so exporting here and importing there (or back) updates in place. The
data-sharing agreement is Haven's own and is neither exported nor imported: what a partner may
receive is decided by the task force, not by a file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from haven.accounts.models import Organization, User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .errors import ReferralRefused
from .models import Location, Service, ServiceArea, ServiceKind, ServiceLanguage, SharingAgreement

HSDS_VERSION = "3.0"


def _org_id(org: Organization) -> str:
    agreement = SharingAgreement.objects.filter(organization=org).first()
    # Organisations without an agreement get a stable id from their name.
    return (
        str(agreement.hsds_id)
        if agreement
        else str(uuid.uuid5(uuid.NAMESPACE_URL, f"haven:{org.name}"))
    )


def directory_export() -> list[dict[str, Any]]:
    organizations = (
        Organization.objects.filter(kind=Organization.Kind.PARTNER)
        .prefetch_related(
            "services__languages", "services__service_areas", "services__locations", "locations"
        )
        .order_by("name")
    )
    exported = []
    for org in organizations:
        agreement = SharingAgreement.objects.filter(organization=org).first()
        org_id = _org_id(org)
        exported.append(
            {
                "id": org_id,
                "name": org.name,
                "description": agreement.description if agreement else "",
                "website": agreement.website if agreement else "",
                "email": agreement.contact_email if agreement else "",
                "organization_type": org.category,  # HSDS 3.0 has no such field; see below
                "services": [
                    {
                        "id": str(s.hsds_id),
                        "organization_id": org_id,
                        "name": s.name,
                        "description": s.description,
                        "email": s.email,
                        "status": s.status,
                        "categories": [s.kind],
                        "languages": [
                            {
                                "id": str(lang.hsds_id),
                                "service_id": str(s.hsds_id),
                                "name": lang.name,
                                "code": lang.code,
                            }
                            for lang in s.languages.all()
                        ],
                        "service_areas": [
                            {
                                "id": str(a.hsds_id),
                                "service_id": str(s.hsds_id),
                                "name": a.name,
                                "description": a.description,
                            }
                            for a in s.service_areas.all()
                        ],
                        "service_at_locations": [
                            {"service_id": str(s.hsds_id), "location_id": str(loc.hsds_id)}
                            for loc in s.locations.all()
                        ],
                    }
                    for s in org.services.all()
                ],
                "locations": [
                    {
                        "id": str(loc.hsds_id),
                        "organization_id": org_id,
                        "location_type": "physical",
                        "name": loc.name,
                        "latitude": loc.latitude,
                        "longitude": loc.longitude,
                        "addresses": [
                            {
                                "address_1": loc.address_1,
                                "city": loc.city,
                                "region": loc.region,
                                "country": loc.country,
                                "address_type": "physical",
                            }
                        ],
                    }
                    for loc in org.locations.all()
                ],
            }
        )
    return exported


@dataclass(frozen=True)
class Imported:
    organizations: int
    services: int
    locations: int


def _need(obj: dict[str, Any], key: str, where: str) -> Any:
    value = obj.get(key)
    if value in (None, ""):
        raise ReferralRefused(f"{where}: '{key}' is required.")
    return value


def _uuid(value: Any, where: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise ReferralRefused(f"{where}: '{value}' is not an HSDS id (a UUID).") from exc


@transaction.atomic
def directory_import(*, data: Any, actor: User | None) -> Imported:
    """Create or update partner organisations, services and locations; all or nothing."""
    if not isinstance(data, list):
        raise ReferralRefused("An HSDS directory is a JSON list of organization objects.")
    counts = [0, 0, 0]
    for i, item in enumerate(data):
        where = f"organization {i + 1}"
        if not isinstance(item, dict):
            raise ReferralRefused(f"{where}: not an object.")
        name = str(_need(item, "name", where))[:200]
        org, _created = Organization.objects.get_or_create(
            name=name,
            defaults={
                "kind": Organization.Kind.PARTNER,
                "category": str(item.get("organization_type", ""))[:100],
            },
        )
        if org.kind != Organization.Kind.PARTNER:
            raise ReferralRefused(f"{where}: {name} exists and is not a partner organisation.")
        counts[0] += 1
        locations: dict[str, Location] = {}
        for j, loc in enumerate(item.get("locations") or []):
            lwhere = f"{where}, location {j + 1}"
            address = (loc.get("addresses") or [{}])[0]
            location, _ = Location.objects.update_or_create(
                hsds_id=_uuid(_need(loc, "id", lwhere), lwhere),
                defaults={
                    "organization": org,
                    "name": str(loc.get("name") or name)[:200],
                    "address_1": str(address.get("address_1", ""))[:200],
                    "city": str(address.get("city", ""))[:100],
                    "region": str(address.get("region", ""))[:100],
                    "country": str(address.get("country", ""))[:2],
                    "latitude": loc.get("latitude"),
                    "longitude": loc.get("longitude"),
                },
            )
            locations[str(location.hsds_id)] = location
            counts[2] += 1
        for j, svc in enumerate(item.get("services") or []):
            swhere = f"{where}, service {j + 1}"
            kind = next(
                (c for c in svc.get("categories") or [] if c in ServiceKind.values),
                ServiceKind.OTHER,
            )
            service, _ = Service.objects.update_or_create(
                hsds_id=_uuid(_need(svc, "id", swhere), swhere),
                defaults={
                    "organization": org,
                    "name": str(_need(svc, "name", swhere))[:200],
                    "kind": kind,
                    "description": str(svc.get("description", "")),
                    "email": str(svc.get("email", "")),
                    "status": "inactive"
                    if svc.get("status") in ("inactive", "defunct")
                    else "active",
                },
            )
            for lang in svc.get("languages") or []:
                ServiceLanguage.objects.update_or_create(
                    hsds_id=_uuid(lang.get("id") or uuid.uuid4(), swhere),
                    defaults={
                        "service": service,
                        "name": str(lang.get("name", ""))[:100],
                        "code": str(lang.get("code", ""))[:16],
                    },
                )
            for area in svc.get("service_areas") or []:
                ServiceArea.objects.update_or_create(
                    hsds_id=_uuid(area.get("id") or uuid.uuid4(), swhere),
                    defaults={
                        "service": service,
                        "name": str(area.get("name", ""))[:200],
                        "description": str(area.get("description", "")),
                    },
                )
            service.locations.set(
                [
                    locations[str(sal.get("location_id"))]
                    for sal in svc.get("service_at_locations") or []
                    if str(sal.get("location_id")) in locations
                ]
            )
            counts[1] += 1
    result = Imported(*counts)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="referrals.directory",
        summary="Partner directory imported (HSDS)",
        details={
            "organizations": result.organizations,
            "services": result.services,
            "locations": result.locations,
        },
    )
    return result
