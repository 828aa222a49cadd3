"""The dry run and the import of an uploaded file, as background work.

An upload waits in storage. Each job copies it to a local temporary file (the XLSX
reader needs to seek, and storage may be remote), reads it as a stream, and keeps
the batch's status and counters current so the page can show progress. The stored
file is deleted once the import is done: rejected rows are kept in the database.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from haven.intake.models import ImportBatch

from . import sealed_store
from .errors import ImportFileError
from .preview import preview_rows
from .services import import_batch_fail, import_batch_update, import_rows
from .source import open_sheet

# Spreadsheets uploaded since uploads are sealed (sealed_store) are stored here; one stored
# directly under imports/ was uploaded before, in clear, and is still read as it is.
SHEETS_DIR = "imports/sheets"


@contextmanager
def _local_copy(batch: ImportBatch) -> Iterator[IO[bytes]]:
    if batch.stored_path.startswith(f"{SHEETS_DIR}/"):
        try:
            with sealed_store.opened(batch.stored_path) as local:
                yield local
        except sealed_store.SealedFileError as exc:
            raise ImportFileError(
                _("The stored upload could not be opened (damaged, or its key is missing).")
            ) from exc
        return
    with default_storage.open(batch.stored_path, "rb") as stored, tempfile.TemporaryFile() as local:
        shutil.copyfileobj(stored, local, 1024 * 1024)
        local.seek(0)
        yield local


def run_preview(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("organization", "created_by").get(pk=batch_id)
    assert batch.organization is not None
    actor = batch.created_by
    try:
        with _local_copy(batch) as fileobj:
            opened = open_sheet(fileobj, organization=batch.organization, mapping=batch.mapping)

            def progress(rows: int, fraction: float) -> None:
                # Kept apart from the import counters, which a resumed import relies on.
                checked = {"checked": rows, "fraction": round(fraction, 3)}
                ImportBatch.objects.filter(pk=batch_id).update(preview=checked)

            preview = preview_rows(
                sheet=opened.sheet,
                parser=opened.parser(batch.organization),
                organization=batch.organization,
                progress=progress,
            )
    except ImportFileError as exc:
        import_batch_fail(batch=batch, actor=actor, error=exc.message)
        return
    import_batch_update(
        batch=batch,
        actor=actor,
        preview=preview.as_dict(),
        rows_expected=preview.rows,
        status=ImportBatch.Status.PREVIEWED,
    )


def run_import(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("organization", "created_by").get(pk=batch_id)
    assert batch.organization is not None
    try:
        with _local_copy(batch) as fileobj:
            opened = open_sheet(fileobj, organization=batch.organization, mapping=batch.mapping)
            import_rows(
                batch=batch,
                sheet=opened.sheet,
                parser=opened.parser(batch.organization),
                actor=batch.created_by,
            )
    except ImportFileError as exc:
        import_batch_fail(batch=batch, actor=batch.created_by, error=exc.message)
        return
    path = batch.stored_path
    import_batch_update(batch=batch, actor=batch.created_by, stored_path="")
    transaction.on_commit(lambda: default_storage.delete(path))
