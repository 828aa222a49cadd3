"""After a password-only log-in, every address in the URLconf sends the session to verification.

The list is walked from the resolver itself, so a page added later is checked without anyone
remembering to add it here; only the public pages, log-in and the second-factor pages, language
switching, static files and the token-authenticated API are left out, and that list is pinned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from haven.accounts.middleware import is_exempt
from haven.cases.models import Case
from haven.cases.tests.factories import make_request

pytestmark = pytest.mark.django_db
CANARY = "Canarygul"
VERIFY = reverse("accounts:two_factor_verify")

SAMPLES = {"int": "1", "str": "HV-0000-0000", "slug": "x", "path": "x", "uuid": "0" * 32}


def _concrete(pattern: object, case_id: int, receipt: str) -> str:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):

        def sample(match: re.Match[str]) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if "case" in name or name == "pk":
                return str(case_id)
            if "receipt" in name:
                return receipt
            return SAMPLES.get(converter, "1")

        return re.sub(r"<(?:(\w+):)?(\w+)>", sample, text)
    # A regular expression: drop the anchors and fill each group with a plain word.
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "x", text)
    return text.lstrip("^").rstrip("$")


def every_url(case_id: int, receipt: str) -> Iterator[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for entry in patterns:
            here = prefix + _concrete(entry.pattern, case_id, receipt)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, here)
            else:
                yield "/" + here

    return walk(get_resolver().url_patterns, "")


def test_the_exempt_addresses_are_exactly_the_public_log_in_and_api_ones():
    urls = {url for url in every_url(1, "HV-0000-0000") if is_exempt(url)}
    assert urls == {
        "/healthz",
        "/i18n/setlang/",
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/two-factor/",
        "/accounts/two-factor/enrol/",
        "/accounts/two-factor/recovery-codes/",
        # Security keys: each checks the session itself (test_webauthn.py).
        "/accounts/two-factor/keys/register/options/",
        "/accounts/two-factor/keys/register/",
        "/accounts/two-factor/keys/add/",
        "/accounts/two-factor/keys/authenticate/options/",
        "/accounts/two-factor/keys/authenticate/",
        "/accounts/two-factor/keys/1/remove/",
        *{url for url in urls if url.startswith("/accounts/welcome/")},
        *{url for url in urls if url.startswith("/api/")},
        "/apply/",
        "/apply/receipt/",
        "/status/",
    }
    assert all(url.startswith(("/api/", "/accounts/welcome/")) or "<" not in url for url in urls)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_password_only_session_gets_no_page_with_personal_data(
    method, supervisor, admin_user, caseworker
):
    created = make_request(given_name=CANARY, father_name="Canarykhan")
    case = Case.objects.get(case_requests__request=created.request)
    receipt = created.request.receipt_number
    for user in (supervisor, admin_user):
        client = Client()
        client.force_login(user)  # the password step only
        checked = 0
        for url in every_url(case.pk, receipt):
            if is_exempt(url) or url == "/":
                continue
            response = getattr(client, method)(url)
            assert response.status_code == 302, (url, response.status_code)
            assert response["Location"].startswith(VERIFY), url
            assert CANARY not in response.content.decode(errors="replace"), url
            checked += 1
        # The walk really covered the desk (cases, intake, triage, resolution, audit, admin).
        assert checked >= 25
    # The same pages are open to the same people once verified (the canary page, at least).
    from haven.conftest import verified_client

    assert CANARY in verified_client(caseworker).get(f"/cases/{case.pk}/").text
