"""`haven seed`: fill the desk with synthetic requests, or write them to evaluation files.

Requests go through requests_create_many, the one intake path, a batch at a time with the
pipeline run on each batch in order, so seeded data is parsed, resolved, attached to cases and
triaged exactly as real intake would do it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.intake.models import PersonRecord
from haven.intake.services import NewRequest, requests_create_many
from haven.intake.synthetic import (
    TRUTH_FILE_HEADER,
    SyntheticRequest,
    generate,
    truth_rows,
    write_records_csv,
)

# One transaction and one requests_create_many per batch: a fixed number of statements for
# storing it, and the pipeline sees the whole batch at once.
BATCH_SIZE = 250


class _RowWriter(Protocol):
    def writerow(self, row: Iterable[object], /) -> object: ...
    def writerows(self, rows: Iterable[Iterable[object]], /) -> None: ...


def _batches(requests: Iterable[SyntheticRequest], size: int) -> Iterator[list[SyntheticRequest]]:
    iterator = iter(requests)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _load_batch(batch: list[SyntheticRequest]) -> dict[int, SyntheticRequest]:
    """Create one batch of requests, pipeline included; returns them by database request id."""
    results = requests_create_many(
        entries=[
            NewRequest(
                data=synthetic.data,
                raw_input=synthetic.raw_input,
                received_at=synthetic.received_at,
            )
            for synthetic in batch
        ],
        actor=None,
        # Made-up people at made-up addresses: no receipt messages for them.
        receipt_message=False,
        run_pipeline=True,
    )
    return {result.request.pk: synthetic for result, synthetic in zip(results, batch, strict=True)}


def _write_truth(truth: _RowWriter, created: dict[int, SyntheticRequest]) -> int:
    """Truth rows keyed by PersonRecord pk, looked up once per batch."""
    record_ids: dict[int, list[int]] = {pk: [] for pk in created}
    records = PersonRecord.objects.filter(request_id__in=created).order_by("request_id", "position")
    for request_id, record_id in records.values_list("request_id", "pk"):
        record_ids[request_id].append(record_id)
    rows = 0
    for request_id, synthetic in created.items():
        truth.writerows(truth_rows(synthetic, record_ids[request_id]))
        rows += len(record_ids[request_id])
    return rows


class Command(BaseCommand):
    help = "Load synthetic requests into the database, or write them as resolve-file CSVs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=1000, help="How many requests.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same people.")
        parser.add_argument(
            "--truth", help="Write record_id,person_id,household_id to this CSV file."
        )
        parser.add_argument(
            "--no-db",
            action="store_true",
            help="Touch no database: write --records and --truth files only.",
        )
        parser.add_argument("--records", help="With --no-db: the resolve-file CSV to write.")
        parser.add_argument(
            "--request-ids",
            action="store_true",
            help="With --no-db: add a request_id column (which records came in one request).",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument(
            "--today",
            type=_date,
            default=None,
            help="Date the requests relative to this day, YYYY-MM-DD (default: today): the "
            "last arrive just before it. The same --seed and --today give the same data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        requests, seed = int(options["requests"]), int(options["seed"])
        today = options.get("today")
        if isinstance(today, str):  # call_command passes options as given
            today = _date(today)
        if requests < 0:
            raise CommandError("--requests must not be negative.")
        started = time.monotonic()
        if options["no_db"]:
            if not options["records"] or not options["truth"]:
                raise CommandError("--no-db needs --records FILE and --truth FILE.")
            records = write_records_csv(
                generate(requests=requests, seed=seed, today=today),
                options["records"],
                options["truth"],
                request_ids=options["request_ids"],
            )
            self.stdout.write(
                f"Wrote {requests} requests, {records} person records to {options['records']} "
                f"(truth: {options['truth']}) in {time.monotonic() - started:.1f} s."
            )
            return
        if options["records"]:
            raise CommandError("--records is only for --no-db; use --truth with the database.")
        self._seed_database(requests, seed, options["truth"], max(1, options["batch_size"]), today)

    def _seed_database(
        self, requests: int, seed: int, truth_path: str | None, size: int, today: dt.date | None
    ) -> None:
        started = time.monotonic()
        people: set[str] = set()
        households: set[str] = set()
        records = done = 0
        truth_file: TextIO | None = None
        truth: _RowWriter | None = None
        if truth_path:
            truth_file = Path(truth_path).open("w", newline="", encoding="utf-8")  # noqa: SIM115
            truth = csv.writer(truth_file, lineterminator="\n")
            truth.writerow(TRUTH_FILE_HEADER.split(","))
        try:
            stream = generate(requests=requests, seed=seed, today=today)
            for batch in _batches(stream, size):
                created = _load_batch(batch)
                if truth is not None:
                    _write_truth(truth, created)
                for synthetic in batch:
                    people.update(synthetic.person_keys)
                    households.add(synthetic.household_key)
                    records += len(synthetic.person_keys)
                done += len(batch)
                self.stderr.write(
                    f"seed: {done}/{requests} requests, {records} person records, "
                    f"{time.monotonic() - started:.1f} s"
                )
        finally:
            if truth_file is not None:
                truth_file.close()
        self.stdout.write(
            f"Seeded {done} requests, {records} person records ({len(people)} distinct people, "
            f"{len(households)} households) in {time.monotonic() - started:.1f} s."
        )
