"""A record as matching reads it: its newest staff correction (RecordVersion), if any."""

from __future__ import annotations

from collections.abc import Iterable

from haven.intake.models import PersonRecord

from .models import RecordVersion


def newest_versions(record_ids: Iterable[int]) -> dict[int, RecordVersion]:
    """The newest version of each of these records that has one (one query)."""
    newest: dict[int, RecordVersion] = {}
    for version in RecordVersion.objects.filter(record_id__in=list(record_ids)).order_by(
        "record_id", "number"
    ):
        newest[version.record_id] = version
    return newest


def record_as_corrected(record: PersonRecord, version: RecordVersion) -> PersonRecord:
    """An unsaved copy of `record` with the corrected values (never saved: the record as
    received stays as it is)."""
    return PersonRecord(
        pk=record.pk,
        request_id=record.request_id,
        position=record.position,
        relationship=record.relationship,
        full_name=version.full_name,
        given_name=version.given_name,
        family_name=version.family_name,
        father_name=version.father_name,
        search_text=version.search_text,
        sex=version.sex,
        dob_as_written=version.dob_as_written,
        dob=version.dob,
        dob_precision=version.dob_precision,
        province=record.province,
    )


def version_identifiers(version: RecordVersion) -> list[tuple[str, str]]:
    return [(i["kind"], i["as_written"]) for i in version.identifiers]
