"""Partners, agreements and referrable cases for the referrals tests (and the browser test's
server, which imports it from `haven shell`)."""

from __future__ import annotations

import itertools
import json

from haven.accounts.models import Organization
from haven.cases.models import Case
from haven.intake.models import Channel
from haven.intake.services import PersonInput, RequestInput, request_create
from haven.referrals.models import Delivery, Service, SharingAgreement

_SERIAL = itertools.count(1)

FIELDS = ["names", "sex", "year_of_birth", "phone", "current_location", "pathway"]


def partner_directory(
    organization: Organization,
    *,
    kind: str = "protection",
    fields: list[str] | None = None,
    identifier_kinds: list[str] | None = None,
    delivery: str = Delivery.ON_HAVEN,
    contact_email: str = "",
    code_email: str = "",
) -> Service:
    SharingAgreement.objects.update_or_create(
        organization=organization,
        defaults={
            "fields": FIELDS if fields is None else fields,
            "identifier_kinds": identifier_kinds or [],
            "delivery": delivery,
            "contact_email": contact_email,
            "code_email": code_email,
        },
    )
    service, _ = Service.objects.get_or_create(
        organization=organization, kind=kind, defaults={"name": kind.replace("_", " ").title()}
    )
    return service


def make_case(
    *,
    given_name: str = "Mohammad Zaman",
    consent_version: str = "",
    channel: str = Channel.WALK_IN,
    pathway: str = "refer_unhcr",
) -> Case:
    """A household of two through the real intake pipeline (principal with a phone and a
    UNHCR number, different for each household so that resolution keeps them apart),
    optionally with a consent statement that covers sharing."""
    n = next(_SERIAL)
    principal = PersonInput(
        given_name=given_name,
        family_name="Ahmadzai",
        father_name="Gul Ahmad",
        sex="m",
        date_of_birth="1985",
        identifiers=(("phone", f"+93 70 {n:03d} 4567"), ("unhcr", f"PAK-21C-{n:05d}")),
    )
    spouse = PersonInput(relationship="spouse", given_name="Fatima", sex="f")
    created = request_create(
        data=RequestInput(
            channel=channel,
            people=(principal, spouse),
            current_country="PK",
            current_location="Peshawar",
            consent_version=consent_version,
        ),
        raw_input=json.dumps({"given_name": given_name}),
    )
    case = Case.objects.get(case_requests__request=created.request)
    if pathway:
        Case.objects.filter(pk=case.pk).update(pathway=pathway)
        case.refresh_from_db()
    return case
