"""Writing a canonical name the way one requester would: spelling, script, compounds.

A requester's habits hold for the whole request (one writer spells "Mohammad"
the same way for every member), and change from one request to the next: that
is what makes the same household look different across submissions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .tables import Tables, Weighted

_ZWNJ = "\u200c"  # zero-width non-joiner, how Dari keyboards separate " الله"
_ALLAH = " الله"


@dataclass(frozen=True, slots=True)
class WrittenGiven:
    """A given name as written; `spill` is the part pushed into the family-name field."""

    given: str
    spill: str = ""


class NameWriter:
    def __init__(self, tables: Tables, rng: random.Random, *, arabic: bool) -> None:
        self._tables = tables
        self._rng = rng
        self.arabic = arabic
        spec = tables.spelling
        self._spellings: dict[str, str] = {}
        self._whole_names: dict[str, str] = {}
        self._ullah_form: str = Weighted[str].of(spec["ullah"]["forms"]).pick(rng)
        self._compound_forms: Weighted[str] = Weighted.of(spec["compound_forms"])
        self._drift: tuple[str, str] | None = None
        if rng.random() < float(spec["drift"]["probability"]):
            old, new = rng.choice(spec["drift"]["substitutions"])
            self._drift = (old, new)
        arabic_spec = spec["arabic"]
        self._allah_form: str = Weighted[str].of(arabic_spec["allah_forms"]).pick(rng)
        self._keyboard: dict[int, str] = {}
        if arabic and rng.random() < float(arabic_spec["keyboard_probability"]):
            self._keyboard = str.maketrans(arabic_spec["keyboard"])

    # Latin script ---------------------------------------------------------------

    def _latin_part(self, canonical: str, table: str = "names") -> str:
        spelled = self._spellings.get(canonical)
        if spelled is None:
            entry = (self._tables.families if table == "families" else self._tables.names)[
                canonical
            ]
            spelled = self._ullah(entry.latin.pick(self._rng))
            if self._drift:
                spelled = spelled.replace(*self._drift)
            self._spellings[canonical] = spelled
        return spelled

    def _ullah(self, spelled: str) -> str:
        suffix = str(self._tables.spelling["ullah"]["suffix"])
        if not spelled.endswith(suffix) or len(spelled) <= len(suffix) + 1:
            return spelled
        stem = spelled[: -len(suffix)]
        form = self._ullah_form
        if form == "apart":
            return f"{stem} Ullah"
        if form == "apart_lower":
            return f"{stem} ullah"
        if form == "hyphenated":
            return f"{stem}-ullah"
        if form == "no_final_h":
            return f"{stem}ulla"
        return spelled

    def _latin_compound(self, parts: tuple[str, ...]) -> tuple[str, str]:
        first, second = self._latin_part(parts[0]), self._latin_part(parts[1])
        rule = self._tables.spelling["assimilation"]
        if (
            parts[0] == rule["prefix"]
            and first.endswith("l")  # Abdul, Abdal, Abdol; not the short "Abd"
            and second[:1].lower() in rule["letters"]
            and self._rng.random() < float(rule["probability"])
        ):
            first = first[:-1] + second[0].lower()  # Abdul Rahman -> Abdur Rahman
        return first, second

    # Arabic script ----------------------------------------------------------------

    def _dari(self, text: str) -> str:
        if _ALLAH in text and self._allah_form != "apart":
            text = text.replace(_ALLAH, _ZWNJ + "الله" if self._allah_form == "zwnj" else "الله")
        return text.translate(self._keyboard) if self._keyboard else text

    # Public -------------------------------------------------------------------------

    def given(self, canonical: str, *, can_spill: bool = False) -> WrittenGiven:
        """Write a given name; a compound may lose a part to the family field."""
        compound = self._tables.compounds.get(canonical)
        if compound is None:
            entry = self._tables.names[canonical]
            return WrittenGiven(
                self._dari(entry.dari) if self.arabic else self._latin_part(canonical)
            )
        form = self._compound_forms.pick(self._rng)
        if self.arabic:
            first, _, second = compound.dari.partition(" ")
            if form == "second_as_family" and can_spill and second:
                return WrittenGiven(self._dari(first), self._dari(second))
            if form == "known_by_second" and second:
                return WrittenGiven(self._dari(second))
            return WrittenGiven(self._dari(compound.dari))
        first, second = self._latin_compound(compound.parts)
        if form == "joined":
            return WrittenGiven(first + second.lower())
        if form == "hyphenated":
            return WrittenGiven(f"{first}-{second}")
        if form == "second_as_family" and can_spill:
            return WrittenGiven(first, second)
        if form == "known_by_second":
            return WrittenGiven(second)
        return WrittenGiven(f"{first} {second}")

    def name(self, canonical: str) -> str:
        """A name written whole, as when it is someone's father's name.

        Kept for the whole request: one writer gives siblings the same father's name.
        """
        written = self._whole_names.get(canonical)
        if written is None:
            written = self._whole_names[canonical] = self.given(canonical).given
        return written

    def family(self, canonical: str) -> str:
        if not canonical:
            return ""
        if self.arabic:
            return self._dari(self._tables.families[canonical].dari)
        return self._latin_part(canonical, "families")

    def province(self, canonical: str) -> str:
        province = self._tables.provinces[canonical]
        if self.arabic:
            return self._dari(province.dari)
        key = "province:" + canonical
        if key not in self._spellings:
            self._spellings[key] = province.latin.pick(self._rng)
        return self._spellings[key]

    def connector(self, relation: str) -> str:
        """'s/o', 'son of', 'ولد'...: how free text attaches a father's or husband's name."""
        key = f"dari_{relation}" if self.arabic else relation
        return str(self._rng.choice(self._tables.spelling["connectors"][key]))
