"""The public form at /apply/: no log-in, three languages, consent, receipts, and a small page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.cache import cache
from django.test import Client

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseMember
from haven.common import crypto
from haven.intake.models import Identifier, PersonRecord, Request, Requester
from haven.intake.public.consent import CONSENT_VERSION

pytestmark = pytest.mark.django_db

URL = "/apply/"
RECEIPT_URL = "/apply/receipt/"
INJECTION = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def apply_post(**overrides: str) -> dict[str, str]:
    data = {
        "request-requester_kind": "applicant",
        "request-requester_name": "",
        "principal-given_name": "Mohammad Zaman",
        "principal-father_name": "Gul Ahmad",
        "principal-family_name": "Ahmadzai",
        "principal-sex": "m",
        "principal-date_of_birth": "1365/04/12",
        "principal-passport": "P12345678",
        "principal-siv_case": "KBL0012345",
        "request-phone": "+93 70 123 4567",
        "request-email": "",
        "request-current_country": "PK",
        "request-current_location": "Peshawar",
        "request-province": "Nangarhar",
        "request-help_requested": "SIV in process; family in danger",
        "request-consent": "on",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-relationship": "spouse",
        "members-0-given_name": "Fatima",
        "members-0-date_of_birth": "1990",
        "members-1-relationship": "child",
        "members-1-full_name": "زبیح‌الله",
        "members-1-date_of_birth": "1400",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def receipt_codes(html: str) -> tuple[str, str]:
    number = re.search(r'data-testid="receipt-number">([^<]+)<', html)
    secret = re.search(r'data-testid="status-secret">([^<]+)<', html)
    assert number and secret, "the receipt page shows a receipt number and a secret"
    return number.group(1), secret.group(1)


def test_anyone_can_open_the_form_without_logging_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="request-consent"' in response.text
    assert 'value="applicant"' in response.text and 'value="sponsor"' in response.text
    # Offices and organisations use the import or the API, not the public form.
    assert 'value="office"' not in response.text


def test_a_submission_stores_the_request_its_people_and_a_case(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    # After commit, the background worker matches the people and opens the case.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, apply_post(), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    assert response["Location"] == RECEIPT_URL
    request = Request.objects.get()
    assert request.channel == "web_form"
    assert request.consent_version == CONSENT_VERSION
    assert request.entered_by is None
    assert request.status == "received"
    assert request.current_country == "PK" and request.current_location == "Peshawar"
    assert request.help_requested == "SIV in process; family in danger"
    assert request.language == "en"
    raw = json.loads(request.raw_input)
    assert raw["principal-given_name"] == ["Mohammad Zaman"]
    assert raw["request-consent"] == ["on"]
    assert "csrfmiddlewaretoken" not in raw
    records = list(PersonRecord.objects.order_by("position"))
    assert [r.relationship for r in records] == ["principal", "spouse", "child"]
    assert records[0].dob is not None and records[0].dob.year == 1986  # 1365 Solar Hijri
    kinds = set(Identifier.objects.filter(person_record=records[0]).values_list("kind", flat=True))
    assert kinds == {"passport", "siv_case", "phone"}
    case = Case.objects.get()
    assert CaseMember.objects.filter(case=case).count() == 3
    event = AuditEvent.objects.get(action="create", object_type="intake.request")
    assert event.actor is None and event.ip_address == "198.51.100.7"


def test_the_receipt_shows_number_and_secret_once_and_no_names(client: Client) -> None:
    response = client.post(URL, apply_post(), follow=True)
    assert response.status_code == 200
    number, secret = receipt_codes(response.text)
    request = Request.objects.get()
    assert number == request.receipt_number
    assert len(secret.replace("-", "")) * 5 >= 128  # base32 characters carry 5 bits each
    assert crypto.secret_matches(secret, request.status_secret_hash)
    for personal in ("Mohammad", "Fatima", "Ahmadzai", "زبیح", "Peshawar", "SIV in process"):
        assert personal not in response.text
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    again = client.get(RECEIPT_URL)
    assert again.status_code == 200
    assert secret not in again.text and number not in again.text
    assert 'data-testid="status-secret"' not in again.text


def test_missing_consent_is_refused_with_a_message_and_nothing_typed_is_lost(
    client: Client,
) -> None:
    data = apply_post(**{"request-help_requested": "Threatened at home"})
    del data["request-consent"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "tick the box to send your request" in response.text
    assert 'value="Mohammad Zaman"' in response.text
    assert 'value="Fatima"' in response.text
    assert "زبیح‌الله" in response.text
    assert "Threatened at home" in response.text
    assert 'value="+93 70 123 4567"' in response.text
    assert Request.objects.count() == 0


def test_bad_values_are_explained_inline(client: Client) -> None:
    response = client.post(
        URL,
        apply_post(
            **{
                "principal-given_name": "",
                "principal-father_name": "",
                "principal-family_name": "",
                "request-phone": "12",
                "members-0-date_of_birth": "sometime in spring",
            }
        ),
    )
    assert response.status_code == 400
    assert "at least one name for the principal" in response.text
    assert "phone number was not understood" in response.text
    assert "This date was not understood" in response.text
    assert 'value="sometime in spring"' in response.text
    assert Request.objects.count() == 0


def test_a_sponsor_keeps_their_own_contact_details(client: Client) -> None:
    response = client.post(
        URL,
        apply_post(
            **{
                "request-requester_kind": "sponsor",
                "request-requester_name": "Sarah Miller",
                "request-email": "sarah@example.org",
            }
        ),
    )
    assert response.status_code == 302
    requester = Requester.objects.get()
    assert requester.kind == "sponsor" and requester.name == "Sarah Miller"
    assert "sarah@example.org" in requester.contact and "+93 70 123 4567" in requester.contact
    principal = PersonRecord.objects.get(relationship="principal")
    # The sponsor's phone must not be matched as the applicant's own.
    assert not principal.identifiers.filter(kind__in=["phone", "email"]).exists()


def test_a_sponsor_must_give_their_name(client: Client) -> None:
    response = client.post(URL, apply_post(**{"request-requester_kind": "sponsor"}))
    assert response.status_code == 400
    assert "give your own name" in response.text
    assert Request.objects.count() == 0


def test_family_members_are_added_without_javascript(client: Client) -> None:
    data = apply_post(**{"add_member": "1"})
    del data["request-consent"]  # not needed to add a block: nothing is sent yet
    response = client.post(URL, data)
    assert response.status_code == 200
    assert Request.objects.count() == 0
    assert 'name="members-TOTAL_FORMS" value="3"' in response.text
    assert 'name="members-2-given_name"' in response.text
    assert 'value="Fatima"' in response.text and 'value="Mohammad Zaman"' in response.text
    assert "errorlist" not in response.text
    third = apply_post(
        **{
            "members-TOTAL_FORMS": "3",
            "members-INITIAL_FORMS": "2",
            "members-2-relationship": "child",
            "members-2-given_name": "Noor",
        }
    )
    assert client.post(URL, third).status_code == 302
    assert PersonRecord.objects.filter(given_name="Noor", relationship="child").exists()


def test_the_form_speaks_dari_right_to_left_when_the_browser_asks_for_it(client: Client) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="fa-AF,fa;q=0.9,en;q=0.5")
    assert '<html lang="fa-af" dir="rtl">' in response.text
    assert "از کارگروه ویژه کمک بخواهید" in response.text  # "Ask the task force for help"
    assert "Ask the task force for help" not in response.text
    assert "موافقم" in response.text  # the consent checkbox: "I agree"
    client.post(URL, apply_post(), HTTP_ACCEPT_LANGUAGE="fa-AF")
    assert Request.objects.get().language == "fa-af"


def test_the_visible_switch_changes_the_language(client: Client) -> None:
    page = client.get(URL)
    assert 'name="language" value="ps"' in page.text
    switched = client.post("/i18n/setlang/", {"language": "ps", "next": URL}, follow=True)
    assert '<html lang="ps" dir="rtl">' in switched.text
    assert "موافق یم" in switched.text  # Pashto: "I agree"
    data = apply_post()
    del data["request-consent"]
    refused = client.post(URL, data)
    assert "د رضایت متن ولولئ" in refused.text  # "read the consent statement", in Pashto
    assert "Please read the consent statement" not in refused.text


def test_script_injection_is_escaped_when_the_form_is_shown_again(client: Client) -> None:
    fields = ("principal-given_name", "members-0-given_name", "request-help_requested")
    data = apply_post(**dict.fromkeys(fields, INJECTION), **{"request-current_location": INJECTION})
    del data["request-consent"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert INJECTION not in response.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in response.text


def test_injected_script_is_stored_as_written_and_escaped_for_staff(
    client: Client, client_for, caseworker, django_capture_on_commit_callbacks
) -> None:
    data = apply_post(**{"principal-given_name": INJECTION, "request-help_requested": INJECTION})
    with django_capture_on_commit_callbacks(execute=True):
        receipt = client.post(URL, data, follow=True)
    assert INJECTION not in receipt.text
    assert PersonRecord.objects.get(relationship="principal").given_name == INJECTION
    case = Case.objects.get()
    staff_page = client_for(caseworker).get(f"/cases/{case.pk}/")
    assert staff_page.status_code == 200
    assert INJECTION not in staff_page.text
    assert "&lt;script&gt;" in staff_page.text


@pytest.mark.parametrize(
    "overrides",
    [
        {"members-TOTAL_FORMS": None, "members-INITIAL_FORMS": None},  # no management form
        {"members-TOTAL_FORMS": "many"},
        {"members-TOTAL_FORMS": "5000"},
        {"principal-given_name": "Gul\x00Ahmad"},
        {"principal-given_name": "x" * 10_000},
        {"request-requester_kind": "office"},
        {"request-current_country": "XX"},
        {"request-email": "not an address"},
        {"principal-date_of_birth": "۱۳۶۵/۰۴/۱۲"},
        {"principal-e_tazkira": "‏۱۳۹۸-۰۱۰۲-۳۴۵۶۷‏"},
        {"add_member": "1", "members-TOTAL_FORMS": "20", "members-INITIAL_FORMS": "20"},
    ],
)
def test_odd_input_never_causes_a_server_error(client: Client, overrides) -> None:
    data = apply_post()
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    response = client.post(URL, data)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 400:
        assert "Some fields need attention" in response.text
        assert Request.objects.count() == 0


def test_the_receipt_is_emailed_only_after_the_request_is_committed(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    data = apply_post(**{"request-email": "applicant@example.org"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(URL, data, follow=True)
    assert mail.outbox == []  # nothing is sent while the transaction is still open
    assert len(callbacks) == 2  # the background matching, then the receipt
    for callback in callbacks:
        callback()
    number, secret = receipt_codes(response.text)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["applicant@example.org"]
    assert number in message.subject and number in message.body and secret in message.body
    assert "/status/" in message.body
    for personal in ("Mohammad", "Fatima", "Ahmadzai", "SIV in process"):
        assert personal not in message.body and personal not in message.subject
    assert "also sent them to the e-mail address" in response.text


def test_no_email_is_sent_without_an_address(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(URL, apply_post())
    # The background matching, and delivering the receipt queued for the phone given (SMS).
    assert len(callbacks) == 2
    assert mail.outbox == []


def _asset_urls(html: str) -> list[str]:
    links = re.findall(r'<link[^>]+href="([^"]+)"', html)
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    return links + scripts + images


def _asset_bytes(url: str) -> int:
    assert url.startswith("/static/"), f"{url}: only local assets, nothing from elsewhere"
    path = finders.find(url.removeprefix("/static/"))
    assert path, f"{url} is not a static file"
    with open(str(path), "rb") as handle:
        return len(handle.read())


@pytest.mark.parametrize("language", ["en", "fa-af", "ps"])
def test_the_page_weighs_under_200_kb_with_everything_it_loads(
    client: Client, language: str
) -> None:
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE=language)
    html = response.content
    assets = _asset_urls(response.text)
    total = len(html) + sum(_asset_bytes(url) for url in assets)
    print(f"/apply/ [{language}]: HTML {len(html)} B + {len(assets)} assets = {total} B")
    assert total < 200 * 1024
    assert "<script" not in response.text  # no JavaScript at all
