"""Everyone a message names, with how they are related: from labelled blocks, family lists,
simple tables and plain sentences, in English, Dari and Pashto.

The words come from mail_patterns.csv and headers.csv (data, not code). What this reads
is what the writer said; what it cannot be sure of it says in a flag for data entry
("3 children" and no names: `members_unnamed:3`), and never makes up:

- labelled lines ("Name: …", "نام پدر: …", "Date of birth: …"): a repeated name label or a
  member header ("Family member 2:", "عضو دوم خانواده", "د کورنۍ دریم غړی", "Wife: Laila,
  1990"; mailmembers) starts the next person;
- bulleted or numbered lines ("- Laila, wife, 1990", "2) Omid (2012)"): one person each;
- a table whose header row names at least two fields ("Name | Relation | DOB");
- sentences: "My name is …, daughter of …, born …", "my wife Laila (1990)",
  "I have 2 family members with me: Laila (1990) and Omid (2012)", "3 children";
- identifiers anywhere (tazkira, passport, SIV case, phone), kept with the person whose
  sentence or block holds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from haven.intake.models import Relationship, Sex
from haven.intake.services import PersonInput

from . import fields
from .mailmembers import Header, member_header, numbering_unclear, relation_label
from .mailpatterns import fold, patterns
from .mailtable import table_rows

# More than this in one message is not a household but a list of them: data entry.
MAX_PEOPLE = 40
_NUMERIC_DATE = r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}"
_YEAR = r"(?:1[34]\d\d|19\d\d|20[0-4]\d)"
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦‣–]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+(.*)$")
_LABEL = re.compile(r"^\s*([^:：\n]{2,40}?)\s*(?:\d{1,3})?\s*[:：]\s*(.*?)\s*$")
_SENTENCE_END = re.compile(r"(?<!\d)[.!?؟](?!\d)|\n")
_ITEM_SPLIT = re.compile(r"\s*(?:,|;|،|؛|\band\b|&|\s+و\s+)\s*")
_NAME_STOP = re.compile(r"[,;:()\[\]،؛\n]|\s-\s|\b(?:and|from|with|who|born)\b|\s+و\s+")
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*$")
_AFTER_ID = (
    r"(?:\s+(?:card|certificate|کارت))?(?:\s*(?:number|no\.?|nr|#|num|نمبر|شماره)\s*)?"
    r"(?:\s*(?:is|are|ام|من)(?!\w))?\s*[:：\-]?\s*"
)
_ID_VALUE = re.compile(r"([A-Za-z]{0,3}[\s\-]?\d[\d \-/]{3,24}\d|[A-Za-z]{1,3}\d{4,12})")
_PASSPORT = re.compile(r"(?<![\w])[OPop]\d{8}(?!\w)")
_SIV = re.compile(r"(?<![\w])KBL[\s\-]?\d{4,12}(?!\w)", re.I)
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)?(?:93|92|98)?[\s\-]?0?7\d{2}[\s\-]?\d{3}[\s\-]?\d{3,4}(?!\d)"
)


@dataclass
class _Person:
    relationship: str = ""
    full_name: str = ""
    father_name: str = ""
    family_name: str = ""
    given_name: str = ""
    sex: str = ""
    dob: str = ""
    province: str = ""
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    # The one writing: kept as the principal though the text never names them.
    writer: bool = False
    # Started by a member header ("عضو دوم خانواده"): one of a list, never the writer.
    listed: bool = False

    def named(self) -> bool:
        return bool(self.full_name or self.given_name)

    def empty(self) -> bool:
        return not (self.named() or self.dob or self.identifiers or self.father_name)

    def as_input(self) -> PersonInput:
        return PersonInput(
            relationship=self.relationship or Relationship.OTHER,
            full_name=self.full_name[:300],
            given_name=self.given_name[:150],
            family_name=self.family_name[:150],
            father_name=self.father_name[:150],
            sex=self.sex,
            date_of_birth=self.dob[:50],
            province=self.province[:100],
            identifiers=tuple(dict.fromkeys(self.identifiers)),
        )


@dataclass
class Reading:
    """What one text says about people: who, and what a person must check."""

    people: list[PersonInput]
    flags: list[str] = field(default_factory=list)
    current_location: str = ""


def _relation(meaning: str) -> tuple[str, str]:
    relationship, _colon, sex = meaning.partition(":")
    return relationship, {"m": Sex.MALE, "f": Sex.FEMALE}.get(sex, "")


def date_in(text: str) -> tuple[str, tuple[int, int] | None]:
    """The first date of birth written in `text`, in a form normalize reads, and where it is."""
    folded = fold(text)
    months = patterns().regex["month"].pattern
    for regex, order in (
        (rf"(?<!\d)(\d{{1,2}})\s*({months})\s*,?\s*(\d{{4}})(?!\d)", "dmy"),
        (rf"({months})\s+(\d{{1,2}})\s*,?\s*(\d{{4}})(?!\d)", "mdy"),
    ):
        match = re.search(regex, folded)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            month = patterns().of("month", parts["m"])
            day, year = int(parts["d"]), parts["y"]
            if month.startswith("sh"):
                return f"{year}/{int(month[2:]):02d}/{day:02d}", match.span()
            return f"{year}-{int(month):02d}-{day:02d}", match.span()
    match = re.search(rf"(?<![\d/])({_NUMERIC_DATE}|{_YEAR})(?![\d/])", folded)
    if match:
        return match.group(1), match.span()
    return "", None


def _cut(text: str, span: tuple[int, int] | None) -> str:
    return text if span is None else text[: span[0]] + " " + text[span[1] :]


def clean_name(text: str, *, prose: bool = False) -> str:
    """A name from a fragment ("Laila (wife)", "Mr. Omid Rahimi,"), or "" when it is none.
    In prose the name ends at the first word that cannot be part of one ("… Sayed Ahmad است")."""
    stop = patterns().meaning.get("stopword", {})
    words: list[str] = []
    for raw in re.split(r"\s+", re.sub(r"[()\[\]{}\"“”«»,;:،؛!?؟]", " ", text)):
        word = raw.strip(".-'’")
        if not word:
            continue
        if fold(word) in (
            "mr",
            "mrs",
            "ms",
            "miss",
            "dr",
            "eng",
            "engineer",
            "آقای",
            "خانم",
            "محترم",
        ):
            continue
        if not _NAME_WORD.match(word) or fold(word) in stop:
            if prose and words:
                break
            return ""
        if prose and words and word[0].isascii() and word[0].islower():
            break
        words.append(word)
    if not 1 <= len(words) <= 6:
        return ""
    # Latin names are written capitalised; a lower-case word is prose ("i am writing").
    if any(w[0].isascii() and w[0].islower() for w in words):
        return ""
    return " ".join(words)


def _identifiers(text: str) -> tuple[list[tuple[str, str]], str]:
    """(kind, value) pairs written in a sentence, and the sentence without them."""
    found: list[tuple[str, str]] = []
    folded = fold(text)
    for match in patterns().regex["id"].finditer(folded):
        kind = patterns().of("id", match.group(0))
        tail = re.match(_AFTER_ID + _ID_VALUE.pattern, folded[match.end() :])
        if not tail:
            continue
        start, end = match.end() + tail.start(1), match.end() + tail.end(1)
        value = text[start:end].strip()
        digits = re.sub(r"\D", "", value)
        if kind == "paper_tazkira" and len(digits) == 13 and "/" not in value:
            kind = "e_tazkira"
        found.append((kind, value))
        text = text[:start] + " " * (end - start) + text[end:]
        folded = fold(text)
    for kind, regex in (("passport", _PASSPORT), ("siv_case", _SIV), ("phone", _PHONE)):
        for match in regex.finditer(fold(text)):
            found.append((kind, text[match.start() : match.end()].strip()))
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return found, text


def _words_after(text: str, start: int) -> str:
    """The name that starts at `start`: up to the next comma, bracket, "and", "born" ...
    or relation phrase."""
    rest = text[start:].lstrip(" ,:-–is").lstrip()
    rest = re.sub(r"^(?:is|named|called|نام|به نام)\s+", "", rest, flags=re.I)
    cut = len(rest)
    for regex in (_NAME_STOP, patterns().regex["child_of"], patterns().regex["born"]):
        match = regex.search(fold(rest))
        if match:
            cut = min(cut, match.start())
    date = re.search(rf"\d|{patterns().regex['month'].pattern}", fold(rest))
    if date:
        cut = min(cut, date.start())
    return rest[:cut]


def _blank(text: str, regex: re.Pattern[str]) -> str:
    """`text` with what `regex` finds in its folded form blanked out (case kept elsewhere)."""
    for match in regex.finditer(fold(text)):
        text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    return text


def item_person(text: str, default: str = "") -> _Person | None:
    """One person from a list item or a labelled value: "Laila, wife, 1990", "Omid (2012)",
    "Sayed Ahmad son of Gul 1365/04/12"."""
    person = _Person(relationship=default)
    person.identifiers, text = _identifiers(text)
    table = patterns().regex
    child_of = table["child_of"].search(fold(text))
    father = clean_name(_words_after(text, child_of.end())) if child_of else ""
    # "Sayed Ahmad son of Gul"; but in "مریم، دختر، ۱۳۹۰" no name follows: "دختر" is the
    # relation (daughter), not "daughter of".
    if child_of and father:
        person.sex = _relation("x:" + patterns().of("child_of", child_of.group(0)))[1]
        person.father_name = father
        text = text[: child_of.start()]
    dob, span = date_in(text)
    person.dob = dob
    text = _cut(text, span)
    relation = table["relation"].search(fold(text))
    if relation:
        relationship, sex = _relation(patterns().of("relation", relation.group(0)))
        person.relationship = relationship
        person.sex = person.sex or sex
        text = text[: relation.start()] + " " + text[relation.end() :]
    text = _blank(text, table["born"])
    text = re.sub(
        r"(?i)\b(?:age|aged)\b\s*\d*|\b\d+\s*(?:years?|yrs?)\s*(?:old)?\b|ساله", " ", text
    )
    person.full_name = clean_name(text)
    return None if person.empty() else person


@dataclass
class _Reader:
    people: list[_Person] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    location: str = ""
    current: _Person | None = None
    numbers: list[int] = field(default_factory=list)  # the member headers' numbers, in order
    before_list: bool = False  # whether someone was read before the first member header

    def start(self, person: _Person | None = None) -> _Person:
        self.current = person or _Person()
        self.people.append(self.current)
        return self.current

    def block(self) -> _Person:
        return self.current if self.current is not None else self.start()

    # Member headers and labelled lines -------------------------------------------------
    def member(self, header: Header) -> None:
        """A member header ("عضو دوم خانواده: …", "د کورنۍ دریم غړی") starts the next person;
        who they are is on its line or in the block's lines after it."""
        if not self.numbers:
            self.before_list = any(not p.empty() for p in self.people)
        if header.number is not None:
            self.numbers.append(header.number)
        person = (item_person(header.value) if header.value else None) or _Person()
        person.listed = True
        self.start(person)

    def block_says(self, line: str) -> bool:
        """Whether `line`, in a named member's block and not a label, says only who they are
        ("او همسرم است", "دا زما ښځه ده", "wife"): then it gives their relationship. A line
        naming two relations, or "daughter of …", says nothing sure."""
        person, table = self.current, patterns()
        if person is None or not person.listed or person.relationship or not person.named():
            return False
        folded = fold(line)
        if _LABEL.match(line) or len(folded.split()) > 8 or table.regex["child_of"].search(folded):
            return False
        said = {
            table.of(kind, match.group(0))
            for kind in ("mine", "relation")
            for match in table.regex[kind].finditer(folded)
        }
        if len(said) != 1:
            return False
        person.relationship, sex = _relation(said.pop())
        person.sex = person.sex or sex
        person.dob = person.dob or date_in(line)[0]
        return True

    def labelled(self, label: str, value: str) -> bool:
        """Whether the line was a label this reads ("Name:", "Wife:", "پسر اول:")."""
        name = fields.recognise(label)
        relative = relation_label(label) if name in (None, fields.NOTES, fields.IGNORE) else None
        if relative is not None:
            relationship, sex = _relation(relative[0])
            person = item_person(value, relationship) or _Person(relationship=relationship)
            person.relationship, person.sex = relationship, person.sex or sex
            self.start(person)
            return True
        if name is None or name in (fields.NOTES, fields.IGNORE, "help_requested") or not value:
            return False
        self._field(name, value)
        return True

    def _field(self, name: str, value: str) -> None:
        person = self.block()
        if name in ("full_name", "given_name") and (person.full_name or person.given_name):
            person = self.start()
        if name == "full_name":
            inner = item_person(value)
            person.full_name = inner.full_name if inner and inner.full_name else value[:300]
            if inner:
                person.dob = person.dob or inner.dob
                if inner.relationship and not person.relationship:
                    person.relationship, person.sex = inner.relationship, inner.sex
        elif name in ("given_name", "family_name", "father_name", "province"):
            setattr(person, name, value[:150])
        elif name == "date_of_birth":
            person.dob = date_in(value)[0] or value
        elif name == "sex":
            person.sex = _sex(value)
        elif name == "relationship":
            table = patterns()
            relation = table.regex["relation"].search(fold(value))
            kind = "relation" if relation else "relation_value"
            relation = relation or table.regex["relation_value"].search(fold(value))
            principal = table.regex["principal"].search(fold(value))
            if relation:
                person.relationship, sex = _relation(table.of(kind, relation.group(0)))
                person.sex = person.sex or sex
            elif principal:
                person.relationship = Relationship.PRINCIPAL
        elif name in fields.IDENTIFIER_FIELDS:
            person.identifiers.append((fields.IDENTIFIER_FIELDS[name], value[:100]))
        elif name == "current_location":
            self.location = self.location or value[:200]

    # Sentences -------------------------------------------------------------------------
    def sentence(self, text: str) -> None:
        table = patterns().regex
        folded = fold(text)
        self._count(folded)
        ids, text = _identifiers(text)
        folded = fold(text)
        target: _Person | None = None
        intro = table["self"].search(folded)
        if intro:
            name = clean_name(_words_after(text, intro.end()), prose=True)
            if name:
                target = self._principal()
                target.full_name = target.full_name or name
                self._details(target, text[intro.end() :])
        for mine in table["mine"].finditer(folded):
            relationship, sex = _relation(patterns().of("mine", mine.group(0)))
            rest = text[mine.end() :]
            name = clean_name(_words_after(text, mine.end()), prose=True)
            if not name:
                continue
            # "my wife …": the writer is the principal, named or not (then data entry).
            self._principal(writer=True)
            person = _Person(relationship=relationship, sex=sex, full_name=name)
            following = table["mine"].search(fold(rest), len(name))
            self._details(person, rest[: following.start() if following else len(rest)])
            self.people.append(person)
            target = target or person
        if ":" in text or "：" in text:
            self._inline_list(text)
        if ids:
            (target or self._principal()).identifiers.extend(ids)

    def _details(self, person: _Person, rest: str) -> None:
        table = patterns().regex
        folded = fold(rest)
        child_of = table["child_of"].search(folded)
        if child_of and not person.father_name:
            person.father_name = clean_name(_words_after(rest, child_of.end()), prose=True)
            sex = patterns().of("child_of", child_of.group(0))
            person.sex = person.sex or _relation("x:" + sex)[1]
        born = table["born"].search(folded)
        window = rest[born.end() : born.end() + 40] if born else rest[:60]
        dob = date_in(window)[0]
        if dob and not person.dob:
            person.dob = dob

    def _inline_list(self, text: str) -> None:
        """ "… with me: Laila (1990) and Omid (2012)": the items after the colon."""
        head, _colon, tail = (
            re.split(r"([:：])", text, maxsplit=1) if re.search(r"[:：]", text) else (text, "", "")
        )
        folded = fold(head)
        counted = patterns().regex["count"].search(folded)
        if not counted and not re.search(r"with me|with us|همراه|همرای|سره", folded):
            return
        default = patterns().of("count", counted.group(0)) if counted else "other"
        self._principal(writer=True)
        default = Relationship.CHILD if default == "child" else Relationship.OTHER
        for part in re.split(r"\s*(?:,|;|،|؛|\band\b|&|\s+و\s+)\s*(?![^()]*\))", tail):
            person = item_person(part, default)
            if person and person.named():
                self.people.append(person)

    def _count(self, folded: str) -> None:
        numbers = patterns().regex["number"].pattern
        for match in re.finditer(
            rf"(?<!\w)(\d{{1,3}}|{numbers})\s+(?:[^\W\d_]+\s+)?({patterns().regex['count'].pattern})",
            folded,
        ):
            raw, phrase = match.group(1), match.group(2)
            count = int(raw) if raw.isdigit() else int(patterns().of("number", raw) or 0)
            kind = patterns().of("count", phrase)
            self.counts[kind] = max(self.counts.get(kind, 0), count)

    def _principal(self, *, writer: bool = False) -> _Person:
        """The principal; with `writer`, the one writing ("my wife", "with me"), kept even
        when nothing names them."""
        for person in self.people:
            if person.relationship == Relationship.PRINCIPAL:
                person.writer = person.writer or writer
                return person
        first = next((p for p in self.people if not p.relationship and not p.listed), None)
        if first is None or writer:
            first = _Person(writer=writer)
            self.people.insert(0, first)
        first.relationship = Relationship.PRINCIPAL
        return first


