"""`haven seed`: synthetic requests through the one intake path, with the truth beside them."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from haven.intake.models import PersonRecord, Request
from haven.intake.synthetic import RESOLVE_FILE_HEADER, TRUTH_FILE_HEADER, generate


def _seed(**options: object) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.django_db
def test_seed_loads_requests_and_writes_truth_by_record_pk(tmp_path: Path) -> None:
    truth_path = tmp_path / "truth.csv"
    out, err = _seed(requests=50, seed=1, truth=str(truth_path), batch_size=20, today="2026-05-01")

    generated = list(generate(requests=50, seed=1, today=dt.date(2026, 5, 1)))
    assert Request.objects.count() == 50
    assert PersonRecord.objects.count() == sum(len(r.data.people) for r in generated)
    assert "Seeded 50 requests" in out
    assert "50/50 requests" in err

    assert truth_path.read_text(encoding="utf-8").splitlines()[0] == TRUTH_FILE_HEADER
    truth = {int(row["record_id"]): row for row in _read(truth_path)}
    assert set(truth) == set(PersonRecord.objects.values_list("pk", flat=True))
    # Each stored request holds the generated people, in order, under their true keys.
    by_raw = {r.raw_input: r for r in generated}
    for request in Request.objects.prefetch_related("person_records"):
        synthetic = by_raw[request.raw_input]
        assert request.received_at == synthetic.received_at
        assert request.channel == synthetic.data.channel
        records = sorted(request.person_records.all(), key=lambda r: r.position)
        assert [truth[r.pk]["person_id"] for r in records] == synthetic.person_keys
        assert {truth[r.pk]["household_id"] for r in records} == {synthetic.household_key}
        written = [p.date_of_birth.strip() for p in synthetic.data.people]
        assert [r.dob_as_written for r in records] == written


@pytest.mark.django_db
def test_seed_is_repeatable_for_the_same_seed() -> None:
    def people() -> list[tuple[str, str, str, str]]:
        return list(
            PersonRecord.objects.order_by(
                "request__received_at", "request_id", "position"
            ).values_list("full_name", "given_name", "father_name", "dob_as_written")
        )

    _seed(requests=15, seed=4)
    first = people()
    _seed(requests=15, seed=4)
    both = people()
    # Two identical loads interleave by receipt time: every person appears exactly twice.
    assert sorted(both) == sorted(first + first)


@pytest.mark.django_db
def test_no_db_writes_the_resolve_file_and_creates_nothing(tmp_path: Path) -> None:
    records_path, truth_path = tmp_path / "records.csv", tmp_path / "truth.csv"
    out, _ = _seed(
        requests=30, seed=2, no_db=True, records=str(records_path), truth=str(truth_path)
    )

    assert Request.objects.count() == 0
    assert PersonRecord.objects.count() == 0
    assert records_path.read_text(encoding="utf-8").splitlines()[0] == RESOLVE_FILE_HEADER
    records, truth = _read(records_path), _read(truth_path)
    expected = sum(len(r.data.people) for r in generate(requests=30, seed=2))
    assert len(records) == len(truth) == expected
    assert [r["record_id"] for r in records] == [t["record_id"] for t in truth]
    assert f"{expected} person records" in out


@pytest.mark.django_db
def test_no_db_needs_both_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        _seed(requests=5, seed=1, no_db=True, truth=str(tmp_path / "truth.csv"))
    with pytest.raises(CommandError):
        _seed(requests=5, seed=1, records=str(tmp_path / "records.csv"))
    assert Request.objects.count() == 0


@pytest.mark.django_db
def test_seeded_requests_are_dated_relative_to_today_not_2021() -> None:
    from django.db.models import Max, Min
    from django.utils import timezone

    _seed(requests=20, seed=3)
    span = Request.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    now = timezone.now()
    assert (now - span["first"]).days <= 80  # was 1,930 days: every queue "over target"
    assert now - dt.timedelta(days=2) <= span["last"] <= now


def test_seed_refuses_a_today_that_is_not_a_date() -> None:
    with pytest.raises(CommandError, match="not a date"):
        call_command("seed", "--today", "yesterday", "--no-db", stdout=StringIO())
