from __future__ import annotations

import json

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.intake.models import PersonRecord
from haven.referrals.models import Referral, ReferralEvent
from haven.referrals.services import referral_create, referral_partner_move

pytestmark = pytest.mark.django_db


def _refer(client, case, service, **extra):
    members = list(case.members.values_list("pk", flat=True))
    data = {
        "service": getattr(service, "pk", service),
        "members": members,
        "urgency": "urgent",
        "reason": "Protection assessment",
        **extra,
    }
    return client.post(reverse("referrals:new", args=[case.pk]), data)


def test_it_sends_a_referral_with_only_the_agreed_fields(
    client_for, caseworker, consented_case, service_a
):
    response = _refer(client_for(caseworker), consented_case, service_a)

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == "sent"
    assert referral.consent_request_id is not None
    assert referral.acknowledge_due is not None and referral.outcome_due is not None
    assert referral.outcome_due > referral.acknowledge_due
    snapshot = json.loads(referral.snapshot)
    principal = snapshot["people"][0]
    assert principal["given_name"] == "Mohammad Zaman"
    assert principal["year_of_birth"] == 1985
    assert principal["phone"][0].startswith("+9370")
    assert "identifiers" not in principal  # the agreement names no identifiers
    assert "father_name" not in principal
    assert snapshot["current_location"] == {"country": "PK", "place": "Peshawar"}
    assert referral.members.count() == 2
    consented_case.refresh_from_db()
    assert consented_case.status == Case.Status.REFERRED
    assert AuditEvent.objects.filter(object_type="referrals.referral", action="export").exists()


def test_identifiers_go_only_when_the_agreement_names_them(
    caseworker, consented_case, partner_org_a
):
    from .factories import partner_directory

    service = partner_directory(partner_org_a, identifier_kinds=["unhcr"])
    referral = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service,
        reason="Registration",
    )
    principal = json.loads(referral.snapshot)["people"][0]
    assert [i["kind"] for i in principal["identifiers"]] == ["unhcr"]
    assert "PAK" in principal["identifiers"][0]["value"]


def test_the_snapshot_is_frozen_at_sending(
    client_for, caseworker, partner_a, consented_case, service_a
):
    _refer(client_for(caseworker), consented_case, service_a)
    referral = Referral.objects.get()
    PersonRecord.objects.filter(given_name="Mohammad Zaman").update(given_name="Changed Later")

    page = client_for(partner_a).get(reverse("referrals:workspace_detail", args=[referral.pk]))

    assert "Mohammad Zaman" in page.text
    assert "Changed Later" not in page.text


def test_it_refuses_a_referral_without_consent(client_for, caseworker, unconsented_case, service_a):
    response = _refer(client_for(caseworker), unconsented_case, service_a)

    assert response.status_code == 400
    assert "has no consent to share with UNHCR Pakistan" in response.text
    assert "Protection assessment" in response.text  # what was typed is kept
    assert not Referral.objects.exists()
    unconsented_case.refresh_from_db()
    assert unconsented_case.status != Case.Status.REFERRED


def test_a_recorded_consent_lets_it_go(client_for, caseworker, unconsented_case, service_a):
    client = client_for(caseworker)
    response = client.post(
        reverse("referrals:consent_new", args=[unconsented_case.pk]),
        {
            "given_at": "2021-09-01T10:00",
            "given_by": "The principal",
            "purpose": "Referral for protection",
            "scope": "partner_kinds",
            "partner_kinds": ["UNHCR"],
            "source": "walk_in",
        },
    )
    assert response.status_code == 302
    assert _refer(client, unconsented_case, service_a).status_code == 302
    consent = Referral.objects.get().consent
    assert consent is not None and consent.given_by == "The principal"


def test_consent_for_other_kinds_of_partner_does_not_count(
    client_for, caseworker, unconsented_case, service_a
):
    client = client_for(caseworker)
    client.post(
        reverse("referrals:consent_new", args=[unconsented_case.pk]),
        {
            "given_at": "2021-09-01T10:00",
            "purpose": "Legal aid",
            "scope": "partner_kinds",
            "partner_kinds": ["NGO"],
            "source": "walk_in",
        },
    )
    assert _refer(client, unconsented_case, service_a).status_code == 400
    assert not Referral.objects.exists()


