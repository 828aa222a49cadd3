"""A case event's line, written in the reader's language when it is read.

Events store what happened as a message key and its values (`CaseEvent.data`), not as
English text: the history reads the same in English, Dari and Pashto, and codes
(statuses, pathways, channels) are shown as their labels. Events stored before this
(or without data) show their stored description.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from haven.intake.models import Channel, Request

from .templatetags.case_labels import pathway_label

MESSAGES: dict[str, str | Promise] = {
    "opened": _("Opened from request %(receipt)s (%(channel)s)"),
    "request_linked": _("Request %(receipt)s (%(channel)s) names people already in this case"),
    "status_changed": _("%(from_status)s → %(to_status)s"),
    "merged_into": _("Merged into %(target)s and closed (was %(from_status)s): %(counts)s"),
    "merged_from": _("%(source)s merged into this case: %(counts)s"),
    "merge_undone_source": _(
        "The merge into %(target)s was undone: this case is open again as %(to_status)s."
    ),
    "merge_undone_target": _(
        "The merge of %(source)s into this case was undone: %(counts)s went back to %(source)s."
    ),
    # The rule's id is a guidance author's code: the triage panel shows it, as code.
    "triaged": _("%(pathway)s (guidance %(guidance)s)"),
    "retriaged": _("%(from_pathway)s → %(pathway)s (guidance %(guidance)s)"),
    # Who and which team: names, the same in every language; "—" for nobody.
    "assigned": _("%(from_who)s → %(to_who)s"),
    "assigned_taken": _("Taken from the queue by %(to_who)s"),
    "assigned_balanced": _("%(from_who)s → %(to_who)s, balancing the team's caseload"),
    "document_added": _("%(document_kind)s (%(document_source)s): %(document_scan)s"),
    "document_infected": _(
        "Malware found in a document (%(document_kind)s): %(signature)s. It stays quarantined."
    ),
    "document_released": _("A document (%(document_kind)s) passed the malware scan."),
}


def _status(code: str) -> str:
    from .models import Case

    return str(dict(Case.Status.choices).get(code, code))


def _channel(code: str) -> str:
    return str(dict(Channel.choices).get(code, code))


def _document_label(choices_of: str) -> Callable[[str], str]:
    def label(code: str) -> str:
        from .models import Document

        choices = getattr(Document, choices_of).choices
        return str(dict(choices).get(code, code))

    return label


def _outcome(code: str) -> str:
    return str(dict(Request.Outcome.choices).get(code, code))


# A value whose key ends so is a code, shown as its label.
_LABELS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("status", _status),
    ("pathway", pathway_label),
    ("channel", _channel),
    ("document_kind", _document_label("Kind")),
    ("document_source", _document_label("Source")),
    ("document_scan", _document_label("Scan")),
)


def merge_counts(*, members: int, requests: int, notes: int, documents: int) -> str:
    """'2 members added, 1 request linked, …' in the reader's language."""
    return ", ".join(
        (
            ngettext("%(n)d member added", "%(n)d members added", members) % {"n": members},
            ngettext("%(n)d request linked", "%(n)d requests linked", requests) % {"n": requests},
            ngettext("%(n)d note moved", "%(n)d notes moved", notes) % {"n": notes},
            ngettext("%(n)d document moved", "%(n)d documents moved", documents) % {"n": documents},
        )
    )


def _value(key: str, value: Any) -> Any:
    for suffix, label in _LABELS:
        if key.endswith(suffix) and isinstance(value, str):
            return label(value) if value else "—"
    return value


# Lines about people: their ids are stored, their names looked up when read (a name is
# personal data and is kept once, on the person).
PEOPLE_LINES: dict[str, str | Promise] = {
    "repointed": _("%(from)s is now %(to)s"),
    "folded": _("%(from)s is now %(to)s, already a member"),
    "added": _("%(to)s added: a record of this case moved to them from %(from)s"),
    "own_again": _("%(from)s is a member of their own again"),
}
MESSAGES.update(
    {
        "people_changed": "%(lines)s",
        "people_unmerged": _("Merge of %(source)s into %(target)s undone: %(lines)s"),
        "person_restored": _("%(person)s added: restored in %(case)s, merged into this case"),
        "possible_duplicate": _("Possible duplicate case: %(cases)s"),
    }
)


# Tasks: a typed title is the caseworker's words, kept (encrypted) in the description; the
# line shows it, or a checklist item's label in the reader's language.
MESSAGES.update(
    {
        "note_added_restricted": _("A restricted note (caseworkers and supervisors only)"),
        "task_added": _("%(title)s"),
        "task_done": _("%(title)s"),
        "task_cancelled": _("%(title)s"),
        "checklist_changed": "%(checklist)s",
    }
)
TASK_MESSAGES = {"task_added", "task_done", "task_cancelled"}


def _evidence(code: str) -> str:
    from . import registry

    return registry.evidence_label(code) or code


def _task_values(data: Mapping[str, Any], fallback: str) -> dict[str, Any]:
    if data["message"] == "checklist_changed":
        parts = [
            str(label) % {"items": ", ".join(_evidence(str(c)) for c in data.get(key) or [])}
            for key, label in (
                ("added", _("Still needed: %(items)s")),
                ("arrived", _("Arrived: %(items)s")),
                ("dropped", _("No longer needed: %(items)s")),
            )
            if data.get(key)
        ]
        return {"checklist": "; ".join(parts)}
    title = _evidence(str(data["evidence"])) if data.get("evidence") else fallback
    if data.get("due"):
        title = str(_("%(title)s (due %(due)s)") % {"title": title, "due": data["due"]})
    return {"title": title}


