"""The overdue job under `haven tick`, the HSDS import and export, and the demo's directory."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from haven.accounts.models import Organization
from haven.referrals.models import Referral, Service, SharingAgreement
from haven.referrals.services import referral_partner_move

from .helpers import send

pytestmark = pytest.mark.django_db


def _tick() -> str:
    out = io.StringIO()
    call_command("tick", stdout=out)
    return out.getvalue()


def test_haven_tick_flags_late_acknowledgements_and_outcomes(
    caseworker, partner_a, partner_org_a, service_a, consented_case
):
    referral = send(consented_case, caseworker, partner_org_a, service_a, urgency="urgent")
    _tick()
    referral.refresh_from_db()
    assert not referral.overdue

    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert "referrals.overdue" in _tick()
        referral.refresh_from_db()
        assert referral.overdue  # 24 hours to acknowledge an urgent referral
        referral_partner_move(referral=referral, status="accepted", actor=partner_a)
        referral.refresh_from_db()
        assert not referral.overdue
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        _tick()
        referral.refresh_from_db()
        assert referral.overdue  # 14 days to an outcome


def test_deadlines_follow_the_partners_agreement(
    caseworker, partner_org_a, service_a, consented_case
):
    SharingAgreement.objects.filter(organization=partner_org_a).update(
        deadlines={"routine": {"acknowledge_hours": 8, "outcome_days": 5}}
    )
    referral = send(consented_case, caseworker, partner_org_a, service_a)
    assert referral.sent_at and referral.acknowledge_due and referral.outcome_due
    assert referral.acknowledge_due - referral.sent_at == dt.timedelta(hours=8)
    assert referral.outcome_due - referral.sent_at == dt.timedelta(days=5)


def test_the_directory_exports_as_hsds_and_imports_back(
    tmp_path, service_a, partner_org_a, supervisor
):
    from haven.referrals.models import Location, ServiceLanguage

    location = Location.objects.create(
        organization=partner_org_a, name="Islamabad office", city="Islamabad", country="PK"
    )
    service_a.locations.add(location)
    ServiceLanguage.objects.create(service=service_a, name="Dari", code="fa-AF")
    path = tmp_path / "directory.json"
    call_command("referral", "directory-export", "--output", str(path), stdout=io.StringIO())
    exported = json.loads(path.read_text())
    org = next(o for o in exported if o["name"] == "UNHCR Pakistan")
    service = org["services"][0]
    assert set(service) >= {"id", "organization_id", "name", "status", "languages", "service_areas"}
    assert service["languages"][0]["code"] == "fa-AF"
    assert org["locations"][0]["addresses"][0]["city"] == "Islamabad"
    assert service["service_at_locations"][0]["location_id"] == org["locations"][0]["id"]

    # Another instance's directory: a new partner, and an update to an existing service.
    service["name"] = "Protection and registration"
    exported.append({"id": "0b7f4a56-3f5e-4f1c-9a59-2d6f1d2f0c11", "name": "Hope Clinic", "services": [
        {"id": "6c1f8b9e-8f0e-4e77-9d2b-7c3b1c9d0e21", "name": "Medical screening", "categories": ["medical"]}
    ]})  # fmt: skip
    path.write_text(json.dumps(exported))
    out = io.StringIO()
    call_command("referral", "directory-import", str(path), "--as", "supervisor", stdout=out)
    assert "Imported 2 organisation(s), 2 service(s)" in out.getvalue()
    service_a.refresh_from_db()
    assert service_a.name == "Protection and registration"
    assert Service.objects.get(name="Medical screening").organization.kind == "partner"
    assert Organization.objects.get(name="Hope Clinic")


def test_a_bad_directory_file_is_refused_whole(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps([{"name": "Hope Clinic", "services": [{"id": "not-a-uuid", "name": "X"}]}])
    )
    with pytest.raises(CommandError, match="is not an HSDS id"):
        call_command("referral", "directory-import", str(path), stdout=io.StringIO())
    assert not Organization.objects.filter(name="Hope Clinic").exists()
    path.write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("referral", "directory-import", str(path), stdout=io.StringIO())


def test_the_agreement_command_refuses_unknown_fields(partner_org_a, supervisor):
    with pytest.raises(CommandError, match="Unknown field"):
        call_command(
            "referral",
            "agreement",
            "UNHCR Pakistan",
            "--fields",
            "names,passport_scan",
            "--as",
            "supervisor",
        )
    call_command(
        "referral", "agreement", "UNHCR Pakistan", "--fields", "names,sex", "--identifiers", "unhcr",
        "--as", "supervisor", stdout=io.StringIO(),
    )  # fmt: skip
    assert SharingAgreement.objects.get().identifier_kinds == ["unhcr"]


def test_the_demo_makes_a_directory_with_agreements_idempotently(settings, tmp_path, client):
    from haven.conftest import PASSWORD  # noqa: F401

    settings.VAR_DIR = tmp_path
    for _ in range(2):
        call_command("demo", requests=10, seed=3, stdout=io.StringIO(), stderr=io.StringIO())
    assert SharingAgreement.objects.count() == 2
    assert Service.objects.count() == 4
    assert set(SharingAgreement.objects.values_list("delivery", flat=True)) == {
        "on_haven",
        "off_haven",
    }
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    response = client.post(
        "/accounts/login/", {"username": "partner", "password": credentials["partner"]}
    )
    assert "/referrals/partner/" in response["Location"]
    assert Referral.objects.count() == 0
