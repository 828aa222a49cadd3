"""A second held-out generator for identity resolution, written apart from both others.

It shares no code, name list or error table with `haven seed` (haven/intake/synthetic) or
with haven/resolution/heldout.py (which trained the packaged model). Its people live in
households (a head, a spouse, children, sometimes a parent or a brother) whose children
share the head's name as their father's name and often the head's phone; each person is
written one to five times by different clerks:

- names: its own spelling tables per name part, generic clerk habits (ee/i, oo/u, ou/o,
  q/k, dropped final h, doubled letters) and a typo now and then; Arabic script for a
  share of records; compound given names split, joined, hyphenated, or reduced to the
  part after Abdul-/Mohammad-/Ghulam- ("Abdul Wahid" / "Abdulwahid" / "Wahid");
  single given names; the father's name where a surname is asked, or after the own name;
  tribal name present or not; given and family swapped.
- dates: day/month/year, ISO, month first, year only, 1 January, Solar Hijri (numeric
  and year only), an age, day and month swapped, a year mistyped, missing.
- identifiers: e-Tazkira with a digit changed or two swapped, passports with O/0 and a
  digit changed, written with or without dashes and spaces; a household phone shared by
  its members, a personal phone for some adults, formats +93 / 0093 / 07.

    .venv/bin/python bench/resolution/heldout2.py --people 50000 --records out.csv --truth t.csv
    .venv/bin/python bench/resolution/heldout2.py --people 5000 --config b --seed 2 ...

`--config b` changes the rates (more Arabic script, more damaged documents, fewer
documents, more year-only dates, bigger households): for checking a change on data
that was not looked at while making it. Fictional people only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jdatetime

# Name parts: Latin (canonical) -> (Arabic script, other spellings clerks use).
PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Abdul": ("عبد", ("Abdol", "Abdal", "Abd")),
    "Wahid": ("واحد", ("Waheed", "Wahed", "Vahid")),
    "Qadir": ("قادر", ("Qader", "Kadir", "Qadeer")),
    "Samad": ("صمد", ("Samed", "Samat")),
    "Basir": ("بصیر", ("Baseer", "Besir", "Basser")),
    "Hakim": ("حکیم", ("Hakeem", "Hakem")),
    "Jalil": ("جلیل", ("Jaleel", "Jalel")),
    "Rauf": ("رئوف", ("Raouf", "Rawoof", "Rauof")),
    "Mohammad": ("محمد", ("Muhammad", "Mohammed", "Mohamad", "Muhammed", "Mohd", "Mohamed")),
    "Nasim": ("نسیم", ("Naseem", "Nasem")),
    "Akbar": ("اکبر", ("Akber", "Akbur")),
    "Ismail": ("اسماعیل", ("Ismael", "Esmail", "Ismayil")),
    "Yunus": ("یونس", ("Younus", "Yonus", "Younis")),
    "Ghulam": ("غلام", ("Gholam", "Golam", "Ghulaam")),
    "Haidar": ("حیدر", ("Haider", "Hayder", "Haydar")),
    "Farooq": ("فاروق", ("Faruq", "Farouq", "Farook")),
    "Nabi": ("نبی", ("Nabee", "Naby")),
    "Sarwar": ("سرور", ("Sarvar", "Sarwer")),
    "Gul": ("گل", ("Gol", "Gull")),
    "Agha": ("آغا", ("Aqa", "Aga")),
    "Sher": ("شیر", ("Shir", "Sheer")),
    "Ali": ("علی", ("Aly", "Alee")),
    "Khan": ("خان", ("Khan",)),
    "Ahmad": ("احمد", ("Ahmed", "Ahmadd")),
    "Shah": ("شاه", ("Sha",)),
    "Noor": ("نور", ("Nur", "Nour")),
    "Rahman": ("رحمان", ("Rehman", "Rahmaan")),
    "Zabi": ("ذبیح", ("Zabih", "Zabee")),
    "ullah": ("الله", ("ulla", "illah", "ollah")),
    "Ehsan": ("احسان", ("Ihsan", "Ehsaan")),
    "Sami": ("سمیع", ("Samee", "Samie")),
    "Najib": ("نجیب", ("Najeeb", "Nadjib")),
    "Asad": ("اسد", ("Assad", "Asaad")),
    "Obaid": ("عبید", ("Ubaid", "Obaed")),
    "Hamza": ("حمزه", ("Hamzah", "Hamze")),
    "Bilal": ("بلال", ("Belal", "Bilaal")),
    "Yasin": ("یاسین", ("Yaseen", "Yasen")),
    "Khalid": ("خالد", ("Khaled", "Kalid")),
    "Mansoor": ("منصور", ("Mansur", "Mansour")),
    "Qais": ("قیس", ("Qays", "Kais")),
    "Taher": ("طاهر", ("Tahir", "Taheer")),
    "Musa": ("موسی", ("Moosa", "Mousa")),
    "Daud": ("داود", ("Dawood", "Dawud", "Daoud")),
    "Elyas": ("الیاس", ("Ilyas", "Elias")),
    "Feroz": ("فیروز", ("Firoz", "Firooz")),
    "Jamshid": ("جمشید", ("Jamsheed", "Jamshed")),
    "Kamran": ("کامران", ("Kamraan",)),
    "Lutf": ("لطف", ("Lotf", "Lutuf")),
    "Mujib": ("مجیب", ("Mujeeb", "Mojib")),
    "Omar": ("عمر", ("Umar", "Umer")),
    "Rafi": ("رفیع", ("Rafee", "Rafie")),
    "Saboor": ("صبور", ("Sabur", "Sabour")),
    "Waheedullah": ("وحیدالله", ("Wahidullah",)),
    "Zalmai": ("زلمی", ("Zalmay", "Zalmei")),
    "Hekmat": ("حکمت", ("Hikmat", "Hekmet")),
    "Atiq": ("عتیق", ("Ateeq", "Atik")),
    "Baz": ("باز", ("Bas",)),
    "Mir": ("میر", ("Meer",)),
    "Said": ("سعید", ("Saeed", "Sayeed")),
    # women
    "Fariba": ("فریبا", ("Fareeba", "Faribah")),
    "Zakia": ("زکیه", ("Zakiya", "Zakiah")),
    "Hasina": ("حسینه", ("Haseena", "Hasinah")),
    "Mahbooba": ("محبوبه", ("Mahbuba", "Mahboba")),
    "Nadia": ("نادیه", ("Nadiya", "Nadiyah")),
    "Suraya": ("ثریا", ("Soraya", "Suraiya")),
    "Khatera": ("خاطره", ("Khatira", "Khaterah")),
    "Lina": ("لینا", ("Leena",)),
    "Mina": ("مینا", ("Meena", "Minah")),
    "Bibi": ("بی بی", ("Bibe",)),
    "Gulalai": ("گلالی", ("Gulali", "Golalai")),
    "Sadia": ("سعدیه", ("Saadia", "Sadiya")),
    "Tamana": ("تمنا", ("Tamanna", "Tamanah")),
    "Wajiha": ("وجیهه", ("Wajeeha", "Wajihah")),
    "Yalda": ("یلدا", ("Yaldah",)),
    "Zahra": ("زهرا", ("Zahraa", "Zohra")),
    "Arezo": ("آرزو", ("Arezoo", "Arzu", "Arzoo")),
    "Bahara": ("بهارا", ("Baharah",)),
    "Freshta": ("فرشته", ("Fereshta", "Freshteh")),
    "Halima": ("حلیمه", ("Haleema", "Halimah")),
    "Marzia": ("مرضیه", ("Marziya", "Marziah")),
    "Nazia": ("نازیه", ("Naziya", "Nazia")),
    "Pashtana": ("پښتنه", ("Pashtanah",)),
    "Rabia": ("رابعه", ("Rabiya", "Rabea")),
    "Samira": ("سمیرا", ("Sameera", "Samirah")),
    "Shakila": ("شکیلا", ("Shakeela", "Shakilah")),
    "Torpekai": ("تورپیکی", ("Turpekai", "Torpeky")),
    "Zarmina": ("زرمینه", ("Zarmeena", "Zarminah")),
    "Habiba": ("حبیبه", ("Habeeba", "Habibah")),
    "Malika": ("ملیکه", ("Maleeka", "Malikah")),
    # tribes / family names
    "Kakar": ("کاکر", ("Kakkar", "Kaker")),
    "Durrani": ("درانی", ("Durani", "Durranee")),
    "Andar": ("اندړ", ("Andarr",)),
    "Tokhi": ("توخی", ("Tokhy", "Tukhi")),
    "Shinwari": ("شینواری", ("Shinwary", "Shenwari")),
    "Alokozai": ("علیکوزی", ("Alikozai", "Alakozai")),
    "Sadat": ("سادات", ("Saadat", "Sadaat")),
    "Hotak": ("هوتک", ("Hotaki", "Hotek")),
    "Jalali": ("جلالی", ("Jalaly", "Jalaali")),
    "Mangal": ("منگل", ("Mangel",)),
    "Safi": ("صافی", ("Saafi", "Safee")),
    "Taniwal": ("تنیوال", ("Tanaiwal", "Taniwaal")),
    "Zazai": ("ځاځی", ("Zazay", "Jaji")),
    "Nazari": ("نظری", ("Nazary", "Nazaree")),
    "Rezai": ("رضایی", ("Rezaee", "Rezaie")),
    "Mohammadi": ("محمدی", ("Muhammadi", "Mohamadi")),
    "Sultanzada": ("سلطانزاده", ("Soltanzada", "Sultanzadah")),
}

# Given names as parts; a compound is two parts ("Abdul", "Wahid").
MALE_NAMES: list[tuple[str, ...]] = [
    ("Abdul", "Wahid"), ("Abdul", "Qadir"), ("Abdul", "Samad"), ("Abdul", "Basir"),
    ("Abdul", "Hakim"), ("Abdul", "Jalil"), ("Abdul", "Rauf"), ("Abdul", "Rahman"),
    ("Mohammad", "Nasim"), ("Mohammad", "Akbar"), ("Mohammad", "Ismail"),
    ("Mohammad", "Yunus"), ("Mohammad", "Daud"), ("Mohammad", "Omar"),
    ("Ghulam", "Haidar"), ("Ghulam", "Farooq"), ("Ghulam", "Nabi"), ("Ghulam", "Sarwar"),
    ("Gul", "Agha"), ("Sher", "Ali"), ("Sher", "Khan"), ("Ahmad", "Shah"), ("Noor", "Rahman"),
    ("Zabi", "ullah"), ("Sami", "ullah"), ("Asad", "ullah"), ("Lutf", "ullah"),
    ("Ehsan",), ("Najib",), ("Obaid",), ("Hamza",), ("Bilal",), ("Yasin",), ("Khalid",),
    ("Mansoor",), ("Qais",), ("Taher",), ("Musa",), ("Elyas",), ("Feroz",), ("Jamshid",),
    ("Kamran",), ("Mujib",), ("Rafi",), ("Saboor",), ("Zalmai",), ("Hekmat",), ("Atiq",),
    ("Mohammad",), ("Ahmad",), ("Ali",), ("Nasim",), ("Wahid",), ("Mir", "Ahmad"),
    ("Baz", "Mohammad"), ("Said", "Ahmad"), ("Noor",), ("Mohammad", "Khan"),
]  # fmt: skip
FEMALE_NAMES: list[tuple[str, ...]] = [
    ("Fariba",), ("Zakia",), ("Hasina",), ("Mahbooba",), ("Nadia",), ("Suraya",),
    ("Khatera",), ("Lina",), ("Mina",), ("Gulalai",), ("Sadia",), ("Tamana",), ("Wajiha",),
    ("Yalda",), ("Zahra",), ("Arezo",), ("Bahara",), ("Freshta",), ("Halima",), ("Marzia",),
    ("Nazia",), ("Pashtana",), ("Rabia",), ("Samira",), ("Shakila",), ("Torpekai",),
    ("Zarmina",), ("Habiba",), ("Malika",), ("Bibi", "Halima"), ("Bibi", "Zahra"),
]  # fmt: skip
TRIBES = [
    "Kakar", "Durrani", "Andar", "Tokhi", "Shinwari", "Alokozai", "Sadat", "Hotak", "Jalali",
    "Mangal", "Safi", "Taniwal", "Zazai", "Nazari", "Rezai", "Mohammadi", "Sultanzada",
]  # fmt: skip
# Prefixes a clerk sometimes leaves out: "Abdul Wahid" written "Wahid".
DROPPABLE = {"Abdul", "Mohammad", "Ghulam", "Bibi"}
PROVINCES = ["Kabul", "Logar", "Paktia", "Khost", "Zabul", "Uruzgan", "Helmand", "Farah",
             "Badakhshan", "Takhar", "Samangan", "Bamyan", "Daykundi", "Laghman"]  # fmt: skip

# Generic clerk habits on Latin spellings (applied now and then, once each).
HABITS = [("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("ou", "o"), ("q", "k"),
          ("a", "e"), ("w", "v"), ("ll", "l"), ("dd", "d"), ("s", "ss")]  # fmt: skip


@dataclass(frozen=True)
class Config:
    arabic: float = 0.12
    typo: float = 0.04
    drop_prefix: float = 0.15
    year_only: float = 0.18
    solar: float = 0.10
    swapped: float = 0.06
    tazkira: float = 0.45
    passport: float = 0.30
    damaged: float = 0.08
    own_phone: float = 0.3
    max_children: int = 6


CONFIGS = {
    "a": Config(),
    "b": Config(
        arabic=0.25,
        typo=0.07,
        drop_prefix=0.25,
        year_only=0.28,
        solar=0.15,
        swapped=0.1,
        tazkira=0.3,
        passport=0.2,
        damaged=0.15,
        own_phone=0.15,
        max_children=8,
    ),
}


@dataclass
class Person:
    person_id: str
    given: tuple[str, ...]
    father: tuple[str, ...]
    tribe: str | None
    sex: str
    born: dt.date
    phones: list[str] = field(default_factory=list)
    tazkira: str | None = None
    passport: str | None = None
    province: str = ""


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _phone(rng: random.Random) -> str:
    return "7" + rng.choice("0789") + _digits(rng, 7)


def _household(rng: random.Random, cfg: Config, index: int) -> list[Person]:
    hid = f"F{index:06d}"
    tribe = rng.choice(TRIBES) if rng.random() < 0.55 else None
    phone = _phone(rng)
    province = rng.choice(PROVINCES)
    head_born = dt.date(rng.randint(1950, 1998), rng.randint(1, 12), rng.randint(1, 28))
    head = Person(f"{hid}-0", rng.choice(MALE_NAMES), rng.choice(MALE_NAMES), tribe, "m",
                  head_born, [phone], province=province)  # fmt: skip
    people = [head]
    if rng.random() < 0.75:
        born = head_born + dt.timedelta(days=rng.randint(-1500, 3000))
        people.append(Person(f"{hid}-1", rng.choice(FEMALE_NAMES), rng.choice(MALE_NAMES),
                             rng.choice(TRIBES) if rng.random() < 0.3 else tribe, "f", born,
                             [phone], province=province))  # fmt: skip
    used = {head.given}
    for c in range(rng.randint(0, cfg.max_children)):
        sex = rng.choice("mf")
        pool = [n for n in (MALE_NAMES if sex == "m" else FEMALE_NAMES) if n not in used]
        given = rng.choice(pool)
        used.add(given)
        year = min(2020, head_born.year + rng.randint(18, 40))
        born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        people.append(Person(f"{hid}-{c + 2}", given, head.given, tribe, sex, born,
                             [phone], province=province))  # fmt: skip
    if rng.random() < 0.1:  # the head's brother lives with them: same father
        born = head_born + dt.timedelta(days=rng.randint(-3000, 3000))
        given = rng.choice([n for n in MALE_NAMES if n not in used])
        people.append(Person(f"{hid}-9", given, head.father, tribe, "m", born, [phone],
                             province=province))  # fmt: skip
    for p in people:
        adult = p.born.year < 2004
        if adult and rng.random() < cfg.own_phone:
            p.phones = [_phone(rng)] + (p.phones if rng.random() < 0.5 else [])
        if adult and rng.random() < cfg.tazkira * (1.0 if p.sex == "m" else 0.5):
            p.tazkira = _digits(rng, 13)
        if rng.random() < cfg.passport:
            p.passport = rng.choice("OP") + _digits(rng, 8)
    return people


def _spell(rng: random.Random, cfg: Config, part: str) -> str:
    _, variants = PARTS[part]
    text = part
    if variants and rng.random() < 0.45:
        text = rng.choice(variants)
    if rng.random() < 0.25:
        a, b = rng.choice(HABITS)
        text = text.replace(a, b, 1)
    if rng.random() < cfg.typo and len(text) > 4:
        i = rng.randrange(1, len(text) - 1)
        kind = rng.random()
        if kind < 0.4:
            text = text[:i] + text[i + 1 :]
        elif kind < 0.7:
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        else:
            text = text[:i] + rng.choice("aeioun") + text[i + 1 :]
    if text.endswith("h") and len(text) > 4 and rng.random() < 0.3:
        text = text[:-1]
    return text.capitalize() if part[0].isupper() else text.lower()


def _name(rng: random.Random, cfg: Config, parts: tuple[str, ...], arabic: bool) -> str:
    if len(parts) == 2 and parts[0] in DROPPABLE and rng.random() < cfg.drop_prefix:
        parts = parts[1:]
    if arabic:
        words = [PARTS[p][0] for p in parts]
        if len(words) == 2 and rng.random() < 0.5 and parts[0] != "Bibi":
            return "".join(words)
        return " ".join(words)
    words = [_spell(rng, cfg, p) for p in parts]
    if len(words) == 2:
        if words[1].islower():  # -ullah
            return words[0] + rng.choice(["", "", " ", "-"]) + words[1]
        how = rng.random()
        if how < 0.3:
            return words[0] + words[1].lower()
        if how < 0.38:
            return f"{words[0]}-{words[1]}"
    return " ".join(words)


def _dob(rng: random.Random, cfg: Config, born: dt.date, as_of: dt.date) -> str:
    r = rng.random()
    if r < cfg.year_only:
        return str(born.year) if rng.random() < 0.6 else f"01/01/{born.year}"
    r -= cfg.year_only
    if r < cfg.solar:
        solar = jdatetime.date.fromgregorian(date=born)
        if rng.random() < 0.3:
            return str(solar.year)
        return f"{solar.year}/{solar.month}/{solar.day}"
    r -= cfg.solar
    if r < cfg.swapped:
        return f"{born.month:02d}/{born.day:02d}/{born.year}"
    r -= cfg.swapped
    if r < 0.04:
        return f"{(as_of - born).days // 365} years"
    if r < 0.07:
        year = born.year + rng.choice([-1, 1, 10, -10])
        return f"{born.day}/{born.month}/{year}"
    if r < 0.12:
        return ""
    if r < 0.35:
        return born.isoformat()
    if r < 0.42:
        return born.strftime("%d-%b-%Y")
    return f"{born.day}/{born.month}/{born.year}"


def _damage(rng: random.Random, cfg: Config, digits: str) -> str:
    if rng.random() >= cfg.damaged:
        return digits
    i = rng.randrange(len(digits) - 1)
    if rng.random() < 0.5:
        return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    return digits[:i] + rng.choice("0123456789") + digits[i + 1 :]


def _documents(rng: random.Random, cfg: Config, p: Person) -> tuple[str, str]:
    tazkira = ""
    if p.tazkira and rng.random() < 0.7:
        t = _damage(rng, cfg, p.tazkira)
        tazkira = rng.choice([t, f"{t[:4]}-{t[4:8]}-{t[8:]}", f"{t[:4]} {t[4:8]} {t[8:]}"])
    passport = ""
    if p.passport and rng.random() < 0.6:
        passport = p.passport[0] + _damage(rng, cfg, p.passport[1:])
        if rng.random() < 0.1:
            passport = passport.replace("O", "0")
        if rng.random() < 0.1:
            passport = passport.lower()
    return tazkira, passport


def _phone_text(rng: random.Random, p: Person) -> str:
    if not p.phones or rng.random() < 0.25:
        return ""
    number = rng.choice(p.phones)
    return rng.choice(
        [f"0{number}", f"+93{number}", f"0093 {number}", f"+93 {number[:2]} {number[2:]}"]
    )


def _record(rng: random.Random, cfg: Config, p: Person, rid: str, as_of: dt.date) -> dict[str, str]:
    arabic = rng.random() < cfg.arabic
    given = _name(rng, cfg, p.given, arabic)
    father = _name(rng, cfg, p.father, arabic) if rng.random() < 0.8 else ""
    tribe = ""
    if p.tribe and rng.random() < 0.6:
        tribe = PARTS[p.tribe][0] if arabic else _spell(rng, cfg, p.tribe)
    row = {"full_name": "", "given_name": "", "family_name": "", "father_name": father}
    surname = tribe
    if not surname and father and rng.random() < 0.3:
        surname, row["father_name"] = father, ("" if rng.random() < 0.5 else father)
    layout = rng.random()
    if layout < 0.45:
        row["given_name"], row["family_name"] = given, surname
    elif layout < 0.5:
        row["given_name"], row["family_name"] = surname, given  # swapped fields
    else:
        row["full_name"] = " ".join(x for x in (given, surname) if x)
    tazkira, passport = _documents(rng, cfg, p)
    sex = p.sex if rng.random() < 0.75 else ""
    if sex and rng.random() < 0.02:
        sex = "m" if sex == "f" else "f"
    return {
        "record_id": rid,
        "channel": rng.choice(["web_form", "walk_in", "spreadsheet", "email", "referral"]),
        **row,
        "sex": {"m": rng.choice(["m", "M", "male"]), "f": rng.choice(["f", "F", "female"]),
                "": ""}[sex],
        "date_of_birth": _dob(rng, cfg, p.born, as_of),
        "phone": _phone_text(rng, p),
        "email": "",
        "passport_number": passport,
        "tazkira_number": tazkira,
        "siv_case_number": "",
        "province": p.province if rng.random() < 0.5 else "",
    }  # fmt: skip


AS_OF = dt.date(2022, 3, 1)


def heldout2_records(
    n_people: int, *, seed: int = 101, config: str = "a"
) -> Iterator[tuple[dict[str, str], str, str]]:
    """(row, person_id, household_id), about two rows per person, in shuffled order."""
    rng = random.Random(seed)
    cfg = CONFIGS[config]
    people: list[Person] = []
    index = 0
    while len(people) < n_people:
        index += 1
        people.extend(_household(rng, cfg, index))
    del people[n_people:]
    rows = []
    for p in people:
        for _ in range(rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 3, 4])):
            rows.append((p, rng.random()))
    rows.sort(key=lambda x: x[1])
    for i, (p, _) in enumerate(rows, 1):
        yield _record(rng, cfg, p, f"Q{i:07d}", AS_OF), p.person_id, p.person_id.split("-")[0]


def write(n_people: int, records: Path, truth: Path, *, seed: int, config: str) -> int:
    columns = ["record_id", "channel", "full_name", "given_name", "family_name",
               "father_name", "sex", "date_of_birth", "phone", "email", "passport_number",
               "tazkira_number", "siv_case_number", "province"]  # fmt: skip
    n = 0
    with records.open("w", newline="", encoding="utf-8") as r, truth.open("w", newline="") as t:
        rw, tw = csv.DictWriter(r, fieldnames=columns), csv.writer(t)
        rw.writeheader()
        tw.writerow(["record_id", "person_id", "household_id"])
        for row, person, household in heldout2_records(n_people, seed=seed, config=config):
            rw.writerow(row)
            tw.writerow([row["record_id"], person, household])
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=101)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="a")
    parser.add_argument("--records", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args()
    n = write(args.people, args.records, args.truth, seed=args.seed, config=args.config)
    print(f"{n} records for {args.people} people -> {args.records}, {args.truth}")


if __name__ == "__main__":
    main()
