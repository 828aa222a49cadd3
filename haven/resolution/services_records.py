"""Staff correct a person record: a new version, audited, told to cases, matched again.

The record stays exactly as it was received; `record_edit` stores the correction as a
`RecordVersion`, rebuilds the record's match profile and blocking keys from it (so intake
finds the person by the corrected values from now on), and runs the real-time matching
look-up and scoring intake uses (`pipeline.candidates_score`) for the corrected record.
An edit never links or merges people by itself: every other person it now matches at or above
the review threshold goes to the review queue (a false merge is worse than a missed one, and
a reviewer's "same" merges through `person_merge`, with its guards). A correction that makes
the record an exact duplicate of another person's (same names and date of birth, or the same
document number) is refused, naming that person, until staff confirm they are different
people; it is never merged silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.accounts.models import User
from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto
from haven.intake import normalize
from haven.intake.models import Identifier, IdentifierKind, PersonRecord, Sex

from . import blocking, search_keys
from .models import BlockingKey, MatchProfile, Person, PersonLink, RecordVersion, ReviewItem
from .pipeline import candidates_score, thresholds_for
from .realtime import frozen, packaged_scorer
from .records import record_prepare
from .services import PeopleChange, RecordEdited, people_changed_notify
from .versions import record_as_corrected, version_identifiers

# Numbers that name one person: shared by two people, one of the records is wrong. Phones and
# e-mail addresses are shared by households, so they do not make a duplicate.
DOCUMENT_KINDS = (
    IdentifierKind.PASSPORT,
    IdentifierKind.E_TAZKIRA,
    IdentifierKind.PAPER_TAZKIRA,
    IdentifierKind.SIV_CASE,
    IdentifierKind.UNHCR,
)
REVIEW_REASON = "record corrected: possible match"


@dataclass(frozen=True)
class RecordValues:
    """What staff typed: names, sex, date of birth as written, identifiers (kind, value)."""

    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    father_name: str = ""
    sex: str = ""
    date_of_birth: str = ""
    identifiers: tuple[tuple[str, str], ...] = ()


class RecordEditRefused(ValidationError):
    """The correction cannot be saved as typed; the messages say why, by field."""


class RecordDuplicate(ValidationError):
    """The correction would make the record an exact duplicate of another person's."""

    def __init__(self, message: str, *, person_id: int, record_id: int) -> None:
        super().__init__(message)
        self.person_id, self.record_id = person_id, record_id


@dataclass(frozen=True)
class RecordEditResult:
    version: RecordVersion
    # Other people the corrected record may be, sent to the review queue.
    review_people: tuple[int, ...]


def record_current(record: PersonRecord) -> RecordVersion | None:
    return record.versions.order_by("-number").first()


def _date_check(text: str, today: dt.date) -> tuple[normalize.ParsedDate, str]:
    parsed = normalize.parse_date_of_birth(text, today=today)
    if not text.strip() or parsed.value is not None:
        return parsed, ""
    if normalize.parse_date_of_birth(text, today=dt.date(today.year + 200, 1, 1)).value:
        return parsed, _("A date of birth cannot be in the future.")
    return parsed, _(
        "The date of birth could not be read: write it as 1988, 12/04/1988, 1988-04-12, "
        "or in Solar Hijri as 1367 or 1367/01/23."
    )


def record_values_check(
    values: RecordValues, *, today: dt.date
) -> tuple[normalize.ParsedDate, list[normalize.NormalizedIdentifier]]:
    """The parsed date and identifiers, or RecordEditRefused with a message per field."""
    errors: dict[str, list[str]] = {}
    names = (values.full_name, values.given_name, values.family_name, values.father_name)
    if not any(n.strip() for n in names[:3]):
        errors["given_name"] = [_("Give at least one name of the person.")]
    if values.sex not in Sex.values:
        errors["sex"] = [_("Choose one of the listed values.")]
    parsed, problem = _date_check(values.date_of_birth, today)
    if problem:
        errors["date_of_birth"] = [problem]
    identifiers = []
    for kind, value in values.identifiers:
        if not value.strip():
            continue
        if kind not in IdentifierKind.values:
            errors.setdefault("identifiers", []).append(_("Choose the kind of each identifier."))
            continue
        found = normalize.normalize_identifier(kind, value)
        if not found.is_valid:
            label = dict(IdentifierKind.choices)[kind]
            errors.setdefault("identifiers", []).append(
                _("%(kind)s “%(value)s” does not pass its check: look at it again.")
                % {"kind": label, "value": value.strip()}
            )
        identifiers.append(found)
    if errors:
        raise RecordEditRefused(errors)
    return parsed, identifiers


