"""Data entry: staff type in the people of a request that could not be read.

The request and its raw input stay as received; the people staff entered are stored as
further records of the request, with the same record building as every channel. The
pipeline (matching, case, triage) is run by the caller, cases.data_entry, which knows the case.
"""

from __future__ import annotations

from django.db.models import Max

from .inputs import IntakeItem, PersonInput
from .models import PersonRecord, Request
from .records import identifiers_as_written, person_record_build, person_records_create


def request_people_add(*, request: Request, people: tuple[PersonInput, ...]) -> IntakeItem:
    """Store `people` as records of `request`, after any it has (the caller holds its lock);
    returns the request with the records added, for the flow."""
    last = PersonRecord.objects.filter(request=request).aggregate(n=Max("position"))["n"]
    start = 0 if last is None else last + 1
    built = [
        person_record_build(request=request, position=start + i, person=person)
        for i, person in enumerate(people)
    ]
    records = person_records_create(built)
    return IntakeItem(request=request, records=records, identifiers=identifiers_as_written(built))
