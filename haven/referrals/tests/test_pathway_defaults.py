"""A guidance pack names a pathway's default partner and service: the bulk page and
`haven referral send --queue` use them when none is given."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from haven.referrals.models import BulkReferral, Referral
from haven.triage import services as triage_services
from haven.triage.models import GuidanceVersion
from haven.triage.pack import parse_pack

from .factories import make_case

pytestmark = pytest.mark.django_db
SHIPPED = Path(settings.BASE_DIR) / "guidance" / "us-afghan-2021" / "2.yaml"
NAMED = "refer_unhcr: {partner: unhcr-pakistan, service: protection}"


def activate(replacement: str = NAMED, version: str = "2") -> GuidanceVersion:
    """The pack in force (stored and marked active without re-triaging the test's cases)."""
    text = SHIPPED.read_text(encoding="utf-8")
    assert NAMED in text
    text = text.replace(NAMED, replacement).replace('version: "2"', f'version: "{version}"')
    stored = triage_services.guidance_store(pack=parse_pack(text, "test.yaml"), actor=None)
    GuidanceVersion.objects.filter(pk=stored.pk).update(status=GuidanceVersion.Status.ACTIVE)
    return stored


@pytest.fixture
def queue(service_a) -> list:
    cases = [make_case(consent_version="web-2021-08-v1", given_name=n) for n in ("Ahmad", "Noor")]
    return [*cases, make_case(given_name="Gul")]


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("referral", *args, stdout=out)
    return out.getvalue()


def test_the_bulk_page_chooses_the_partner_and_service_the_guidance_names(
    client_for, caseworker, queue, service_a
):
    activate()
    page = client_for(caseworker).get(reverse("referrals:bulk"), {"pathway": "refer_unhcr"})
    assert page.status_code == 200
    assert f'<option value="{service_a.pk}" selected>' in page.text
    assert "as the guidance us-afghan-2021@2 names them" in page.text


def test_a_preview_without_a_service_takes_the_guidance_default(
    client_for, caseworker, queue, service_a
):
    activate()
    client = client_for(caseworker)
    form = {"pathway": "refer_unhcr", "service": "", "urgency": "routine", "reason": "Protection"}
    preview = client.get(reverse("referrals:bulk"), form)
    assert preview.status_code == 200
    assert "2 case(s) will be referred." in preview.text
    assert f'name="service" value="{service_a.pk}"' in preview.text
    # Sending posts what the preview showed; a post without a service is refused.
    refused = client.post(reverse("referrals:bulk"), form)
    assert refused.status_code == 200 and Referral.objects.count() == 0


def test_the_bulk_page_says_when_the_guidance_names_a_partner_not_in_the_directory(
    client_for, caseworker, queue, service_a
):
    activate("refer_unhcr: {partner: iom-nowhere, service: protection}", version="9")
    page = client_for(caseworker).get(reverse("referrals:bulk"), {"pathway": "refer_unhcr"})
    assert page.status_code == 200
    assert "names the partner iom-nowhere for the queue refer_unhcr" in page.text
    assert f'<option value="{service_a.pk}" selected>' not in page.text


def test_the_cli_refers_a_queue_to_the_guidance_default(caseworker, queue, service_a):
    activate()
    output = _cli("send", "--queue", "refer_unhcr", "--as", "caseworker", "--json")
    assert json.loads(output.strip().splitlines()[-1]) == {
        "sent": 2,
        "refused_no_consent": 1,
        "skipped_open_referral": 0,
    }
    assert "UNHCR Pakistan, Protection" in output
    assert BulkReferral.objects.get().service == service_a


def test_the_cli_finds_the_partner_by_its_hsds_id(caseworker, queue, service_a, partner_org_a):
    hsds_id = partner_org_a.sharing_agreement.hsds_id
    activate(f"refer_unhcr: {{partner: {hsds_id}, service: {service_a.hsds_id}}}", version="9")
    output = _cli("send", "--queue", "refer_unhcr", "--as", "caseworker", "--json")
    assert json.loads(output.strip().splitlines()[-1])["sent"] == 2


def test_the_cli_says_where_to_refer_when_neither_given_nor_named(caseworker, queue):
    activate()
    with pytest.raises(CommandError) as raised:
        _cli("send", "--queue", "siv_apply", "--as", "caseworker")
    assert raised.value.returncode == 2
    assert "give --to and --service" in str(raised.value)
    assert "names no partner and service for the queue 'siv_apply'" in str(raised.value)
    with pytest.raises(CommandError) as raised:
        _cli("send", "--case", "C-0000001", "--as", "caseworker")
    assert "only a --queue takes them from the active guidance" in str(raised.value)
    assert Referral.objects.count() == 0


def test_the_cli_refuses_a_guidance_default_missing_from_the_directory(caseworker, queue):
    activate("refer_unhcr: {partner: unhcr-pakistan, service: shelter}", version="9")
    with pytest.raises(CommandError) as raised:
        _cli("send", "--queue", "refer_unhcr", "--as", "caseworker")
    assert raised.value.returncode == 2
    assert "names the service shelter of UNHCR Pakistan" in str(raised.value)
    assert Referral.objects.count() == 0


def test_another_partner_than_the_guidance_names_needs_its_service(caseworker, queue, service_b):
    activate()
    with pytest.raises(CommandError) as raised:
        _cli("send", "--queue", "refer_unhcr", "--to", "Safe Passage NGO", "--as", "caseworker")
    assert "give --service for Safe Passage NGO" in str(raised.value)
