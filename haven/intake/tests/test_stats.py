"""`haven stats`: one JSON object with the desk's counts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from haven.cases.models import Case
from haven.intake.models import PersonRecord, Request
from haven.resolution.models import Person

KEYS = {"requests", "requests_pending", "person_records", "people", "cases"}


def _stats() -> dict[str, int]:
    out = StringIO()
    call_command("stats", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert isinstance(result, dict)
    return result


@pytest.mark.django_db
def test_stats_on_an_empty_desk_are_zero() -> None:
    assert _stats() == dict.fromkeys(KEYS, 0)


@pytest.mark.django_db
def test_stats_count_what_intake_created() -> None:
    call_command("seed", requests=12, seed=3, stdout=StringIO(), stderr=StringIO())
    stats = _stats()

    assert set(stats) == KEYS
    assert stats["requests"] == 12 == Request.objects.count()
    assert stats["person_records"] == PersonRecord.objects.count() >= 12
    assert stats["people"] == Person.objects.count() > 0
    assert stats["cases"] == Case.objects.count() > 0


@pytest.mark.django_db
def test_a_merged_person_is_not_counted_twice() -> None:
    kept = Person.objects.create(display_name="Kept")
    Person.objects.create(display_name="Merged away", merged_into=kept)
    Person.objects.create(display_name="Someone else")

    assert _stats()["people"] == 2
