"""The walk-in receipt: the secret survives a reload for its officer, a supervisor can
re-issue it, and the receipt prints in the applicant's language with where to ask."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from haven.audit.models import AuditEvent
from haven.common import crypto
from haven.intake.models import Request
from haven.intake.receipt_secrets import SESSION_KEY

from .test_status_page import look_up
from .test_walk_in import URL as WALK_IN
from .test_walk_in import walk_in_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_english():
    """Requests here switch language, and Django leaves the last one active in the thread:
    later tests that render outside a request must not inherit it."""
    yield
    translation.activate("en")


SECRET = re.compile(r'data-testid="status-secret">([^<]+)<')


def _walk_in(client) -> tuple[Request, str]:
    response = client.post(WALK_IN, walk_in_post())
    assert response.status_code == 302
    page = client.get(response["Location"]).text
    secret = SECRET.search(page)
    assert secret is not None, "the receipt shows the secret straight after saving"
    return Request.objects.get(), secret.group(1)


def _receipt(client, request: Request, **params: str):
    return client.get(reverse("intake:receipt", args=[request.receipt_number]), params)


def test_the_officer_sees_the_secret_again_on_reload_and_after_switching_language(
    client_for, intake_officer
):
    client = client_for(intake_officer)
    request, secret = _walk_in(client)
    assert crypto.secret_matches(secret, request.status_secret_hash)
    assert secret in _receipt(client, request).text  # a reload
    assert secret in _receipt(client, request, lang="ps").text  # the receipt's language
    client.post(reverse("set_language"), {"language": "fa-af", "next": "/"})
    page = _receipt(client, request).text  # the interface's language
    assert secret in page and 'lang="fa-af"' in page


def test_the_session_holds_the_secret_only_encrypted(client_for, intake_officer):
    client = client_for(intake_officer)
    request, secret = _walk_in(client)
    kept = client.session[SESSION_KEY][request.receipt_number]
    assert secret not in str(client.session.items())
    assert crypto.decrypt(kept["token"]) == secret and kept["user"] == intake_officer.pk


def test_the_secret_is_gone_after_the_window(client_for, intake_officer, settings):
    settings.HAVEN_RECEIPT_SECRET_MINUTES = 15
    client = client_for(intake_officer)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        request, secret = _walk_in(client)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 14, tzinfo=dt.UTC), tick=False):
        assert secret in _receipt(client, request).text
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 16, tzinfo=dt.UTC), tick=False):
        page = _receipt(client, request).text
    assert secret not in page and "no longer shown" in page
    assert request.receipt_number not in client.session.get(SESSION_KEY, {})


def test_the_window_is_a_setting(client_for, intake_officer, settings):
    settings.HAVEN_RECEIPT_SECRET_MINUTES = 1
    client = client_for(intake_officer)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        request, secret = _walk_in(client)
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 2, tzinfo=dt.UTC), tick=False):
        assert secret not in _receipt(client, request).text


def test_only_the_officer_who_made_the_request_sees_its_secret(
    client_for, intake_officer, supervisor
):
    officer = client_for(intake_officer)
    request, secret = _walk_in(officer)
    # Another user in the same browser session (log-out, log-in) does not see it either.
    officer.force_login(supervisor)
    assert secret not in _receipt(officer, request).text
    assert secret not in _receipt(client_for(supervisor), request).text


def test_a_supervisor_reissues_the_secret_and_the_old_one_stops_working(
    client_for, intake_officer, supervisor
):
    request, old = _walk_in(client_for(intake_officer))
    client = client_for(supervisor)
    page = _receipt(client, request).text
    assert "Issue a new secret code" in page
    url = reverse("intake:secret_reissue", args=[request.receipt_number])
    response = client.post(url, {"lang": "ps"})
    assert response.status_code == 302 and response["Location"].endswith("?lang=ps")
    new = SECRET.search(client.get(response["Location"]).text)
    assert new is not None and new.group(1) != old
    request.refresh_from_db()
    assert crypto.secret_matches(new.group(1), request.status_secret_hash)
    assert not crypto.secret_matches(old, request.status_secret_hash)
    event = AuditEvent.objects.get(summary__contains="re-issued")
    assert event.actor == supervisor and event.object_id == str(request.pk)
    assert new.group(1) not in str(event.details) and old not in str(event.details)
    # The public status page refuses the old secret and accepts the new one.
    assert 'data-testid="status"' not in look_up(request.receipt_number, old).text
    assert 'data-testid="status"' in look_up(request.receipt_number, new.group(1)).text
    # The new secret is kept like the first: visible again on reload, to the supervisor.
    assert new.group(1) in _receipt(client, request).text


@pytest.mark.parametrize("persona", ["intake_officer", "caseworker"])
def test_only_supervisors_may_reissue_a_secret(client_for, request, persona, intake_officer):
    made, _ = _walk_in(client_for(intake_officer))
    hash_before = made.status_secret_hash
    client = client_for(request.getfixturevalue(persona))
    assert "Issue a new secret code" not in _receipt(client, made).text
    response = client.post(reverse("intake:secret_reissue", args=[made.receipt_number]))
    assert response.status_code == 403
    made.refresh_from_db()
    assert made.status_secret_hash == hash_before


def test_the_receipt_prints_in_the_applicants_language_not_the_interfaces(
    client_for, intake_officer
):
    client = client_for(intake_officer)
    request, secret = _walk_in(client)
    page = _receipt(client, request, lang="fa-af").text
    receipt = page[page.index('id="receipt"') :]
    assert 'lang="fa-af" dir="rtl"' in page[page.index('class="card receipt"') - 10 :]
    assert "شماره رسید" in receipt  # "Receipt number" in Dari
    assert "Receipt number" not in receipt
    assert '<html lang="en" dir="ltr">' in page  # the interface stays in English
    assert secret in receipt
    pashto = _receipt(client, request, lang="ps").text
    assert "د رسید شمېره" in pashto
    # An unknown choice falls back to the request's own language.
    assert 'lang="en" dir="ltr"' in _receipt(client, request, lang="xx").text


def test_the_receipt_gives_the_status_address_and_helpline_and_no_name(
    client_for, intake_officer, settings
):
    settings.HAVEN_PUBLIC_STATUS_URL = "https://haven.example.org/status/"
    settings.HAVEN_HELPLINE = "+92 51 000 0000"
    client = client_for(intake_officer)
    request, _ = _walk_in(client)
    page = _receipt(client, request, lang="ps").text
    assert 'data-testid="status-url">https://haven.example.org/status/<' in page
    assert 'data-testid="helpline">+92 51 000 0000<' in page
    for name in ("Mohammad Zaman", "Gul Ahmad", "Ahmadzai", "Fatima", "زبیح‌الله"):
        assert name not in page
    assert "onclick" not in page


def test_without_a_configured_address_the_receipt_gives_this_sites_status_page(
    client_for, intake_officer
):
    client = client_for(intake_officer)
    request, _ = _walk_in(client)
    page = _receipt(client, request).text
    assert 'data-testid="status-url">http://testserver/status/<' in page
    assert 'data-testid="helpline"' not in page