def _sex(value: str) -> str:
    folded = fold(value).strip()
    if folded in ("m", "male", "man", "boy", "مرد", "ذکور", "نارینه"):
        return Sex.MALE
    if folded in ("f", "female", "woman", "girl", "زن", "اناث", "مونث", "ښځینه"):
        return Sex.FEMALE
    return ""


def _table(lines: list[str], reader: _Reader) -> set[int]:
    """A simple table's rows (mailtable), one person each. Returns the lines it used."""
    rows, used = table_rows(lines)
    for row in rows:
        person = reader.start()
        for name, value in row:
            reader.current = person
            if name == "full_name":
                person.full_name = value[:300]
            elif name == "given_name":
                person.given_name = value[:150]
            else:
                reader._field(name, value)
    reader.current = None
    return used


def read_people(
    text: str,
    *,
    subject_name: str = "",
    subject_dob: str = "",
    start: list[_Person] | None = None,
) -> Reading:
    """Everyone `text` names (the new text of one message, or one family of an office's list:
    mailoffice), principal first. The subject's NAME DATE-OF-BIRTH (the applicants'
    convention) names a principal the text leaves unnamed; `start` are people already read
    (a family's first line), the first of them the one the next labelled lines describe."""
    hint = (
        _Person(relationship=Relationship.PRINCIPAL, full_name=subject_name, dob=subject_dob)
        if subject_name
        else None
    )
    reader = _Reader()
    if start:
        reader.people.extend(start)
        reader.current = start[0]
    lines = text.splitlines()[:2000]
    used = _table(lines, reader)
    prose: list[str] = []
    for i, line in enumerate(lines):
        if i in used or not line.strip():
            if prose and prose[-1] != "\n":
                prose.append("\n")
            continue
        header = member_header(line, listing=bool(reader.numbers))
        if header is not None:
            reader.member(header)
            continue
        if reader.block_says(line):
            continue
        bullet = _BULLET.match(line)
        label = _LABEL.match(bullet.group(1) if bullet else line)
        if label and reader.labelled(label.group(1), label.group(2)):
            continue
        if bullet:
            person = item_person(bullet.group(1))
            if person and person.named():
                reader.start(person)
                reader.current = None
                continue
        prose.append(line)
    for sentence in _SENTENCE_END.split(" ".join(prose)):
        if sentence.strip():
            reader.sentence(sentence)
    return _reading(reader, hint)


