"""Writes for spreadsheet imports: the batch, its rows in committed chunks, and its end.

An import is deliberately not one transaction: a 100,000-row file would hold the
database for minutes and lose everything on a crash. Each chunk of rows commits
together with the batch's counters and the rows' fingerprints, so after a crash
the batch says exactly how far it got, and running the import again resumes
there; the per-source fingerprint's unique constraint makes that safe even when
the file is imported twice or alongside an overlapping one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from haven.accounts.models import Organization
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto
from haven.common.bulk import insert_instances, insert_values
from haven.intake.models import ImportBatch, ImportedRow, ImportMapping, RejectedRow, Request

# The two creators are named here (not through the module) so the import tests can replace them.
from haven.intake.services import NewRequest
from haven.intake.services import request_create as request_create
from haven.intake.services import requests_create_many as requests_create_many

from . import fields, households
from .errors import ImportFileError
from .readers import RowStream
from .rows import REJECT_MESSAGES, REJECT_STORE, ParsedRow, RowParser, Sheet, raw_row

if TYPE_CHECKING:
    from haven.accounts.models import User

logger = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK_ROWS = 1000
Progress = Callable[[ImportBatch, float], None]


@dataclass
class Counts:
    rows: int = 0
    imported: int = 0
    rejected: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def of(cls, batch: ImportBatch) -> Counts:
        return cls(batch.rows, batch.imported, batch.rejected, batch.skipped)


@transaction.atomic
def import_batch_create(
    *,
    organization: Organization | None,
    file_name: str,
    file_sha256: str,
    file_size: int,
    actor: User | None,
    kind: str = ImportBatch.Kind.SPREADSHEET,
    file_format: str = "",
    sheet_name: str = "",
    header_row: int = 0,
    headers: list[str] | None = None,
    mapping: list[str] | None = None,
    stored_path: str = "",
    status: str = ImportBatch.Status.UPLOADED,
) -> ImportBatch:
    batch = ImportBatch.objects.create(
        kind=kind,
        organization=organization,
        file_name=file_name[:255],
        file_sha256=file_sha256,
        file_size=file_size,
        file_format=file_format,
        sheet_name=sheet_name[:100],
        header_row=header_row,
        headers=headers or [],
        mapping=mapping or [],
        stored_path=stored_path,
        status=status,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=batch,
        summary=f"Import of {batch.file_name[:100]} from {organization or 'e-mail'}",
        details={"kind": kind, "sha256": file_sha256, "size": file_size},
    )
    return batch


@transaction.atomic
def import_batch_update(*, batch: ImportBatch, actor: User | None, **changes: object) -> None:
    """Status, mapping and preview changes; the counters are only ever moved by chunks."""
    for name, value in changes.items():
        setattr(batch, name, value)
    batch.save(update_fields=list(changes))


def _reject(batch: ImportBatch, row: ParsedRow, reason: str, message: str = "") -> RejectedRow:
    return RejectedRow(
        batch=batch,
        row_number=row.number,
        reason=reason,
        message=(message or str(REJECT_MESSAGES[reason]))[:300],
        cells=row.cells,
    )


@dataclass(frozen=True)
class _Pending:
    """One request to store: a row, or every row of a household."""

    rows: list[ParsedRow]
    entry: NewRequest


def _store_rows(
    pending: list[_Pending], actor: User | None, run_pipeline: bool
) -> tuple[list[tuple[ParsedRow, Request]], list[tuple[ParsedRow, str]]]:
    """(row, its request) for every row stored, (row, error) for every row that failed."""
    """Store the chunk's requests together; if that fails, row by row, so that one bad row
    is rejected and the others stored. With run_pipeline, matching, cases and triage run on
    the chunk as a batch before it commits; otherwise the background drain runs them."""
    try:
        with transaction.atomic():  # a savepoint: the fallback starts from a clean slate
            created = requests_create_many(
                entries=[p.entry for p in pending], actor=actor, run_pipeline=run_pipeline
            )
        stored_all = [
            (row, c.request) for p, c in zip(pending, created, strict=True) for row in p.rows
        ]
        return stored_all, []
    except Exception:
        logger.warning("Import chunk could not be stored together; storing row by row")
    stored: list[tuple[ParsedRow, Request]] = []
    failed: list[tuple[ParsedRow, str]] = []
    for item in pending:
        try:
            with transaction.atomic():  # a savepoint per row, only on this slow path
                one = request_create(
                    data=item.entry.data,
                    raw_input=item.entry.raw_input,
                    actor=actor,
                    run_pipeline=run_pipeline,
                )
        except Exception as exc:
            # The savepoint has rolled the row back; the chunk goes on, and the row is
            # kept, as read, in the error report instead of vanishing.
            logger.exception("Import row %s could not be stored", item.rows[0].number)
            failed.extend((row, type(exc).__name__) for row in item.rows)
            continue
        stored.extend((row, one.request) for row in item.rows)
    return stored, failed


@transaction.atomic
def _import_chunk(
    *,
    batch: ImportBatch,
    parser: RowParser,
    rows: list[tuple[int, list[str]]],
    actor: User | None,
    run_pipeline: bool,
) -> None:
    assert batch.organization is not None
    parsed = [parser.parse(number, cells) for number, cells in rows]
    already = set(
        ImportedRow.objects.filter(
            organization=batch.organization,
            fingerprint__in=[r.fingerprint for r in parsed if not r.reject],
        ).values_list("fingerprint", flat=True)
    )
    rejected: list[RejectedRow] = []
    skipped = 0
    fresh: list[ParsedRow] = []
    for row in parsed:
        if row.reject:
            rejected.append(_reject(batch, row, row.reject))
            continue
        if row.fingerprint in already:
            skipped += 1
            continue
        already.add(row.fingerprint)  # the same row twice in one file
        fresh.append(row)
    keys = {row.household: _household_key(batch, row.household) for row in fresh if row.household}
    _household_continuations(batch, fresh, keys)
    pending = [_pending(batch, parser, rows) for rows in households.group(fresh)]
    stored, failed = _store_rows(pending, actor, run_pipeline) if pending else ([], [])
    for row, error in failed:
        message = f"{REJECT_MESSAGES[REJECT_STORE]} ({error})"
        rejected.append(_reject(batch, row, REJECT_STORE, message))
    imported = [
        {
            "organization_id": batch.organization_id,
            "fingerprint": row.fingerprint,
            "batch_id": batch.pk,
            "row_number": row.number,
            "request_id": request.pk,
            "household_key": keys.get(row.household, ""),
        }
        for row, request in stored
    ]
    insert_values(ImportedRow, imported)
    insert_instances(rejected)
    ImportBatch.objects.filter(pk=batch.pk).update(
        rows=F("rows") + len(parsed),
        imported=F("imported") + len(imported),
        rejected=F("rejected") + len(rejected),
        skipped=F("skipped") + skipped,
        heartbeat_at=timezone.now(),
    )


def _household_key(batch: ImportBatch, household: str) -> str:
    return crypto.keyed_hash("import-household", f"{batch.pk}:{household}")


def _pending(batch: ImportBatch, parser: RowParser, rows: list[ParsedRow]) -> _Pending:
    if len(rows) == 1:
        (row,) = rows
        assert row.data is not None
        raw = raw_row(
            file_name=batch.file_name,
            sheet=batch.sheet_name,
            number=row.number,
            headers=parser.headers,
            cells=row.cells,
        )
        return _Pending(rows, NewRequest(data=row.data, raw_input=raw))
    raw = households.household_raw(
        file_name=batch.file_name, sheet=batch.sheet_name, headers=parser.headers, rows=rows
    )
    return _Pending(rows, NewRequest(data=households.household_input(rows), raw_input=raw))


def _household_continuations(
    batch: ImportBatch, rows: list[ParsedRow], keys: dict[str, str]
) -> None:
    """Rows whose household an earlier chunk of this batch already stored: their request
    names the first one (and the row says so in the dry run and the report), so that staff
    see one family, instead of Haven adding people to a request after it was receipted."""
    if not keys:
        return
    earlier = dict(
        ImportedRow.objects.filter(batch=batch, household_key__in=set(keys.values()))
        # Newest first, so that the dict keeps each household's first request.
        .order_by("household_key", "-pk")
        .values_list("household_key", "request__receipt_number")
    )
    for row in rows:
        receipt = earlier.get(keys.get(row.household, ""))
        if receipt is None or row.data is None:
            continue
        row.problems.append("household_continues")
        note = f"Same household as request {receipt} (rows far apart in the file)"
        row.data = replace(row.data, help_requested="\n".join([note, row.data.help_requested]))


def _import_chunk_with_retry(
    *,
    batch: ImportBatch,
    parser: RowParser,
    rows: list[tuple[int, list[str]]],
    actor: User | None,
    run_pipeline: bool,
) -> None:
    # A concurrent import of an overlapping file can commit the same fingerprint first:
    # the chunk rolls back whole, and the retry sees those rows as already imported.
    for attempt in range(3):
        try:
            _import_chunk(
                batch=batch, parser=parser, rows=rows, actor=actor, run_pipeline=run_pipeline
            )
            return
        except IntegrityError:
            if attempt == 2:
                raise


def import_rows(
    *,
    batch: ImportBatch,
    sheet: Sheet,
    parser: RowParser,
    actor: User | None,
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    run_pipeline: bool = False,
) -> Counts:
    """Import every data row; resumes after the rows a previous run of this batch committed.

    Not atomic on purpose (see the module docstring); each chunk is. Rows are stored,
    receipted and accounted for here; matching, cases and triage follow in the background
    (intake.tasks.pipeline_drain) unless run_pipeline asks for them chunk by chunk: a list
    of 100,000 names is in, and visible as waiting, within the minute.
    """
    batch.refresh_from_db()
    done = batch.rows
    import_batch_update(
        batch=batch,
        actor=actor,
        status=ImportBatch.Status.RUNNING,
        started_at=batch.started_at or timezone.now(),
        error="",
    )
    try:
        with sheet.stream(skip=done) as rows:
            _import_chunks(rows, batch, parser, actor, progress, chunk_rows, run_pipeline)
    except ImportFileError as exc:
        import_batch_fail(batch=batch, actor=actor, error=exc.message)
        raise
    except BaseException as exc:
        # Interrupted (Ctrl-C, a lost database): say so, so that running the import again
        # resumes at once instead of waiting for the heartbeat to go stale.
        _fail_quietly(batch, actor, f"Interrupted after row {batch.rows}: {type(exc).__name__}")
        raise
    import_batch_finish(batch=batch, actor=actor, headers=sheet.headers, mapping=parser.mapping)
    return Counts.of(batch)


def _import_chunks(
    rows: RowStream,
    batch: ImportBatch,
    parser: RowParser,
    actor: User | None,
    progress: Progress | None,
    chunk_rows: int | None,
    run_pipeline: bool,
) -> None:
    size = chunk_rows or CHUNK_ROWS
    for chunk in households.chunked_keeping_households(rows, size, parser.household_of):
        _import_chunk_with_retry(
            batch=batch, parser=parser, rows=chunk, actor=actor, run_pipeline=run_pipeline
        )
        if progress is not None:
            batch.refresh_from_db(fields=["rows", "imported", "rejected", "skipped"])
            progress(batch, rows.fraction_read())


def _fail_quietly(batch: ImportBatch, actor: User | None, error: str) -> None:
    try:
        import_batch_fail(batch=batch, actor=actor, error=error)
    except Exception:
        logger.exception("Import %s: could not record the interruption", batch.pk)


@transaction.atomic
def import_batch_fail(*, batch: ImportBatch, actor: User | None, error: str) -> None:
    batch.refresh_from_db()
    batch.status = ImportBatch.Status.FAILED
    batch.error = error[:2000]
    batch.save(update_fields=["status", "error"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=batch,
        summary=f"Import {batch.pk} stopped: {error[:200]}",
        details=Counts.of(batch).as_dict(),
    )


@transaction.atomic
def import_batch_finish(
    *, batch: ImportBatch, actor: User | None, headers: list[str], mapping: list[str]
) -> None:
    batch.refresh_from_db()
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "finished_at"])
    if batch.organization is not None:
        import_mapping_remember(
            organization=batch.organization, headers=headers, mapping=mapping, actor=actor
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=batch,
        summary=f"Import {batch.pk} finished",
        details=Counts.of(batch).as_dict(),
    )


@transaction.atomic
def import_mapping_remember(
    *, organization: Organization, headers: list[str], mapping: list[str], actor: User | None
) -> None:
    """Keep the columns staff set differently from automatic recognition, for next time."""
    changed = fields.corrections(headers, mapping)
    if not changed:
        return
    remembered, _created = ImportMapping.objects.get_or_create(organization=organization)
    remembered.columns = {**remembered.columns, **changed}
    remembered.updated_by = actor
    remembered.save()


@transaction.atomic
def import_fact_values_remember(
    *, organization: Organization, values: dict[str, dict[str, str]], actor: User | None
) -> None:
    """What a source's words for eligibility answers mean (column -> normalised value ->
    fact value), used for its next files before the shared table. Audited: it changes the
    facts triage decides on."""
    chosen = {column: {k: v for k, v in given.items() if v} for column, given in values.items()}
    chosen = {column: given for column, given in chosen.items() if given}
    if not chosen:
        return
    # Locked: two staff answering for the same source at once must not lose each other's words.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    remembered, _created = ImportMapping.objects.select_for_update(no_key=True).get_or_create(
        organization=organization
    )
    merged = {column: dict(given) for column, given in remembered.fact_values.items()}
    for column, given in chosen.items():
        merged.setdefault(column, {}).update(given)
    remembered.fact_values = merged
    remembered.updated_by = actor
    remembered.save(update_fields=["fact_values", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=remembered,
        summary=f"Eligibility values remembered for {organization.name[:100]}",
        details={"columns": sorted(chosen), "values": sum(len(v) for v in chosen.values())},
    )
