"""Bulk referral: the preview, the one audited action with a manifest, and the CLI."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.referrals.models import BulkReferral, Referral

from .factories import make_case
from .helpers import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(caseworker, partner_org_a, service_a) -> dict[str, list[Case]]:
    consented = [
        make_case(consent_version="web-2021-08-v1", given_name=n)
        for n in ("Ahmad", "Karim", "Noor")
    ]
    refused = [make_case(given_name="Gul")]
    already = make_case(consent_version="web-2021-08-v1", given_name="Zaman")
    send(already, caseworker, partner_org_a, service_a)
    elsewhere = make_case(consent_version="web-2021-08-v1", pathway="siv_apply")
    return {
        "consented": consented,
        "refused": refused,
        "already": [already],
        "elsewhere": [elsewhere],
    }


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("referral", *args, stdout=out)
    return out.getvalue()


def test_the_cli_refers_a_queue_and_prints_the_counts_as_json(queue, caseworker):
    output = _cli(
        "send", "--queue", "refer_unhcr", "--to", "UNHCR Pakistan", "--service", "protection",
        "--as", "caseworker", "--json",
    )  # fmt: skip

    assert json.loads(output.strip().splitlines()[-1]) == {
        "sent": 3,
        "refused_no_consent": 1,
        "skipped_open_referral": 1,
    }
    bulk = BulkReferral.objects.get()
    assert sorted(c for c, _r in bulk.manifest["sent"]) == sorted(c.pk for c in queue["consented"])
    assert bulk.manifest["refused_no_consent"] == [queue["refused"][0].pk]
    assert bulk.manifest["skipped_open_referral"] == [queue["already"][0].pk]
    assert Referral.objects.filter(bulk=bulk, status="sent").count() == 3
    assert (
        AuditEvent.objects.filter(object_type="referrals.bulkreferral", action="export").count()
        == 1
    )
    for case in queue["consented"]:
        case.refresh_from_db()
        assert case.status == Case.Status.REFERRED
    assert Referral.objects.get(case=queue["consented"][0]).members.count() == 2


def test_the_cli_dry_run_sends_nothing(queue):
    output = _cli(
        "send", "--queue", "refer_unhcr", "--to", "UNHCR Pakistan", "--service", "protection",
        "--as", "caseworker", "--dry-run", "--json",
    )  # fmt: skip
    assert json.loads(output.strip().splitlines()[-1])["sent"] == 3
    assert Referral.objects.count() == 1  # only the one made before
    assert not BulkReferral.objects.exists()


def test_the_cli_refers_named_cases(queue):
    refs = [c.reference for c in queue["consented"][:2]]
    output = _cli(
        "send", "--case", refs[0], "--case", refs[1], "--to", "UNHCR", "--service", "Protection",
        "--as", "caseworker", "--json",
    )  # fmt: skip
    assert json.loads(output.splitlines()[-1]) == {
        "sent": 2,
        "refused_no_consent": 0,
        "skipped_open_referral": 0,
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "Nobody NGO", "--service", "protection"], "is not a partner in the directory"),
        (["--to", "UNHCR Pakistan", "--service", "cooking"], "offers no single service"),
        (["--to", "Safe Passage NGO", "--service", "legal_aid"], "has no data-sharing agreement"),
        (
            ["--to", "UNHCR Pakistan", "--service", "protection", "--case", "C-9999999"],
            "No such case",
        ),
        (
            ["--to", "UNHCR Pakistan", "--service", "protection", "--case", "banana"],
            "not a case reference",
        ),
    ],
)
def test_bad_input_stops_before_anything_is_sent(queue, partner_org_b, args, message):
    from haven.referrals.models import Service

    Service.objects.create(organization=partner_org_b, name="Legal aid", kind="legal_aid")
    which = [] if "--case" in args else ["--queue", "refer_unhcr"]
    with pytest.raises(CommandError, match=message) as raised:
        _cli("send", *which, *args, "--as", "caseworker")
    assert raised.value.returncode == 2
    assert Referral.objects.count() == 1
    assert not BulkReferral.objects.exists()


def test_an_unknown_user_is_refused(queue):
    with pytest.raises(CommandError, match="no user"):
        _cli(
            "send",
            "--queue",
            "refer_unhcr",
            "--to",
            "UNHCR Pakistan",
            "--service",
            "protection",
            "--as",
            "ghost",
        )


def test_the_bulk_page_previews_then_sends(client_for, caseworker, queue, service_a):
    client = client_for(caseworker)
    form = {
        "pathway": "refer_unhcr",
        "service": service_a.pk,
        "urgency": "routine",
        "reason": "Protection",
    }
    preview = client.get(reverse("referrals:bulk"), form)
    assert preview.status_code == 200
    assert "3 case(s) will be referred." in preview.text
    assert "1 refused: no consent" in preview.text
    assert "1 skipped: already an open referral" in preview.text
    assert Referral.objects.count() == 1

    sent = client.post(reverse("referrals:bulk"), form)
    assert sent.status_code == 302
    assert BulkReferral.objects.get().sent == 3


def test_intake_officers_cannot_bulk_refer(client_for, intake_officer, queue):
    assert client_for(intake_officer).get(reverse("referrals:bulk")).status_code == 403
