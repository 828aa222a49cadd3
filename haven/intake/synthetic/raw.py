"""The verbatim input of a synthetic request, shaped like what each channel really sends.

A web form posts fields, a spreadsheet has a header row and rows, an e-mail is
a subject and free text. The values are exactly those in the RequestInput, so
staff comparing "as received" with "as parsed" see the same text.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from haven.intake.services import PersonInput, RequestInput

from .tables import Tables

_LABELS = {
    "passport": "Passport",
    "e_tazkira": "Tazkira",
    "paper_tazkira": "Tazkira (paper)",
    "siv_case": "SIV case",
    "phone": "Phone",
    "email": "Email",
}
_SEX_LABELS = {"m": "Male", "f": "Female", "": ""}


def _name_fields(person: PersonInput) -> dict[str, str]:
    fields = {
        "full_name": person.full_name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "father_name": person.father_name,
    }
    return {k: v for k, v in fields.items() if v}


def _display_name(person: PersonInput) -> str:
    return person.full_name or f"{person.given_name} {person.family_name}".strip()


def _web_form(data: RequestInput, received_at: dt.datetime) -> dict[str, Any]:
    fields: dict[str, str] = {}
    for i, person in enumerate(data.people):
        prefix = f"people-{i}-"
        for key, value in _name_fields(person).items():
            fields[prefix + key] = value
        fields[prefix + "relationship"] = person.relationship
        fields[prefix + "sex"] = person.sex
        fields[prefix + "date_of_birth"] = person.date_of_birth
        fields[prefix + "province"] = person.province
        for kind, value in person.identifiers:
            fields[prefix + kind] = value
    fields["people-TOTAL_FORMS"] = str(len(data.people))
    fields["help_requested"] = data.help_requested
    fields["current_location"] = data.current_location
    fields["contact"] = data.requester.contact
    return {
        "form": "public-request",
        "language": data.language,
        "consent": data.consent_version,
        "submitted_at": received_at.isoformat(),
        "fields": fields,
    }


def _row(person: PersonInput) -> dict[str, str]:
    row = {
        "Name": _display_name(person),
        "Father's name": person.father_name,
        "Relation": person.relationship,
        "Sex": _SEX_LABELS.get(person.sex, person.sex),
        "DOB": person.date_of_birth,
        "Province": person.province,
    }
    for kind, value in person.identifiers:
        row.setdefault(_LABELS.get(kind, kind), value)
    return row


def _walk_in(data: RequestInput, received_at: dt.datetime) -> dict[str, Any]:
    return {
        "sheet": "walk-in intake",
        "desk": data.current_location or "Islamabad",
        "date": received_at.date().isoformat(),
        "language": data.language,
        "people": [_row(p) for p in data.people],
        "notes": data.help_requested,
    }


def _spreadsheet(
    data: RequestInput, received_at: dt.datetime, tables: Tables, rng: random.Random
) -> dict[str, Any]:
    # Each list-keeper names the columns their own way.
    columns = tables.channel_text["spreadsheet_columns"]
    renamed = {
        "Name": rng.choice(columns["full"]),
        "Father's name": rng.choice(columns["father"]),
        "DOB": rng.choice(columns["dob"]),
    }
    rows = [
        {"S/No": str(number), **{renamed.get(k, k): v for k, v in _row(person).items()}}
        for number, person in enumerate(data.people, start=1)
    ]
    header: list[str] = []
    for row in rows:
        header.extend(k for k in row if k not in header)
    slug = re.sub(r"[^a-z0-9]+", "_", data.requester.name.lower()).strip("_") or "list"
    return {
        "file": f"{slug}_{received_at:%Y%m%d}.xlsx",
        "sheet": "Sheet1",
        "header": header,
        "rows": [[row.get(column, "") for column in header] for row in rows],
    }


def _email(data: RequestInput, tables: Tables, rng: random.Random) -> dict[str, Any]:
    principal = data.people[0]
    subject = str(rng.choice(tables.channel_text["email_subjects"]))
    lines = ["Dear Sir/Madam,", "", data.help_requested, "", "Details:"]
    for number, person in enumerate(data.people, start=1):
        parts = [_display_name(person)]
        if person.father_name:
            parts.append(f"father: {person.father_name}")
        if person.date_of_birth:
            parts.append(f"DOB {person.date_of_birth}")
        parts.extend(f"{_LABELS.get(k, k)} {v}" for k, v in person.identifiers)
        lines.append(f"{number}. " + ", ".join(parts))
    lines += ["", "Regards,", data.requester.name]
    return {
        "from": data.requester.contact,
        "subject": subject.format(name=_display_name(principal)),
        "body": "\n".join(lines),
    }


def _api(data: RequestInput, rng: random.Random) -> dict[str, Any]:
    people = []
    for person in data.people:
        entry: dict[str, Any] = {"relationship": person.relationship, **_name_fields(person)}
        entry.update(sex=person.sex, date_of_birth=person.date_of_birth, province=person.province)
        entry["identifiers"] = [{"type": k, "value": v} for k, v in person.identifiers]
        people.append(entry)
    return {
        "source": data.requester.name,
        "reference": f"REF-{rng.randrange(10**6):06d}",
        "people": people,
        "notes": data.help_requested,
    }


def _eligibility_answers(data: RequestInput, received_at: dt.datetime) -> dict[str, Any]:
    """What the web form and partner systems ask about eligibility, answered at random.

    Drawn from a generator of its own, seeded by the request, so adding answers leaves every
    name, date and identifier the main generator produces unchanged.
    """
    principal = data.people[0] if data.people else None
    rng = random.Random(f"{received_at.isoformat()}|{principal!r}")
    answers: dict[str, Any] = {}
    for fact, weights in _facts_table().items():
        if fact == "vulnerabilities":
            answers[fact] = [v for v, percent in weights.items() if rng.random() * 100 < percent]
            continue
        value = rng.choices(list(weights), weights=list(weights.values()))[0]
        if value is not None:
            answers[fact] = value
    if data.current_country:
        answers["current_country"] = data.current_country
    return answers


@cache
def _facts_table() -> dict[str, dict[Any, float]]:
    text = resources.files("haven.intake.synthetic").joinpath("data/facts.yaml").read_text("utf-8")
    table: dict[str, dict[Any, float]] = yaml.safe_load(text)
    return table


def raw_input(
    data: RequestInput, received_at: dt.datetime, tables: Tables, rng: random.Random
) -> str:
    """JSON of what was submitted, in the shape of its channel."""
    if data.channel == "web_form":
        payload = _web_form(data, received_at)
    elif data.channel == "walk_in":
        payload = _walk_in(data, received_at)
    elif data.channel == "spreadsheet":
        payload = _spreadsheet(data, received_at, tables, rng)
    elif data.channel == "email":
        payload = _email(data, tables, rng)
    else:
        payload = _api(data, rng)
    if data.channel in ("web_form", "api"):
        payload["facts"] = _eligibility_answers(data, received_at)
    return json.dumps(payload, ensure_ascii=False)
