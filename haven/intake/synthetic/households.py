"""The ground truth: synthetic households and the people in them, before anyone writes them down.

Names here are canonical table entries ("Mohammad Zaman", "Ahmadzai"); how a
requester spells them is decided later, per submission (see render.py).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from haven.intake.models import Relationship

from .tables import Tables

# Ages are counted back from the start of the evacuation (as in 2021; a stream dated
# relative to today shifts these by the same whole number of days, generator.py).
REFERENCE_DATE = dt.date(2021, 8, 15)
_CROSSING_START = dt.datetime(2021, 8, 20, tzinfo=dt.UTC)
NO_SHIFT = dt.timedelta(0)
_CROSSING_DAYS = 60
ADULT_AGE = 18


@dataclass(slots=True)
class TruePerson:
    key: str
    relationship: str
    sex: str
    given: str  # canonical, possibly compound ("Din Mohammad")
    family: str  # canonical tribe or surname; "" for most people
    father: str  # canonical given name of the father
    birth: dt.date
    dob_known: str  # exact | jan1 | year: what the person and their papers know
    extended: bool = False  # listed only now and then (a nephew, an in-law)
    passport: str = ""
    e_tazkira: str = ""
    paper_tazkira: str = ""
    siv_case: str = ""
    phone: str = ""  # an Afghan national number of their own
    email: str = ""
    # The day ages are counted on: the start of the (possibly shifted) period.
    reference: dt.date = REFERENCE_DATE

    @property
    def age(self) -> int:
        return (self.reference - self.birth).days // 365


@dataclass(slots=True)
class Household:
    key: str
    # Each household draws from its own generator, so its content does not depend on
    # how its submissions are interleaved with other households'.
    rng: random.Random
    members: list[TruePerson]
    province: str
    af_phone: str
    pk_phone: str
    crossed_at: dt.datetime | None
    pathway: str  # siv | p2 | parole | other: what the help text asks for

    @property
    def principal(self) -> TruePerson:
        return self.members[0]


@dataclass(frozen=True, slots=True)
class FamilyRoot:
    """What a brother's separate household shares with this one: the hard case for matching."""

    father: str
    family: str
    province: str
    af_phone: str
    sons: frozenset[str] = field(default_factory=frozenset)


def national_number(rng: random.Random, tables: Tables, country: str) -> str:
    plan = tables.phones[country]
    prefix = plan.prefixes.pick(rng)
    rest = plan.length - len(prefix)
    return prefix + str(rng.randrange(10**rest)).zfill(rest)


class _Builder:
    """Builds one household; holds the draws that several members share."""

    def __init__(
        self, tables: Tables, rng: random.Random, key: str, shift: dt.timedelta = NO_SHIFT
    ) -> None:
        self.tables = tables
        self.rng = rng
        self.key = key
        self.shift = shift
        self.reference = REFERENCE_DATE + shift
        self.spec: dict[str, Any] = tables.household
        self.members: list[TruePerson] = []

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def given_name(self, sex: str, exclude: set[str]) -> str:
        compound = self.chance(float(self.spec["compound_given"][sex]))
        pool = (self.tables.compound_names if compound else self.tables.single_names)[sex]
        for _ in range(20):
            name = pool.pick(self.rng)
            if name not in exclude:
                return name
        return self.tables.single_names[sex].pick(self.rng)

    def birth(self, age: int) -> tuple[dt.date, str]:
        age = max(age, 0)
        born = self.reference - dt.timedelta(days=age * 365 + self.rng.randrange(365))
        known = self.tables.household_choices["dob_known"].pick(self.rng)
        if known == "jan1":
            # The de facto birthday, and what the papers say: it is the date we know.
            born = dt.date(born.year, 1, 1)
        return born, known

    def add(
        self,
        relationship: str,
        sex: str,
        age: int,
        *,
        given: str,
        family: str,
        father: str,
        extended: bool = False,
    ) -> TruePerson:
        born, known = self.birth(age)
        person = TruePerson(
            key=f"{self.key}-{len(self.members)}",
            relationship=str(relationship),
            sex=sex,
            given=given,
            family=family,
            father=father,
            birth=born,
            dob_known=known,
            extended=extended,
            reference=self.reference,
        )
        self._documents(person)
        self.members.append(person)
        return person

    def _documents(self, person: TruePerson) -> None:
        rng, docs = self.rng, self.spec["documents"]
        group = "child" if person.age < ADULT_AGE else ("man" if person.sex == "m" else "woman")
        if self.chance(docs["passport"][group]):
            # "O" is the older series, "P" the one issued since 2018.
            letter = "P" if self.chance(0.7) else "O"
            person.passport = f"{letter}{rng.randrange(10**8):08d}"
        if self.chance(docs["e_tazkira"][group]):
            # e-Tazkira started in 2018 (1397 SH); synthetic numbers start with an issue year.
            person.e_tazkira = f"{rng.randrange(1397, 1401)}{rng.randrange(10**9):09d}"
        elif self.chance(docs["paper_tazkira"][group]):
            person.paper_tazkira = (
                f"{rng.randrange(1, 400)}/{rng.randrange(1, 300)}/{rng.randrange(1, 10000)}"
            )
        if group != "child" and self.chance(self.spec["own_phone"][group]):
            person.phone = national_number(rng, self.tables, "AF")