def _current_values(record: PersonRecord, version: RecordVersion | None) -> dict[str, Any]:
    if version is not None:
        idents = sorted(
            (i["kind"], i["normalized"] or i["as_written"]) for i in version.identifiers
        )
        source: Any = version
    else:
        idents = sorted(
            (i.kind, i.normalized or i.value_as_written) for i in record.identifiers.all()
        )
        source = record
    return {
        "names": (source.full_name, source.given_name, source.family_name, source.father_name),
        "date_of_birth": (source.dob_as_written, source.dob, source.dob_precision),
        "sex": source.sex,
        "identifiers": idents,
    }


def _duplicate_find(
    record: PersonRecord,
    person_id: int | None,
    search_text: str,
    parsed: normalize.ParsedDate,
    sex: str,
    hashes: list[tuple[str, str]],
) -> tuple[int, int] | None:
    """(person, record) of another person's record that this one would duplicate exactly."""
    others = PersonLink.objects.filter(ended_at__isnull=True)
    if person_id is not None:
        others = others.exclude(person_id=person_id)
    if hashes:
        for kind, value_hash in hashes:
            hit = (
                others.filter(
                    person_record__identifiers__kind=kind,
                    person_record__identifiers__value_hash=value_hash,
                )
                .values_list("person_id", "person_record_id")
                .first()
            )
            if hit:
                return hit
    if parsed.value is None or not search_text:
        return None
    same = dict(search_text=search_text, dob=parsed.value, dob_precision=parsed.precision, sex=sex)
    hit = (
        others.filter(**{f"person_record__{k}": v for k, v in same.items()})
        .exclude(person_record_id=record.pk)
        .values_list("person_id", "person_record_id")
        .first()
    )
    if hit:
        return hit
    versions = (
        RecordVersion.objects.filter(**same)
        .exclude(record_id=record.pk)
        .filter(record__links__ended_at__isnull=True)
    )
    if person_id is not None:
        versions = versions.exclude(record__links__person_id=person_id)
    return versions.values_list("record__links__person_id", "record_id").first()