def _reading(reader: _Reader, hint: _Person | None) -> Reading:
    people = [p for p in reader.people if p.writer or not p.empty()]
    if people and not any(p.relationship == Relationship.PRINCIPAL for p in people):
        first = next((p for p in people if not p.relationship), people[0])
        first.relationship = Relationship.PRINCIPAL
        people.remove(first)
        people.insert(0, first)
    if hint is not None and people and not people[0].named():
        principal = people[0] if people[0].relationship == Relationship.PRINCIPAL else None
        if principal is not None:
            principal.full_name, principal.dob = hint.full_name, principal.dob or hint.dob
    elif hint is not None and not people:
        people = [hint]
    elif hint is not None and people[0].relationship == Relationship.PRINCIPAL:
        people[0].dob = people[0].dob or hint.dob
    flags = list(reader.flags)
    if len(people) > MAX_PEOPLE:
        return Reading(people=[], flags=[f"members_too_many:{len(people)}"])
    others = [p for p in people if p.relationship != Relationship.PRINCIPAL]
    children = sum(1 for p in others if p.relationship == Relationship.CHILD)
    missing = max(
        reader.counts.get("child", 0) - children,
        reader.counts.get("other", 0) - len(others),
        reader.counts.get("all", 0) - len(people),
        0,
    )
    if missing:
        flags.append(f"members_unnamed:{missing}")
    if any(not p.named() for p in people):
        flags.append("member_without_name")
    if any(p.listed and not p.relationship for p in people):
        flags.append("member_relationship_unknown")
    if numbering_unclear(reader.numbers, someone_before=reader.before_list):
        flags.append("member_numbering_unclear")
    return Reading(
        people=[p.as_input() for p in people], flags=flags, current_location=reader.location
    )