def test_a_supervisor_override_is_recorded_audited_and_shown(
    client_for, supervisor, unconsented_case, service_a
):
    client = client_for(supervisor)
    response = _refer(
        client,
        unconsented_case,
        service_a,
        override_reason="Imminent threat; household unreachable",
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.override_by == supervisor
    assert referral.override_reason == "Imminent threat; household unreachable"
    assert AuditEvent.objects.get(object_type="referrals.referral", action="create").details[
        "override"
    ]
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert "Consent overridden" in page.text and "Imminent threat" in page.text
    case_page = client.get(reverse("cases:detail", args=[unconsented_case.pk]))
    assert "consent overridden" in case_page.text


def test_a_caseworker_cannot_override_consent(
    caseworker, unconsented_case, service_a, partner_org_a
):
    from haven.referrals.errors import ReferralRefused

    with pytest.raises(ReferralRefused, match="Only a supervisor"):
        referral_create(
            case=unconsented_case,
            actor=caseworker,
            organization=partner_org_a,
            service=service_a,
            reason="x",
            override_reason="I think it is fine",
        )
    assert not Referral.objects.exists()


def test_unknown_service_and_partner_without_agreement_are_refused_clearly(
    client_for, caseworker, consented_case, service_a, partner_org_b
):
    from haven.referrals.errors import ReferralRefused
    from haven.referrals.models import Service

    from .factories import partner_directory

    response = _refer(client_for(caseworker), consented_case, 999999)
    assert response.status_code == 400
    assert "Choose a partner and service from the directory." in response.text

    orphan = Service.objects.create(organization=partner_org_b, name="Shelter", kind="shelter")
    with pytest.raises(ReferralRefused, match="has no data-sharing agreement"):
        referral_create(
            case=consented_case,
            actor=caseworker,
            organization=partner_org_b,
            service=orphan,
            reason="Shelter",
        )
    partner_directory(partner_org_b, kind="legal_aid")
    with pytest.raises(ReferralRefused, match="does not offer"):
        referral_create(
            case=consented_case,
            actor=caseworker,
            organization=partner_org_b,
            service=service_a,
            reason="Shelter",
        )
    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()


def test_a_second_open_referral_to_the_same_partner_is_refused(
    caseworker, consented_case, service_a, partner_org_a
):
    from haven.referrals.errors import ReferralRefused

    kwargs = dict(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service_a,
        reason="x",
    )
    first = referral_create(**kwargs)
    with pytest.raises(ReferralRefused, match=f"already has an open referral.*{first.reference}"):
        referral_create(**kwargs)


def test_the_case_status_follows_its_referrals(
    client_for,
    caseworker,
    partner_a,
    partner_org_a,
    partner_org_b,
    consented_case,
    service_a,
    service_b,
):
    first = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service_a,
        reason="a",
    )
    second = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_b,
        service=service_b,
        reason="b",
    )
    consented_case.refresh_from_db()
    assert consented_case.status == Case.Status.REFERRED

    partner = client_for(partner_a)
    url = reverse("referrals:workspace_status", args=[first.pk])
    assert partner.post(url, {"status": "accepted"}).status_code == 302
    assert (
        partner.post(url, {"status": "completed", "outcome": "registration_done"}).status_code
        == 302
    )
    consented_case.refresh_from_db()
    assert consented_case.status == Case.Status.REFERRED  # the second is still open

    client_for(caseworker).post(
        reverse("referrals:withdraw", args=[second.pk]), {"reason": "Not needed any more"}
    )
    consented_case.refresh_from_db()
    assert consented_case.status == Case.Status.IN_REVIEW
    first.refresh_from_db()
    assert first.outcome == "registration_done"
    assert [e.to_status for e in first.events.all()] == ["draft", "sent", "accepted", "completed"]


def test_a_transition_out_of_order_is_refused_with_a_message(
    client_for, caseworker, partner_a, consented_case, service_a, partner_org_a
):
    referral = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service_a,
        reason="a",
    )
    response = client_for(partner_a).post(
        reverse("referrals:workspace_status", args=[referral.pk]),
        {"status": "completed", "outcome": "other"},
    )
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"

    from haven.referrals.errors import TransitionRefused

    with pytest.raises(TransitionRefused, match="cannot be marked completed"):
        referral_partner_move(
            referral=referral, status="completed", actor=partner_a, outcome="other"
        )


def test_declining_needs_a_reason(caseworker, partner_a, consented_case, service_a, partner_org_a):
    from haven.referrals.errors import ReferralRefused

    referral = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service_a,
        reason="a",
    )
    with pytest.raises(ReferralRefused, match="why the referral is declined"):
        referral_partner_move(referral=referral, status="declined", actor=partner_a)
    moved = referral_partner_move(
        referral=referral, status="declined", actor=partner_a, reason="Outside our mandate"
    )
    assert moved.decline_reason == "Outside our mandate"
    consented_case.refresh_from_db()
    assert consented_case.status == Case.Status.IN_REVIEW


def test_the_partner_and_sender_exchange_questions(
    client_for, caseworker, partner_a, consented_case, service_a, partner_org_a
):
    referral = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service_a,
        reason="a",
    )
    client_for(partner_a).post(
        reverse("referrals:workspace_message", args=[referral.pk]), {"body": "Which phone works?"}
    )
    client_for(caseworker).post(
        reverse("referrals:message", args=[referral.pk]), {"body": "The second one."}
    )
    page = client_for(partner_a).get(reverse("referrals:workspace_detail", args=[referral.pk]))
    assert "Which phone works?" in page.text and "The second one." in page.text


def test_the_requesters_public_status_follows_without_naming_the_partner(
    client_for, caseworker, partner_a, consented_case, service_a, partner_org_a
):
    from haven.intake.models import Request

    referral = referral_create(
        case=consented_case,
        actor=caseworker,
        organization=partner_org_a,
        service=service_a,
        reason="a",
    )
    request = Request.objects.get(case_links__case=consented_case)
    assert request.status == Request.Status.REFERRED
    assert "UNHCR" not in str(request.get_status_display())

    referral_partner_move(referral=referral, status="declined", actor=partner_a, reason="Full")
    request.refresh_from_db()
    assert request.status == Request.Status.UNDER_REVIEW