def _profile_rebuild(
    record: PersonRecord, version: RecordVersion
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's match profile and blocking keys, from the corrected values."""
    edited = record_as_corrected(record, version)
    row = blocking.record_row(edited, version_identifiers(version))
    prepared = record_prepare(row, today=blocking.record_today(record))
    profile = blocking.profile_build(prepared)
    insufficient = blocking.profile_is_insufficient(prepared)
    MatchProfile.objects.update_or_create(
        person_record=record, defaults={"data": profile, "insufficient": insufficient}
    )
    BlockingKey.objects.filter(person_record=record).delete()
    rules = blocking.packaged_key_rules()
    if not insufficient:
        BlockingKey.objects.bulk_create(
            [BlockingKey(key=k, person_record=record) for k in blocking.keys_of(profile, rules)]
        )
    # The case search finds the record by its corrected name too.
    search_keys.search_keys_refresh(record_ids=[record.pk])
    return prepared, profile


def _rematch(
    record: PersonRecord, person_id: int | None, prepared: dict[str, Any], profile: dict[str, Any]
) -> list[int]:
    """Score the corrected record against everyone, as intake does; every other person at or
    above the review threshold goes to review. Returns those people."""
    if blocking.profile_is_insufficient(prepared):
        return []
    scorer = packaged_scorer()
    options, candidates = candidates_score(
        prepared={record.pk: prepared},
        profiles={record.pk: profile},
        eligible=[record.pk],
        request_id=record.request_id,
        scorer=scorer,
        rules=blocking.packaged_key_rules(),
    )
    thresholds = thresholds_for([record])
    wanted = [
        o
        for o in options.get(record.pk, [])
        if o.person_id != person_id and o.weight >= thresholds.review
    ][:3]
    if not wanted:
        return []
    fuzzy = scorer.fuzzy_columns & set(blocking.HASHED_COLUMNS)
    clear = blocking.clear_columns_load({o.record_id for o in wanted}, fuzzy)
    incoming = frozen({**profile, **{c: prepared.get(c) for c in fuzzy}})
    items = []
    for option in wanted:
        existing = {**candidates[option.record_id].profile, **clear.get(option.record_id, {})}
        explained = scorer.score(existing, incoming)
        a, b = sorted((option.record_id, record.pk))
        items.append(
            ReviewItem(
                record_a_id=a,
                record_b_id=b,
                score=explained.weight,
                details=explained.as_json(),
                reason=REVIEW_REASON,
                source=ReviewItem.Source.EDIT,
            )
        )
    ReviewItem.objects.bulk_create(items, ignore_conflicts=True)
    return [o.person_id for o in wanted]


@transaction.atomic
def record_edit(
    *,
    record: PersonRecord,
    actor: User,
    values: RecordValues,
    reason: str = "",
    duplicate_confirmed: bool = False,
) -> RecordEditResult:
    """Store a correction of `record` as its next version; see the module's docstring."""
    if not permissions.can_work_cases(actor):
        raise PermissionDenied
    # Lock the record: two corrections at once must not both become version N.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    record = (
        PersonRecord.objects.select_for_update(no_key=True, of=("self",))
        .select_related("request")
        .get(pk=record.pk)
    )
    parsed, identifiers = record_values_check(values, today=dt.date.today())
    previous = record_current(record)
    before = _current_values(record, previous)
    stored = [
        {
            "kind": i.kind,
            "as_written": i.as_written,
            "normalized": i.normalized,
            "valid": i.is_valid,
        }
        for i in identifiers
    ]
    version = RecordVersion(
        record=record,
        number=(previous.number if previous else 1) + 1,
        full_name=values.full_name.strip()[:300],
        given_name=values.given_name.strip()[:150],
        family_name=values.family_name.strip()[:150],
        father_name=values.father_name.strip()[:150],
        sex=values.sex,
        dob_as_written=values.date_of_birth.strip()[:50],
        dob=parsed.value,
        dob_precision=parsed.precision,
        identifiers=stored,
        reason=reason.strip()[:300],
        created_by=actor,
    )
    version.search_text = normalize.search_text(
        version.full_name, version.given_name, version.family_name, version.father_name
    )[:700]
    after = _current_values(record, version)
    version.changed = [
        k for k in ("names", "date_of_birth", "sex", "identifiers") if before[k] != after[k]
    ]
    if not version.changed:
        raise RecordEditRefused(_("Nothing was changed: the record already reads like this."))
    link = PersonLink.objects.filter(person_record=record, ended_at__isnull=True).first()
    person_id = link.person_id if link else None
    hashes = [
        (i.kind, crypto.keyed_hash(i.kind, i.normalized))
        for i in identifiers
        if i.kind in DOCUMENT_KINDS and i.normalized
    ]
    version.identifier_hashes = [f"{k}:{h}" for k, h in hashes]
    if not duplicate_confirmed:
        duplicate = _duplicate_find(
            record, person_id, version.search_text, parsed, version.sex, hashes
        )
        if duplicate is not None:
            raise RecordDuplicate(
                _(
                    "With these values the record is an exact duplicate of a record of person "
                    "%(person)s. Open that person to compare; if they are different people, "
                    "tick the box and save again (the pair goes to review, nothing is merged)."
                )
                % {"person": duplicate[0]},
                person_id=duplicate[0],
                record_id=duplicate[1],
            )
    version.save()
    if person_id is not None:
        old_name = previous.display_name if previous else record.display_name
        Person.objects.filter(pk=person_id, display_name=old_name[:300]).update(
            display_name=version.display_name[:300]
        )
    prepared, profile = _profile_rebuild(record, version)
    review = _rematch(record, person_id, prepared, profile)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=record,
        summary=f"Record {record.pk} corrected (version {version.number})",
        details={
            "version": version.number,
            "changed": version.changed,
            "person": person_id,
            "review_people": review,
            "duplicate_confirmed": duplicate_confirmed,
        },
    )
    if person_id is not None:
        people_changed_notify(
            change=PeopleChange(
                edited=(RecordEdited(record.pk, person_id, version.number, tuple(version.changed)),)
            ),
            actor=actor,
        )
    return RecordEditResult(version=version, review_people=tuple(review))


def record_identifiers_current(record: PersonRecord) -> list[tuple[str, str]]:
    """(kind, value as written) of the record's newest version, or as received."""
    version = record_current(record)
    if version is not None:
        return [(i["kind"], i["as_written"]) for i in version.identifiers]
    return [(i.kind, i.value_as_written) for i in Identifier.objects.filter(person_record=record)]