# What staff did to a household (cases.services_members, resolution's record edits, data
# entry): "people" holds person ids, "case" the other case's reference.
MESSAGES.update(
    {
        "members_added": _("Added to the household: %(people)s"),
        "members_removed": _("Removed from the household: %(people)s"),
        "members_moved_out": _("Moved to %(case)s: %(people)s"),
        "members_moved_in": _("Moved here from %(case)s: %(people)s"),
        "household_split_out": _("Split: %(people)s went to the new case %(case)s"),
        "household_split_in": _("Opened by splitting %(case)s: %(people)s"),
        "principal_marked": _("%(people)s is now the principal"),
        "person_edited": _("Record of %(people)s corrected (version %(version)s): %(fields)s"),
        "data_entered": _("Request %(receipt)s entered by hand: %(people)s"),
    }
)
HOUSEHOLD_MESSAGES = {
    "members_added",
    "members_removed",
    "members_moved_out",
    "members_moved_in",
    "household_split_out",
    "household_split_in",
    "principal_marked",
    "person_edited",
    "data_entered",
}

PEOPLE_MESSAGES = {
    "people_changed",
    "people_unmerged",
    "person_restored",
    "possible_duplicate",
    *HOUSEHOLD_MESSAGES,
}

# The fields a record correction names, as staff read them.
FIELD_LABELS: dict[str, str | Promise] = {
    "names": _("names"),
    "date_of_birth": _("date of birth"),
    "sex": _("sex"),
    "identifiers": _("identifiers"),
}


def _person(person_id: Any, names: Mapping[int, str]) -> str:
    name = names.get(int(person_id), "") if str(person_id).isdigit() else ""
    if name:
        return str(_("%(name)s (person %(id)s)") % {"name": name, "id": person_id})
    return str(_("person %(id)s") % {"id": person_id})


def _people_values(data: Mapping[str, Any], names: Mapping[int, str]) -> dict[str, Any]:
    """The values of a message about people, their names filled in, in the reader's language."""
    values: dict[str, Any] = {}
    if "lines" in data:
        lines = [
            str(PEOPLE_LINES[line["t"]])
            % {k: _person(line.get(k, ""), names) for k in ("from", "to")}
            for line in data["lines"]
            if line.get("t") in PEOPLE_LINES
        ]
        values["lines"] = "; ".join(dict.fromkeys(lines))
    if data.get("message") == "people_unmerged":
        values["source"] = _person(data.get("source", ""), names)
        values["target"] = _person(data.get("target", ""), names)
    if data.get("message") == "person_restored":
        values["person"] = _person(data.get("person", ""), names)
    if isinstance(data.get("people"), list):
        values["people"] = ", ".join(_person(p, names) for p in data["people"])
    if isinstance(data.get("fields"), list):
        values["fields"] = ", ".join(str(FIELD_LABELS.get(f, f)) for f in data["fields"])
    if "cases" in data:
        values["cases"] = "; ".join(
            str(_("%(case)s, which also has %(people)s"))
            % {"case": c["case"], "people": ", ".join(_person(p, names) for p in c["people"])}
            for c in data["cases"]
        )
    return values


def person_ids(data: Mapping[str, Any] | None) -> set[int]:
    """The people an event's data names, to look their names up in one query."""
    if not data:
        return set()
    ids = {line.get(k) for line in data.get("lines", []) for k in ("from", "to")}
    ids |= {p for c in data.get("cases", []) for p in c.get("people", [])}
    if isinstance(data.get("people"), list):
        ids |= set(data["people"])
    if data.get("message") in {"people_unmerged", "person_restored"}:
        ids |= {data.get("source"), data.get("target"), data.get("person")}
    return {int(i) for i in ids if isinstance(i, int)}


def render(
    data: Mapping[str, Any] | None, fallback: str, names: Mapping[int, str] | None = None
) -> str:
    """The event's line from its data, or `fallback` (the stored description)."""
    if not data or data.get("message") not in MESSAGES:
        return fallback
    values = {
        k: _value(k, v)
        for k, v in data.items()
        if k not in {"message", "lines", "cases", "people", "fields"}
    }
    if data["message"] in PEOPLE_MESSAGES:
        values.update(_people_values(data, names or {}))
    if data["message"] in TASK_MESSAGES or data["message"] == "checklist_changed":
        values = _task_values(data, fallback)
    for side in ("from", "to"):
        # A closed case's status reads with its outcome: "Closed (Duplicate)".
        outcome = data.get(f"{side}_outcome")
        if outcome and f"{side}_status" in values:
            values[f"{side}_status"] = f"{values[f'{side}_status']} ({_outcome(str(outcome))})"
    if "counts" in data and isinstance(data["counts"], Mapping):
        values["counts"] = merge_counts(**{k: int(v) for k, v in data["counts"].items()})
    try:
        text = str(MESSAGES[data["message"]]) % values
    except (KeyError, TypeError, ValueError):
        return fallback
    reason = data.get("reason")
    if reason:
        text += " " + str(_("Reason: %(reason)s") % {"reason": reason})
    return text
