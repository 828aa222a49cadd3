"""Fuzzing the edges a user can reach without the API: receipt numbers in staff URLs, the
public status form (also once rate-limited), log-in, and damaged workbooks on upload and in
`haven import`. Whatever is sent, the answer is a clear 4xx or a form message, never a 500.

PostgreSQL refuses NUL in text (a 500 there, silently fine on SQLite) and enforces column
lengths: run these on both databases.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from haven.accounts.models import Organization
from haven.intake.models import ImportBatch

from .import_helpers import ROWS, xlsx_bytes

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a browser can send: anything, with the NUL byte and long runs made likely.
NASTY = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from(["\x00", "A", "-", "1", "٣", "/", "%", " "]), max_size=40),
    st.builds(lambda n: "x" * n, st.integers(min_value=200, max_value=5000)),
)
STAFF_RECEIPT_VIEWS = ["intake:receipt", "importing:original", "importing:original_download"]


def corrupted(data: bytes, member: str) -> bytes:
    """A workbook whose `member` has its deflated bytes overwritten: zlib cannot inflate it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    out = bytearray(data)
    local_header = out[info.header_offset : info.header_offset + 30]
    name_length = int.from_bytes(local_header[26:28], "little")
    extra_length = int.from_bytes(local_header[28:30], "little")
    start = info.header_offset + 30 + name_length + extra_length
    out[start : start + min(info.compress_size, 64)] = b"\xff" * min(info.compress_size, 64)
    return bytes(out)


@pytest.fixture
def source(db: None) -> Organization:
    return Organization.objects.create(name="IOM Kabul", kind=Organization.Kind.PARTNER)


@pytest.mark.parametrize("view", STAFF_RECEIPT_VIEWS)
@FUZZ
@given(receipt=NASTY)
@example(receipt="HV-\x00")
@example(receipt="\x00")
@example(receipt="HV-" + "A" * 300)
def test_staff_receipt_views_answer_any_receipt_without_a_500(
    client_for, intake_officer, view, receipt
):
    if not receipt or "/" in receipt or receipt in {".", ".."}:
        receipt = receipt.replace("/", "") + "HV"
    url = reverse(view, args=["PLACEHOLDER"]).replace("PLACEHOLDER", quote(receipt, safe=""))
    response = client_for(intake_officer).get(url)
    assert response.status_code in {400, 404}, (receipt, response.status_code)


@FUZZ
@given(receipt=NASTY, secret=NASTY)
@example(receipt="HV-\x00", secret="\x00")
def test_the_status_page_answers_anything_without_a_500_even_when_rate_limited(
    receipt, secret, settings
):
    settings.HAVEN_STATUS_LOOKUP_LIMIT = 1
    cache.clear()
    client = Client()
    answers = [
        client.post("/status/", {"receipt_number": receipt, "secret": secret}).status_code
        for _ in range(2)  # the second is past the limit
    ]
    assert answers[0] in {200, 400} and answers[1] == 429


@FUZZ
@given(username=NASTY, password=NASTY)
@example(username="u" * 256, password="x")
@example(username="a\x00b", password="x")
def test_log_in_answers_any_user_name_with_a_form_message(client, caseworker, username, password):
    cache.clear()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    if response.status_code == 200:  # the form again, with what was typed kept
        assert 'name="username"' in response.text


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_damaged_workbook_upload_gets_a_clear_message(client_for, intake_officer, source, member):
    data = corrupted(xlsx_bytes(ROWS), member)
    response = client_for(intake_officer).post(
        reverse("importing:upload"),
        {"file": SimpleUploadedFile("list.xlsx", data), "source": source.pk},
    )
    assert response.status_code == 400
    assert "damaged" in response.text
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_a_damaged_workbook_is_a_clear_error_in_the_cli(tmp_path: Path, source, member):
    path = tmp_path / "list.xlsx"
    path.write_bytes(corrupted(xlsx_bytes(ROWS), member))
    with pytest.raises(CommandError, match="damaged"):
        call_command(
            "import",
            str(path),
            "--source",
            source.name,
            "--yes",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


@FUZZ
@given(position=st.integers(min_value=0, max_value=10_000), byte=st.integers(0, 255))
def test_a_workbook_with_any_byte_changed_never_crashes_the_upload(
    client_for, intake_officer, source, position, byte
):
    data = bytearray(xlsx_bytes(ROWS))
    data[position % len(data)] = byte
    response = client_for(intake_officer).post(
        reverse("importing:upload"),
        {"file": SimpleUploadedFile("list.xlsx", bytes(data)), "source": source.pk},
    )
    assert response.status_code in {302, 400}
