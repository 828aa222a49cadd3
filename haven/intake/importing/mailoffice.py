"""An office's or a sponsor's list of families: one request per family, or one for data entry.

Offices and sponsors forward lists ("please assist the following 12 families"). Read as
one household, such a list would make one family of strangers; so a message that lists
families is taken apart into one family each, written as

- numbered headers ("Family 1: …", "خانواده ۲:", "کورنۍ ۳"),
- labels naming each head of household ("Head of household: …", "سرپرست خانواده: …"),
- a numbered list under an office's opening ("the following families: 1. … 2. …"),
- a table with a family column ("Family | Name | Relation | DOB"),

each family read like any message (mailpeople), its first line as "Ahmad Safi, 1980, wife
Laila 1985, son Omid 2010". The words are rows of mail_patterns.csv. When the list cannot be
taken apart with confidence (it says 12 families and 10 are found, it is a blob of names,
it is too long), nothing is guessed: the message becomes one request for data entry whose
flag says why. Only the new text is read, or the message it forwards: quoted history is
not read again (mailquote).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from haven.intake.models import Relationship, Sex
from haven.intake.services import PersonInput

from . import fields
from .mailpatterns import fold, patterns
from .mailpeople import _Person, item_person, read_people
from .mailquote import forwarded_content, split_body

# A longer list is for a spreadsheet import or data entry, not for splitting unseen.
MAX_FAMILIES = 50
# Every family's request keeps the whole message: past this many bytes in all, the list is
# split by hand rather than copied (a list with megabytes of attachments).
MAX_COPIED_BYTES = 16 * 1024 * 1024
# How deep a chain of forwards is followed to find the list.
MAX_FORWARDS = 4
_NUMBERED = re.compile(r"^(\s*)\(?(\d{1,3})[.)\-]\s+(.*)$")
_SEGMENT = re.compile(r"\s*[;,،؛]\s*|\s+(?:and|و)\s+")
_CONNECTOR = re.compile(r"^(?:with|and|his|her|their|plus|همراه|با|و|سره)\s+", re.I)
_LINK = r"\s*(?:no\.?|number|nr\.?|#|شماره|نمبر)?\s*"


@dataclass(frozen=True)
class Family:
    """One family of the list: its people (principal first), what was uncertain, its lines."""

    position: int
    people: tuple[PersonInput, ...]
    flags: tuple[str, ...]
    excerpt: str
    current_location: str = ""


@dataclass(frozen=True)
class OfficeList:
    """A message that lists families: the families when it was split, else none; flags."""

    stated: int
    found: int
    families: tuple[Family, ...] = ()
    flags: tuple[str, ...] = ()


@dataclass
class _Block:
    head: str  # the first line's text after its label or number ("Ahmad Safi, 1980")
    lines: list[str] = field(default_factory=list)  # the rest, as written
    start: int = 0  # index of its first line in the text


def _words(kind: str) -> str:
    return patterns().regex[kind].pattern


def _header_regex() -> re.Pattern[str]:
    return re.compile(
        rf"^\s*(?:[-*•#]\s*)?{_words('family_header')}{_LINK}(\d{{1,3}})(?!\d)\s*[:：.)\-–]?\s*(.*)$"
    )


def _head_regex() -> re.Pattern[str]:
    return re.compile(
        rf"^\s*(?:\(?\d{{1,3}}[.)]\s*)?{_words('family_head')}\s*(?:\d{{1,3}})?\s*[:：\-–]\s*(.*)$"
    )


def stated_count(text: str) -> int:
    """The number of families the text says it lists ("12 families", "۱۲ خانواده"), or 0. A
    word between the number and the noun is allowed, unless it counts people ("3 family
    members" is not three families; nor "۳ عضو خانواده")."""
    members = patterns().meaning.get("member", {}) | patterns().meaning.get("count", {})
    numbers = _words("number")
    # On one line: a year ending one line is no count of the "د کورنۍ …" starting the next.
    regex = rf"(?<!\w)(\d{{1,4}}|{numbers})[^\S\n]+(?:([^\W\d_]+)[^\S\n]+)?{_words('families')}"
    for match in re.finditer(regex, fold(text)):
        between = match.group(2)
        if between and (between in members or fold(match.group(0)).endswith(" member")):
            continue
        raw = match.group(1)
        return int(raw) if raw.isdigit() else int(patterns().of("number", raw) or 0)
    return 0


def _by_headers(lines: list[str], regex: re.Pattern[str]) -> list[_Block]:
    """Blocks that each start at a line `regex` matches (its last group: the head's text)."""
    blocks: list[_Block] = []
    for i, line in enumerate(lines):
        match = regex.match(fold(line))
        if match:
            head_start = match.start(match.lastindex or 0)
            blocks.append(_Block(head=line[head_start:].strip(), start=i))
        elif blocks:
            blocks[-1].lines.append(line)
    return blocks


def _by_numbers(lines: list[str]) -> list[_Block]:
    """A numbered list of families: "1." "2." … in sequence at the list's own indentation;
    numbering that starts again inside a family is its members'."""
    blocks: list[_Block] = []
    indent = -1
    for i, line in enumerate(lines):
        match = _NUMBERED.match(fold(line))
        at_list_level = match is not None and (indent < 0 or len(match.group(1)) <= indent)
        if match and at_list_level and int(match.group(2)) == len(blocks) + 1:
            indent = len(match.group(1)) if indent < 0 else indent
            blocks.append(_Block(head=line[match.start(3) :].strip(), start=i))
            continue
        if blocks:
            blocks[-1].lines.append(line)
    return blocks


def _cells(line: str) -> list[str]:
    if "|" in line:
        return [c.strip() for c in line.strip().strip("|").split("|")]
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    return [c.strip() for c in re.split(r"\s{3,}", line.strip())]


def _family_column(cells: list[str]) -> int | None:
    """The column of a table header that says which family each row belongs to."""
    mapping = fields.detect_mapping(cells)
    if not set(mapping) & set(fields.NAME_FIELDS):
        return None
    own = re.compile(rf"{_words('family_header')}(?:\s*(?:no\.?|#|id|number|شماره))?")
    for i, (cell, name) in enumerate(zip(cells, mapping, strict=True)):
        if name == "household" or own.fullmatch(fold(cell).strip()):
            return i
    return None


def _by_table(lines: list[str]) -> list[_Block]:
    """A table with a family column: one block per family, each the header and its rows."""
    for i, line in enumerate(lines):
        cells = _cells(line)
        column = _family_column(cells) if len(cells) >= 3 else None
        if column is None:
            continue
        groups: dict[str, _Block] = {}
        key = ""
        for j in range(i + 1, len(lines)):
            row = _cells(lines[j])
            if re.fullmatch(r"[\s|:+\-=]*", lines[j]) and lines[j].strip():
                continue  # a rule under the header
            if len(row) < 2 or not any(row):
                break
            # A blank family cell continues the family above it.
            key = (fold(row[column]).strip() if column < len(row) else "") or key
            block = groups.setdefault(key, _Block(head="", lines=[line], start=j))
            block.lines.append(lines[j])
        return list(groups.values())
    return []


def _segments(lines: list[str], listed: bool) -> tuple[str, list[_Block]]:
    """(the text before the families, the families) by the first way of writing that finds
    any; a numbered list counts only under an office's opening (`listed`)."""
    for found in (
        _by_table(lines),
        _by_headers(lines, _header_regex()),
        _by_headers(lines, _head_regex()),
        _by_numbers(lines) if listed else [],
    ):
        if found:
            return "\n".join(lines[: found[0].start]), found
    return "\n".join(lines), []


def _blanked(text: str, regex: re.Pattern[str]) -> str:
    """`text` with what `regex` finds in its folded form turned to spaces (same length)."""
    for match in regex.finditer(fold(text)):
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return text


_HEAD_NOTE = re.compile(r"\((?:\s|head|principal|applicant|self|سرپرست)*\)")


def _head_people(head: str) -> list[_Person]:
    """The people of a family's first line: "Ahmad Safi (head of household), 1980, wife Laila
    1985, sons Omid 2010 and Farid 2012". A part naming a relative starts that person, a
    named part after a plural ("sons") is another of them, and a part with only a date or a
    number belongs to the person before it."""
    table = patterns().regex
    text = _blanked(_blanked(head, table["family_head"]), _HEAD_NOTE)
    people: list[_Person] = []
    plural = ""  # the relationship a plural ("sons", "children") gives the names after it
    for raw in _SEGMENT.split(text):
        part = _CONNECTOR.sub("", raw.strip().replace(":", " ")).strip()
        if not part:
            continue
        folded = fold(part)
        counted = table["count"].search(folded)
        # "wife Laila", "پسر: امید": a relative's word first names the relation (in Dari
        # "پسر" is also "son of", which it is not at the start of a part).
        lead = re.match(rf"\s*{table['relation'].pattern}\s*[:：\-]?\s*", folded)
        relation, sex = "", ""
        if lead and people:
            relation, _colon, sex = (
                patterns().of("relation", lead.group(0).strip(" :：-")).partition(":")
            )
            part, plural = part[lead.end() :], ""
        elif table["relation"].search(folded):
            plural = ""
        elif counted and patterns().of("count", counted.group(0)) == "child":
            plural = Relationship.CHILD
            part = (part[: counted.start()] + " " + part[counted.end() :]).strip()
        default = (relation or plural or Relationship.OTHER) if people else Relationship.PRINCIPAL
        person = item_person(part, default)
        if person is None:
            continue
        if relation:
            person.relationship = relation
            person.sex = person.sex or {"m": Sex.MALE, "f": Sex.FEMALE}.get(sex, "")
        if people and not person.named():
            _merge(people[-1], person)
            continue
        if people and person.relationship == Relationship.PRINCIPAL:
            person.relationship = Relationship.OTHER
        people.append(person)
    return people


def _merge(person: _Person, extra: _Person) -> None:
    person.dob = person.dob or extra.dob
    person.father_name = person.father_name or extra.father_name
    person.sex = person.sex or extra.sex
    person.identifiers.extend(extra.identifiers)


# A sentence's end: after a number or a word of four letters or more (not "Mr." or "Dr.").
_HEAD_END = re.compile(r"(?:(?<=\d)|(?<=[^\W\d_]{4}))[.!?؟](?=\s|$)")


def _split_head(head: str) -> tuple[str, str]:
    """(the family's first sentence, the rest) of its first line."""
    end = _HEAD_END.search(head)
    return (head[: end.start()], head[end.end() :].strip()) if end else (head, "")


def _family(position: int, block: _Block) -> Family:
    head, lines = block.head, list(block.lines)
    if not head:
        # "Family 2:" then "Head of household: …": the label names the principal.
        regex = _head_regex()
        at = next((i for i, line in enumerate(lines) if regex.match(fold(line))), None)
        if at is not None:
            match = regex.match(fold(lines[at]))
            assert match is not None
            head = lines.pop(at)[match.start(1) :].strip()
    # "Wali Wardak, 1977. He has 3 children.": the list of people ends with the first
    # sentence; what follows is read as any text is (a count of children named nowhere).
    listed, said = _split_head(head)
    start = _head_people(listed) if listed else []
    reading = read_people("\n".join([said, *lines] if said else lines), start=start)
    flags = list(reading.flags)
    if not reading.people:
        flags.append("family_unread")
    excerpt = "\n".join([block.head, *block.lines] if block.head else block.lines).strip()
    return Family(
        position=position,
        people=tuple(reading.people),
        flags=tuple(dict.fromkeys(flags)),
        excerpt=excerpt[:5000],
        current_location=reading.current_location,
    )


def _decide(stated: int, blocks: list[_Block], raw_size: int) -> OfficeList:
    found = len(blocks)
    if found > MAX_FAMILIES:
        return OfficeList(stated, found, flags=(f"family_list_too_long:{found}",))
    if stated and stated != found:
        return OfficeList(stated, found, flags=(f"family_list_count:{stated}:{found}",))
    if found < 2:
        return OfficeList(
            stated, found, flags=(f"family_list:{stated}" if stated else "family_list",)
        )
    if raw_size * found > MAX_COPIED_BYTES:
        return OfficeList(stated, found, flags=(f"family_list_too_large:{found}",))
    families = tuple(_family(i, block) for i, block in enumerate(blocks, start=1))
    return OfficeList(stated, found, families=families, flags=(f"family_list_split:{found}",))


def _read(subject: str, text: str, stated_before: int, raw_size: int) -> OfficeList | None:
    lines = text.splitlines()[:2000]
    listed = bool(patterns().regex["family_list"].search(fold(text)))
    prelude, blocks = _segments(lines, listed)
    stated = stated_count(subject + "\n" + prelude) or stated_before
    if len(blocks) < 2 and not listed and stated < 2:
        return None  # no list; or one "Family 1:", one head of household: one family
    return _decide(stated, blocks, raw_size)


def office_list(subject: str, body: str, *, raw_size: int = 0) -> OfficeList | None:
    """The families `body` lists (None when it is not a list of families). The new text is
    read first, then the message it forwards (and what that forwards): an office's cover
    note ("please assist the 12 families below") gives its count to the list it forwards."""
    forwarded_subject = bool(re.match(r"^\s*(?:fw|fwd|tr|wg)\s*:", subject or "", re.I))
    parts = split_body(body, forwarded_subject=forwarded_subject)
    stated = 0
    announced: OfficeList | None = None  # a cover note's list without its families
    for _depth in range(MAX_FORWARDS):
        found = _read(subject, parts.new, stated, raw_size)
        if found is not None and (found.found or not parts.forwarded):
            return found
        announced = announced or found
        if not parts.forwarded:
            break
        stated = stated or (found.stated if found else 0)
        subject, inner = forwarded_content(parts.forwarded)
        parts = split_body(inner, forwarded_subject=True)
    return announced
