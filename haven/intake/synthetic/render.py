"""One submission of a household: what one requester, on one channel, wrote down.

The same household rendered twice differs the way real duplicates differ: another
requester, another spelling, another date style, a member left out or added.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from haven.intake.models import IdentifierKind, Relationship
from haven.intake.services import PersonInput, RequesterInput, RequestInput

from .formats import DateWriter, IdentifierWriter
from .households import ADULT_AGE, Household, TruePerson
from .names import NameWriter
from .tables import ChannelProfile, Tables, Weighted

_CONSENT_VERSIONS = {"web_form": "2021-08", "api": "partner-2021-08"}
_PRINCIPAL_PHONE = 0.92
_PK_PHONE_ONCE_CROSSED = 0.75
_FAMILY_NAME_WRITTEN = 0.85
_FATHER_IN_FREE_TEXT = 0.35


@dataclass(frozen=True, slots=True)
class Submission:
    data: RequestInput
    person_keys: list[str]


@dataclass(slots=True)
class _Writers:
    """The habits of the one person filling in this request."""

    rng: random.Random
    profile: ChannelProfile
    names: NameWriter
    dates: DateWriter
    ids: IdentifierWriter
    layout: str
    father_field: bool
    crossed: bool  # the household is in Pakistan by now
    phone: tuple[str, str]  # (country, national number) the household gives this time


def _chance(rng: random.Random, probability: float) -> bool:
    return rng.random() < probability


def _writers(
    tables: Tables,
    household: Household,
    channel: str,
    requester_kind: str,
    received_at: dt.datetime,
) -> _Writers:
    rng = household.rng
    profile = tables.channels[channel]
    arabic = _chance(rng, profile.arabic_script)
    persian = arabic and _chance(
        rng, float(tables.spelling["arabic"]["persian_digits_probability"])
    )
    styles = tables.channel_text["requester_date_styles"].get(requester_kind)
    date_style = (Weighted[str].of(styles) if styles else profile.date_styles).pick(rng)
    if arabic and date_style in ("iso", "mdy"):
        date_style = "solar"  # Dari forms use the Solar Hijri calendar
    crossed = household.crossed_at is not None and received_at >= household.crossed_at
    phone = ("AF", household.af_phone)
    if crossed and household.pk_phone and _chance(rng, _PK_PHONE_ONCE_CROSSED):
        phone = ("PK", household.pk_phone)
    return _Writers(
        rng=rng,
        profile=profile,
        names=NameWriter(tables, rng, arabic=arabic),
        dates=DateWriter(rng, date_style, persian=persian),
        ids=IdentifierWriter(tables, rng, persian=persian),
        layout=profile.layouts.pick(rng),
        father_field=_chance(rng, profile.father_field),
        crossed=crossed,
        phone=phone,
    )


def _listed(household: Household, spec: dict[str, Any]) -> list[TruePerson]:
    """Who this submission lists: the principal always, others usually, in-laws sometimes."""
    rng = household.rng
    principal, *others = household.members
    listed = [principal]
    for person in others:
        rate = spec["listed"]["extended" if person.extended else "core"]
        if _chance(rng, float(rate)):
            listed.append(person)
    return listed


def _names(
    w: _Writers, person: TruePerson, husband: TruePerson | None, channel: str
) -> dict[str, str]:
    rng, names = w.rng, w.names
    family = names.family(person.family) if _chance(rng, _FAMILY_NAME_WRITTEN) else ""
    father = names.name(person.father)
    if w.layout == "full":
        given = names.given(person.given).given
        full = f"{given} {family}".strip()
        if channel == "email" and _chance(rng, _FATHER_IN_FREE_TEXT):
            # "Mohammad Zaman s/o Gul Ahmad", "Fatima w/o Ahmad Shah": father inside the name.
            if person.relationship == Relationship.SPOUSE and person.sex == "f" and husband:
                return {
                    "full_name": f"{full} {names.connector('wife')} {names.name(husband.given)}"
                }
            relation = "son" if person.sex == "m" else "daughter"
            return {"full_name": f"{full} {names.connector(relation)} {father}"}
        return {"full_name": full, "father_name": father if w.father_field else ""}
    if w.layout == "father_as_family" and not family:
        # Asked for a surname, most people give their father's name.
        family = father
    written = names.given(person.given, can_spill=not family)
    return {
        "given_name": written.given,
        "family_name": family or written.spill,
        "father_name": father if w.father_field else "",
    }


def _identifiers(
    w: _Writers, person: TruePerson, *, is_principal: bool, arabic: bool
) -> tuple[tuple[str, str], ...]:
    rng, ids, rate = w.rng, w.ids, w.profile.identifier_rate
    found: list[tuple[str, str]] = []
    if person.passport and _chance(rng, rate):
        found.append((IdentifierKind.PASSPORT.value, ids.passport(person.passport)))
    if person.e_tazkira and _chance(rng, rate):
        found.append((IdentifierKind.E_TAZKIRA.value, ids.e_tazkira(person.e_tazkira)))
    if person.paper_tazkira and _chance(rng, rate):
        found.append(
            (
                IdentifierKind.PAPER_TAZKIRA.value,
                ids.paper_tazkira(person.paper_tazkira, arabic=arabic),
            )
        )
    if person.siv_case and _chance(rng, min(rate + 0.1, 1.0)):
        found.append((IdentifierKind.SIV_CASE.value, ids.siv_case(person.siv_case)))
    phone = _phone(w, person, is_principal=is_principal)
    if phone:
        found.append((IdentifierKind.PHONE.value, phone))
    if person.email and _chance(rng, rate):
        found.append((IdentifierKind.EMAIL.value, ids.email(person.email)))
    return tuple(found)


def _phone(w: _Writers, person: TruePerson, *, is_principal: bool) -> str:
    rng = w.rng
    if is_principal:
        return w.ids.phone(*w.phone) if _chance(rng, _PRINCIPAL_PHONE) else ""
    if person.phone and _chance(rng, w.profile.identifier_rate):
        return w.ids.phone("AF", person.phone)
    # Spreadsheets repeat the family's one phone on every row.
    if person.age >= ADULT_AGE or w.profile.name == "spreadsheet":
        return w.ids.phone(*w.phone) if _chance(rng, w.profile.member_phone) else ""
    return ""


def _person(
    w: _Writers,
    household: Household,
    person: TruePerson,
    channel: str,
    received_at: dt.datetime,
) -> PersonInput:
    rng = household.rng
    principal = household.principal
    husband = principal if principal.sex == "m" else None
    names = _names(w, person, husband, channel)
    return PersonInput(
        relationship=person.relationship,
        full_name=names.get("full_name", ""),
        given_name=names.get("given_name", ""),
        family_name=names.get("family_name", ""),
        father_name=names.get("father_name", ""),
        sex=person.sex if _chance(rng, w.profile.sex_recorded) else "",
        date_of_birth=w.dates.write(person, received_at),
        province=w.names.province(household.province) if _chance(rng, 0.8) else "",
        identifiers=_identifiers(
            w, person, is_principal=person is principal, arabic=w.names.arabic
        ),
    )


def _requester(
    tables: Tables, rng: random.Random, kind: str, principal: PersonInput
) -> RequesterInput:
    text = tables.channel_text
    if kind in ("office", "international_org"):
        org = rng.choice(text["offices" if kind == "office" else "international_orgs"])
        return RequesterInput(kind=kind, name=org["name"], contact=org["contact"])
    if kind == "sponsor":
        if _chance(rng, float(text["sponsor_relative"])):
            first = tables.single_names["m"].pick(rng)
            name = f"{first} {tables.family_names.pick(rng)}"
        else:
            first = rng.choice(text["sponsor_first_names"])
            name = f"{first} {rng.choice(text['sponsor_last_names'])}"
        local = name.lower().replace(" ", ".")
        contact = f"{local}@{rng.choice(text['sponsor_email_domains'])}"
        return RequesterInput(kind=kind, name=name, contact=contact)
    # The applicant writes their own name and the first contact they gave.
    contact = next((v for k, v in principal.identifiers if k in ("phone", "email")), "")
    name = principal.full_name or f"{principal.given_name} {principal.family_name}".strip()
    return RequesterInput(kind=kind, name=name, contact=contact)


def _help(
    tables: Tables, rng: random.Random, household: Household, *, arabic: bool, city: str
) -> str:
    text = tables.channel_text
    if arabic:
        return str(rng.choice(text["help_dari"]))
    template = str(rng.choice(text["help"][household.pathway]))
    return template.format(city=city or "Kabul", years=rng.randrange(1, 12))


def render_submission(
    tables: Tables,
    household: Household,
    *,
    channel: str,
    requester_kind: str,
    received_at: dt.datetime,
) -> Submission:
    rng = household.rng
    w = _writers(tables, household, channel, requester_kind, received_at)
    listed = _listed(household, tables.household)
    people = tuple(_person(w, household, p, channel, received_at) for p in listed)
    city = str(rng.choice(tables.channel_text["pk_cities" if w.crossed else "af_cities"]))
    language = w.profile.languages.pick(rng)
    if w.names.arabic:
        language = rng.choice(("fa", "ps"))
    data = RequestInput(
        channel=channel,
        people=people,
        requester=_requester(tables, rng, requester_kind, people[0]),
        help_requested=_help(tables, rng, household, arabic=w.names.arabic, city=city),
        current_country="PK" if w.crossed else "AF",
        current_location=city if _chance(rng, 0.7) else "",
        language=language,
        consent_version=_CONSENT_VERSIONS.get(channel, ""),
    )
    return Submission(data=data, person_keys=[p.key for p in listed])
