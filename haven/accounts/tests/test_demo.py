from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from haven.accounts.models import User
from haven.cases.models import Case
from haven.intake.models import Request

pytestmark = pytest.mark.django_db


def _demo(**options: int) -> str:
    out = io.StringIO()
    call_command("demo", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_demo_creates_one_account_per_persona_and_is_idempotent(settings, tmp_path, rf):
    settings.VAR_DIR = tmp_path
    first = _demo(requests=12, seed=3)
    assert set(User.objects.values_list("role", flat=True)) == {
        "intake_officer",
        "caseworker",
        "supervisor",
        "partner",
        "admin",
    }
    assert Request.objects.count() == 12
    # The default guidance is in force, so every seeded case has been triaged.
    assert not Case.objects.filter(pathway="").exists()
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    for username, password in credentials.items():
        assert f"{username}" in first and password in first
        assert authenticate(rf.post("/"), username=username, password=password) is not None

    second = _demo(requests=12, seed=3)
    assert Request.objects.count() == 12
    assert User.objects.count() == 5
    assert "already loaded" in second
    for password in credentials.values():
        assert password in second


def test_demo_gives_new_printable_passwords_if_the_credentials_file_is_lost(settings, tmp_path, rf):
    settings.VAR_DIR = tmp_path
    _demo(requests=1, seed=1)
    (tmp_path / "demo-credentials.json").unlink()
    _demo(requests=1, seed=1)
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert authenticate(rf.post("/"), username="caseworker", password=credentials["caseworker"])
    assert User.objects.count() == 5
