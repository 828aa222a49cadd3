"""Member headers: the lines that start one person of a family's list in an e-mail.

Writers number the members of their family in words as often as in digits: "Family member
2:", "Second family member", "عضو اول خانواده", "نفر سوم", "فرد چهارم", "عضو خانواده شماره
۲", "د کورنۍ لومړی غړی", "دوهم غړی", and once a list has begun, a bare "دریم:". The ordinal
words are data (mail_ordinals.csv, Dari, Pashto and English, first to twentieth and more);
the nouns, the family words and the number links are rows of mail_patterns.csv (kinds
member, member_of, member_link). A header may carry the member on its own line ("عضو دوم:
فریبا، همسر، ۱۳۶۵") or leave the block's labelled lines to say who they are ("نسبت: همسر").

A relative's word with a number or an ordinal ("پسر اول:", "دوهمه لور:", "Son 2:") names a
person too, with the relationship it says (`relation_label`).
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from .mailpatterns import fold, patterns

# A member's number written in digits (folded: Persian and Arabic-Indic digits are Latin).
_NUMBER = r"\d{1,3}"
# What may stand between a header and the member it introduces on the same line.
_SEPARATOR = r"[:：\-–—.)،,]"
_BULLET = r"(?:[-*•·▪◦‣–]\s*)?"


@dataclass(frozen=True)
class Header:
    """A member header: its number (None when it has none: "Member:"), and the text after it
    on its line, as written ("" when the block's next lines describe the member)."""

    number: int | None
    value: str


@functools.cache
def ordinals() -> dict[str, int]:
    """mail_ordinals.csv as {folded ordinal word: number}."""
    path = Path(__file__).with_name("mail_ordinals.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {fold(row["ordinal"]).strip(): int(row["number"]) for row in rows}


def _words(phrases: list[str]) -> str:
    # Longest first (so "عضو خانواده" wins over "عضو"), whole words only at the start; the end
    # is bounded by the grammar around it ("#2" has no space before its number).
    ordered = sorted(phrases, key=len, reverse=True)
    return r"(?<!\w)(?:" + "|".join(re.escape(p) for p in ordered) + ")"


@functools.cache
def _grammar() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a member header, a bare ordinal, a relative's word with a number), on folded text."""
    table = patterns()
    member = table.regex["member"].pattern
    family = table.regex["member_of"].pattern
    relation = table.regex["relation"].pattern
    link = _words(list(table.meaning.get("member_link", {})))
    ordinal = (
        r"(?<!\w)(?:"
        + "|".join(re.escape(w) for w in sorted(ordinals(), key=len, reverse=True))
        + r")(?!\w)"
    )
    counted = rf"(?:\s+(?P<post>{ordinal})|\s*(?:{link})?\s*(?P<num>{_NUMBER})(?!\d))"
    header = (
        rf"(?:{family}\s+)?(?:(?P<pre>{ordinal})\s+)?{member}"
        rf"(?:\s+{family})?{counted}?(?:\s+{family})?"
    )
    tail = rf"\s*(?:{_SEPARATOR}\s*(?P<value>.*?))?\s*"
    return (
        re.compile(rf"^\s*{_BULLET}(?P<header>{header}){tail}$"),
        re.compile(rf"^\s*{_BULLET}(?P<pre>{ordinal}){tail}$"),
        re.compile(
            rf"(?:(?P<pre>{ordinal})\s+)?(?P<relation>{relation}){counted}?(?:\s+{family})?"
        ),
    )


def _number(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    word = groups.get("pre") or groups.get("post")
    if word:
        return ordinals().get(word)
    return int(groups["num"]) if groups.get("num") else None


def member_header(line: str, *, listing: bool = False) -> Header | None:
    """The member header `line` is, or None. A bare ordinal ("دریم:") is one only while a
    family's list is being read (`listing`): elsewhere "اول" is just a word."""
    folded = fold(line)
    header, bare, _relation = _grammar()
    match = header.match(folded) or (bare.match(folded) if listing else None)
    if match is None:
        return None
    value = line[match.start("value") : match.end("value")] if match.group("value") else ""
    return Header(number=_number(match), value=value.strip())


def relation_label(label: str) -> tuple[str, int | None] | None:
    """(the relation word's meaning, its number) when `label` is a relative's word, alone or
    numbered ("Wife", "Son 2", "پسر اول", "دوهمه لور"); else None."""
    match = _grammar()[2].fullmatch(fold(label).strip())
    if match is None:
        return None
    return patterns().of("relation", match.group("relation")), _number(match)


def numbering_unclear(numbers: list[int], *, someone_before: bool) -> bool:
    """Whether the members' numbers skip or repeat (someone may be missing or written twice).
    A list starts at 1, or at 2 when someone was read before it (the writer as member 1)."""
    if not numbers:
        return False
    first_ok = numbers[0] == 1 or (numbers[0] == 2 and someone_before)
    steps_ok = all(b == a + 1 for a, b in itertools.pairwise(numbers))
    return not (first_ok and steps_ok)
