"""The demo's partner directory: two partners with agreements, one on Haven, one off it."""

from __future__ import annotations

import uuid

from haven.accounts.models import Organization

from .models import Delivery, Location, Service, ServiceArea, ServiceLanguage, SharingAgreement

_LANGUAGES = [("Dari", "fa-AF"), ("Pashto", "ps"), ("English", "en")]
# (organisation, delivery, fields, identifier kinds, contact, services, location)
_PARTNERS = [
    (
        "UNHCR Pakistan",
        Delivery.ON_HAVEN,
        [
            "names",
            "father_name",
            "sex",
            "year_of_birth",
            "phone",
            "current_location",
            "pathway",
            "vulnerabilities",
            "language",
        ],
        ["unhcr"],
        "",
        [
            ("protection", "Protection referral"),
            ("resettlement_registration", "Resettlement registration"),
        ],
        ("UNHCR Islamabad", "Diplomatic Enclave", "Islamabad", "Islamabad Capital Territory"),
    ),
    (
        "IOM Pakistan",
        Delivery.OFF_HAVEN,
        ["names", "sex", "year_of_birth", "phone", "current_location"],
        [],
        "referrals@iom-pakistan.example",
        [("medical", "Migration health assessment"), ("shelter", "Transit shelter")],
        ("IOM Peshawar", "University Road", "Peshawar", "Khyber Pakhtunkhwa"),
    ),
]


def _id(*parts: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, "haven-demo:" + ":".join(parts))


def demo_directory_ensure() -> list[str]:
    """Create (or leave as they are) the demo partners' directory entries and agreements."""
    made = []
    for name, delivery, fields, identifiers, contact, services, place in _PARTNERS:
        org = Organization.objects.filter(name=name).first()
        if org is None:
            continue
        SharingAgreement.objects.get_or_create(
            organization=org,
            defaults={
                "fields": fields,
                "identifier_kinds": identifiers,
                "delivery": delivery,
                "contact_email": contact,
                "code_email": contact.replace("referrals@", "codes@") if contact else "",
                "description": f"{name}: demo directory entry.",
                "reference": f"DSA-{org.category or 'NGO'}-2021-01",
            },
        )
        location, _ = Location.objects.get_or_create(
            hsds_id=_id(name, "location"),
            defaults={
                "organization": org,
                "name": place[0],
                "address_1": place[1],
                "city": place[2],
                "region": place[3],
                "country": "PK",
            },
        )
        for kind, label in services:
            service, created = Service.objects.get_or_create(
                hsds_id=_id(name, kind), defaults={"organization": org, "name": label, "kind": kind}
            )
            if created:
                service.locations.add(location)
                for lang, code in _LANGUAGES:
                    ServiceLanguage.objects.create(service=service, name=lang, code=code)
                ServiceArea.objects.create(
                    service=service, name="Pakistan", description="Islamabad, Peshawar, Quetta"
                )
        made.append(name)
    return made