def _principal_sex_and_age(b: _Builder) -> tuple[str, int]:
    sex = "f" if b.chance(float(b.spec["principal_female"])) else "m"
    low, high, mode = b.spec["principal_age"]
    return sex, round(b.rng.triangular(low, high, mode))


def _add_spouse_and_children(b: _Builder, principal: TruePerson) -> None:
    rng = b.rng
    spouse = None
    if principal.age >= 20 and b.chance(float(b.spec["spouse"])):
        sex = "f" if principal.sex == "m" else "m"
        gap = rng.randrange(0, 11)
        age = principal.age - gap if sex == "f" else principal.age + gap
        # A wife keeps her father's line; forms often give her the husband's family name.
        family = principal.family if sex == "m" or b.chance(0.7) else ""
        spouse = b.add(
            Relationship.SPOUSE,
            sex,
            max(age, 17),
            given=b.given_name(sex, {principal.given}),
            family=family,
            father=b.given_name("m", set()),
        )
    husband = principal if principal.sex == "m" else spouse
    # A widow's children still carry their late father's name.
    children_father = husband.given if husband else b.given_name("m", set())
    mother_age = principal.age if principal.sex == "f" else (spouse.age if spouse else 30)
    count = int(b.tables.household_choices["children"].pick(rng))
    taken = {principal.given, children_father}
    for _ in range(count):
        if mother_age < 17:
            break
        sex = rng.choice("mf")
        given = b.given_name(sex, taken)
        taken.add(given)
        b.add(
            Relationship.CHILD,
            sex,
            rng.randrange(0, min(mother_age - 15, 26)),
            given=given,
            family=principal.family,
            father=children_father,
        )


def _add_parents(b: _Builder, principal: TruePerson) -> None:
    if not b.chance(float(b.spec["parents"])):
        return
    which = b.rng.random()
    if which < 0.7:
        b.add(
            Relationship.PARENT,
            "m",
            min(principal.age + b.rng.randrange(22, 36), 92),
            given=principal.father,
            family=principal.family,
            father=b.given_name("m", {principal.father}),
        )
    if which > 0.4:
        b.add(
            Relationship.PARENT,
            "f",
            min(principal.age + b.rng.randrange(18, 31), 90),
            given=b.given_name("f", set()),
            family="",
            father=b.given_name("m", set()),
        )


