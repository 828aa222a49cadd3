"""Fixtures for triage tests: a copy of the guidance folder, cases with facts, active guidance."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from pytest_django.fixtures import Settings as SettingsWrapper

from haven.accounts.models import User
from haven.cases.models import Case
from haven.triage import library, services
from haven.triage.models import CaseFacts, GuidanceVersion

REPO_GUIDANCE = Path(django_settings.BASE_DIR) / "guidance"

AFGHAN_IN_KABUL: dict[str, Any] = {
    "nationality": "AF",
    "current_country": "AF",
    "is_us_citizen": False,
    "is_us_lpr": False,
    "employer_type": "none",
    "employment_months": 0,
    "siv_stage": "none",
    "referral_source": "none",
    "us_relative": "none",
    "claims_eligibility": False,
    "vulnerabilities": [],
    "dependants": 0,
}


@pytest.fixture
def guidance_dir(tmp_path: Path, settings: SettingsWrapper) -> Path:
    """A writable copy of the shipped guidance, so tests can add versions."""
    target = tmp_path / "guidance"
    shutil.copytree(REPO_GUIDANCE, target)
    settings.HAVEN_GUIDANCE_DIR = target
    return target


@pytest.fixture
def make_case(db: None) -> Callable[..., Case]:
    def make(facts: dict[str, Any] | None = None, **fields: Any) -> Case:
        case = Case.objects.create(display_name=fields.pop("display_name", "Test Person"), **fields)
        if facts is not None:
            CaseFacts.objects.create(case=case, facts=facts)
        return case

    return make


def store(spec: str) -> GuidanceVersion:
    return services.guidance_store(pack=library.find(spec), actor=None)


@pytest.fixture
def active_guidance(
    guidance_dir: Path, supervisor: User, django_capture_on_commit_callbacks: Any
) -> Iterator[GuidanceVersion]:
    version = store("us-afghan-2021@1")
    with django_capture_on_commit_callbacks(execute=True):
        services.guidance_activate(version=version, actor=supervisor)
    version.refresh_from_db()
    yield version


def write_version(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def shipped_version_text() -> str:
    return (REPO_GUIDANCE / "us-afghan-2021" / "1.yaml").read_text(encoding="utf-8")


@pytest.fixture
def only_triage_panel() -> Iterator[None]:
    """The case page with triage's panel alone (the other apps' panels left out)."""
    from haven.cases.panels import case_panel_providers
    from haven.triage.panels import triage_panel

    with case_panel_providers.replaced({"triage": triage_panel}):
        yield
