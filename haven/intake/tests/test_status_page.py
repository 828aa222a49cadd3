"""The public status page: a receipt and its secret give a minimal status, and nothing else."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from haven.audit.models import AuditEvent
from haven.intake.models import Request

from .test_public_form import INJECTION, apply_post, receipt_codes

pytestmark = pytest.mark.django_db

URL = "/status/"
NOT_FOUND = "We found no request with this receipt number and secret code."


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def codes(client: Client) -> tuple[str, str]:
    """A request sent through the public form; its receipt number and secret."""
    response = client.post("/apply/", apply_post(), follow=True)
    return receipt_codes(response.text)


def look_up(receipt: str, secret: str, *, address: str = "203.0.113.5", language: str = "en"):
    return Client().post(
        URL,
        {"receipt_number": receipt, "secret": secret},
        REMOTE_ADDR=address,
        headers={"accept-language": language},
    )


def test_the_right_pair_shows_the_status_and_no_personal_data(codes) -> None:
    number, secret = codes
    response = look_up(number, secret)
    assert response.status_code == 200
    assert re.search(r'data-testid="status">\s*Received\s*<', response.text)
    for personal in ("Mohammad", "Fatima", "Ahmadzai", "Peshawar", "SIV in process", "1365"):
        assert personal not in response.text
    assert secret not in response.text  # not echoed back either
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("status", "label"),
    [
        ("under_review", "Under review"),
        ("referred", "Referred to a partner"),
        ("closed", "Closed"),
    ],
)
def test_it_follows_the_status_staff_set(codes, status: str, label: str) -> None:
    number, secret = codes
    Request.objects.filter(receipt_number=number).update(status=status)
    response = look_up(number, secret)
    assert re.search(rf'data-testid="status">\s*{label}\s*<', response.text)


def test_a_receipt_typed_loosely_is_still_found(codes) -> None:
    number, secret = codes
    loose = " " + number.lower().replace("-", " ") + " "
    response = look_up(loose, f" {secret} ")
    assert 'data-testid="status"' in response.text


def _generic(text: str, typed_receipt: str) -> str:
    # Only the anti-forgery token (random per page) and the receipt as typed may differ.
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(typed_receipt, "RECEIPT")


def test_a_wrong_secret_gets_exactly_the_answer_an_unknown_receipt_gets(codes) -> None:
    number, secret = codes
    unknown = "HV-00000-00000" if number != "HV-00000-00000" else "HV-11111-11111"
    wrong_secret = look_up(number, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    unknown_receipt = look_up(unknown, secret)
    nonsense = look_up("not a receipt", secret)
    assert wrong_secret.status_code == unknown_receipt.status_code == nonsense.status_code
    assert NOT_FOUND in wrong_secret.text
    assert 'data-testid="status"' not in wrong_secret.text
    assert _generic(wrong_secret.text, number) == _generic(unknown_receipt.text, unknown)
    assert _generic(wrong_secret.text, number) == _generic(nonsense.text, "not a receipt")


def test_each_look_up_is_audited_without_the_secret(codes) -> None:
    number, secret = codes
    look_up(number, secret)
    look_up(number, "wrong-secret-value-123")
    look_up("HV-00000-00000", secret)
    events = list(AuditEvent.objects.filter(summary="Public status look-up").order_by("id"))
    assert [e.details["outcome"] for e in events] == [
        "matched",
        "wrong_secret",
        "unknown_receipt",
    ]
    request = Request.objects.get(receipt_number=number)
    assert events[0].object_id == str(request.pk) and events[0].actor is None
    assert events[0].ip_address == "203.0.113.5"
    for event in AuditEvent.objects.all():
        dumped = json.dumps([event.summary, event.details, event.object_id])
        assert secret not in dumped and "wrong-secret-value" not in dumped


def test_look_ups_are_rate_limited_per_address(codes) -> None:
    number, secret = codes
    for _ in range(10):
        assert look_up("HV-00000-00000", "guess").status_code == 200
    refused = look_up(number, secret)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert 'data-testid="status"' not in refused.text  # even the right pair is refused
    assert AuditEvent.objects.filter(details__outcome="rate_limited").count() == 1
    # Another address is not affected.
    assert 'data-testid="status"' in look_up(number, secret, address="203.0.113.99").text


def test_opening_the_page_does_not_count_or_look_anything_up(client: Client, codes) -> None:
    number, secret = codes
    for _ in range(12):
        page = client.get(URL, {"receipt_number": number, "secret": secret})
        assert page.status_code == 200
    # The secret is never taken from a URL, where logs and histories would keep it.
    assert 'data-testid="status"' not in page.text
    assert not AuditEvent.objects.filter(summary="Public status look-up").exists()


def test_empty_fields_are_explained(client: Client) -> None:
    response = client.post(URL, {"receipt_number": "", "secret": ""})
    assert response.status_code == 400
    assert "Enter the receipt number." in response.text
    assert "Enter the secret code." in response.text


def test_script_injection_in_the_receipt_field_is_escaped() -> None:
    response = look_up(INJECTION, INJECTION)
    assert response.status_code == 200
    assert INJECTION not in response.text
    assert "&lt;script&gt;" in response.text


def test_the_status_reads_in_dari(codes) -> None:
    number, secret = codes
    response = look_up(number, secret, language="fa-AF")
    assert '<html lang="fa-af" dir="rtl">' in response.text
    assert re.search(r'data-testid="status">\s*دریافت شد\s*<', response.text)