def _add_siblings(b: _Builder, principal: TruePerson, exclude: frozenset[str]) -> None:
    """Siblings share father, family name, phone and province, and are different people."""
    if not b.chance(float(b.spec["siblings"])):
        return
    taken = {principal.given, principal.father, *exclude}
    for _ in range(int(b.tables.household_choices["sibling_count"].pick(b.rng))):
        sex = b.rng.choice("mf")
        given = b.given_name(sex, taken)
        taken.add(given)
        b.add(
            Relationship.SIBLING,
            sex,
            max(principal.age + b.rng.randrange(-14, 15), 10),
            given=given,
            family=principal.family,
            father=principal.father,
        )


def _add_extended(b: _Builder, principal: TruePerson) -> None:
    if not b.chance(float(b.spec["extended"])):
        return
    relation = b.rng.choice(b.spec["extended_relations"])
    sex = "f" if relation in ("niece", "mother-in-law") else "m"
    b.add(
        Relationship.OTHER,
        sex,
        b.rng.randrange(5, 65),
        given=b.given_name(sex, {principal.given}),
        family=principal.family if b.chance(0.5) else "",
        father=b.given_name("m", set()),
        extended=True,
    )


def _email(b: _Builder, person: TruePerson) -> str:
    local = person.given.replace(" ", "").lower()
    if person.family:
        local += "." + person.family.lower()
    domain = b.rng.choice(b.spec["email_domains"])
    return f"{local}{b.rng.randrange(1, 100)}@{domain}"


def build_household(
    tables: Tables,
    rng: random.Random,
    key: str,
    relative: FamilyRoot | None = None,
    shift: dt.timedelta = NO_SHIFT,
) -> Household:
    """A principal and the people who travel with them.

    With `relative`, the principal is a brother of another household's principal:
    same father, family name and province, and often the same phone. `shift` moves every
    date (births, crossing the border) by the same whole number of days.
    """
    b = _Builder(tables, rng, key, shift)
    sex, age = _principal_sex_and_age(b)
    if relative:
        sex = "m"
        family, father, province = relative.family, relative.father, relative.province
        given = b.given_name("m", {father, *relative.sons})
    else:
        family = tables.family_names.pick(rng) if b.chance(float(b.spec["surname"])) else ""
        father = b.given_name("m", set())
        province = tables.province_names.pick(rng)
        given = b.given_name(sex, {father})
    principal = b.add(Relationship.PRINCIPAL, sex, age, given=given, family=family, father=father)
    pathway = str(tables.household_choices["pathways"].pick(rng))
    if pathway == "siv" and b.chance(0.85):
        principal.siv_case = f"KBL{rng.randrange(10**7):07d}"
    if b.chance(float(b.spec["email"])):
        principal.email = _email(b, principal)
    _add_spouse_and_children(b, principal)
    _add_parents(b, principal)
    _add_siblings(b, principal, relative.sons if relative else frozenset())
    _add_extended(b, principal)

    shares_phone = relative and b.chance(float(b.spec["shared_phone_with_relative"]))
    af_phone = (
        relative.af_phone if relative and shares_phone else national_number(rng, tables, "AF")
    )
    crossed_at = None
    if b.chance(float(b.spec["crossed"])):
        crossed_at = (
            _CROSSING_START + shift + dt.timedelta(minutes=rng.randrange(_CROSSING_DAYS * 1440))
        )
    pk_phone = ""
    if crossed_at and b.chance(float(b.spec["pk_phone_after_crossing"])):
        pk_phone = national_number(rng, tables, "PK")
    return Household(
        key=key,
        rng=rng,
        members=b.members,
        province=province,
        af_phone=af_phone,
        pk_phone=pk_phone,
        crossed_at=crossed_at,
        pathway=pathway,
    )


def family_root(household: Household) -> FamilyRoot:
    principal = household.principal
    sons = {
        p.given
        for p in household.members
        if p.sex == "m" and p.relationship in (Relationship.PRINCIPAL, Relationship.SIBLING)
    }
    return FamilyRoot(
        father=principal.father,
        family=principal.family,
        province=household.province,
        af_phone=household.af_phone,
        sons=frozenset(sons),
    )
