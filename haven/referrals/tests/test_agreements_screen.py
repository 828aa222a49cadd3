"""The data-sharing agreements screen: supervisors and administrators see and edit, per
partner, what it receives and how; saving is the same service as `haven referral agreement`,
audited; bad input gets a clear message and keeps what was typed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.referrals.models import SharingAgreement

pytestmark = pytest.mark.django_db


def _form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "fields_shared": ["names", "sex", "year_of_birth"],
        "identifier_kinds": ["unhcr"],
        "delivery": "on_haven",
        "contact_email": "",
        "code_email": "",
        "passphrase": "",
        "routine_acknowledge_hours": 72,
        "routine_outcome_days": 30,
        "urgent_acknowledge_hours": 24,
        "urgent_outcome_days": 14,
        "emergency_acknowledge_hours": 4,
        "emergency_outcome_days": 3,
    }
    form.update(changes)
    return form


def test_a_supervisor_sees_every_partner_and_its_agreement(
    client_for, supervisor, service_a, partner_org_b
):
    page = client_for(supervisor).get(reverse("referrals:agreements"))
    assert page.status_code == 200
    assert "UNHCR Pakistan" in page.text and "Safe Passage NGO" in page.text
    assert "Year of birth" in page.text  # service_a's agreement, in words
    assert "No data-sharing agreement: nothing can be sent." in page.text  # partner B


def test_a_supervisor_sets_a_new_agreement_and_it_is_audited(client_for, supervisor, partner_org_b):
    url = reverse("referrals:agreement_edit", args=[partner_org_b.pk])
    response = client_for(supervisor).post(
        url,
        _form(
            delivery="off_haven",
            contact_email="referrals@safe-passage.example",
            code_email="codes@safe-passage.example",
            passphrase="a long agreed passphrase",
            urgent_acknowledge_hours=12,
        ),
    )
    assert response.status_code == 302
    agreement = SharingAgreement.objects.get(organization=partner_org_b)
    assert agreement.fields == ["names", "sex", "year_of_birth"]
    assert agreement.identifier_kinds == ["unhcr"]
    assert (agreement.delivery, agreement.contact_email) == (
        "off_haven",
        "referrals@safe-passage.example",
    )
    assert agreement.passphrase_hash and "long agreed" not in agreement.passphrase_hash
    assert agreement.deadline("urgent")[0].total_seconds() == 12 * 3600
    event = AuditEvent.objects.filter(object_type="referrals.sharingagreement").latest("id")
    assert event.actor_id == supervisor.pk
    assert event.details["passphrase"] == "set"
    assert "long agreed" not in str(event.details)


def test_editing_shows_the_agreement_and_keeps_the_passphrase_unless_removed(
    client_for, admin_user, partner_org_a, service_a
):
    client = client_for(admin_user)
    url = reverse("referrals:agreement_edit", args=[partner_org_a.pk])
    client.post(url, _form(passphrase="first passphrase here"))
    page = client.get(url)
    assert 'value="names" checked' in page.text.replace(' id="id_fields_shared_0"', "")
    assert "A passphrase is set." in page.text
    client.post(url, _form(fields_shared=["names"]))
    agreement = SharingAgreement.objects.get(organization=partner_org_a)
    assert agreement.fields == ["names"] and agreement.passphrase_hash
    client.post(url, _form(passphrase_clear="on"))
    agreement.refresh_from_db()
    assert agreement.passphrase_hash == ""


def test_bad_input_gets_clear_messages_and_keeps_what_was_typed(
    client_for, supervisor, partner_org_b
):
    url = reverse("referrals:agreement_edit", args=[partner_org_b.pk])
    response = client_for(supervisor).post(
        url,
        _form(
            fields_shared=[],
            delivery="off_haven",
            code_email="not an address",
            routine_acknowledge_hours=0,
            emergency_outcome_days="soon",
            passphrase="short",
        ),
    )
    assert response.status_code == 400
    text = response.text
    assert "Choose at least one field the partner may receive." in text
    assert "A partner not on Haven needs a contact e-mail address." in text
    assert "Enter a whole e-mail address, like codes@example.org." in text
    assert "At least 1." in text
    assert "Give a whole number." in text
    assert "A passphrase needs at least 12 characters." in text
    assert 'value="not an address"' in text  # kept
    assert not SharingAgreement.objects.filter(organization=partner_org_b).exists()


def test_caseworkers_and_partners_cannot_see_or_edit_agreements(
    client_for, caseworker, partner_a, partner_org_a
):
    url = reverse("referrals:agreement_edit", args=[partner_org_a.pk])
    for user in (caseworker, partner_a):
        client = client_for(user)
        assert client.get(reverse("referrals:agreements")).status_code == 403
        assert client.post(url, _form()).status_code == 403
    assert not SharingAgreement.objects.filter(organization=partner_org_a).exists()


def test_a_task_force_organisation_has_no_agreement_page(client_for, supervisor, task_force):
    url = reverse("referrals:agreement_edit", args=[task_force.pk])
    assert client_for(supervisor).get(url).status_code == 404


def test_the_screen_and_the_command_write_the_same_agreement(client_for, supervisor, partner_org_b):
    call_command(
        "referral", "agreement", "Safe Passage NGO", "--fields", "names,sex",
        "--as", "supervisor", stdout=io.StringIO(),
    )  # fmt: skip
    page = client_for(supervisor).get(reverse("referrals:agreements"))
    assert "Names, Sex" in page.text
    client_for(supervisor).post(
        reverse("referrals:agreement_edit", args=[partner_org_b.pk]), _form(fields_shared=["sex"])
    )
    assert SharingAgreement.objects.get(organization=partner_org_b).fields == ["sex"]
    summaries = AuditEvent.objects.filter(object_type="referrals.sharingagreement").values_list(
        "summary", flat=True
    )
    assert list(summaries) == ["Data-sharing agreement with Safe Passage NGO"] * 2


def test_the_page_is_in_dari(client_for, supervisor, partner_org_b):
    page = client_for(supervisor).get(
        reverse("referrals:agreement_edit", args=[partner_org_b.pk]), HTTP_ACCEPT_LANGUAGE="fa-af"
    )
    assert page.status_code == 200
    assert "Deadlines per urgency" not in page.text
    assert 'dir="rtl"' in page.text
