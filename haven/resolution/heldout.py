"""A small synthetic data generator, independent of `haven seed`, for tests and a held-out check.

Made differently on purpose: its own name lists and its own ways of garbling
them (random vowel and consonant swaps rather than a table of known variants),
so a rule tuned to one generator shows up here as an error. Fictional people only.

Writes the resolve-file CSV columns plus truth: person_id and household_id.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

import jdatetime

# (Latin, Arabic script) pairs.
MALE = [
    ("Mohammad", "محمد"), ("Ahmad", "احمد"), ("Mahmood", "محمود"), ("Hamid", "حمید"),
    ("Karim", "کریم"), ("Rahim", "رحیم"), ("Nasir", "ناصر"), ("Farid", "فرید"),
    ("Jawad", "جواد"), ("Sohail", "سهیل"), ("Habib", "حبیب"), ("Rashid", "رشید"),
    ("Wahid", "وحید"), ("Bashir", "بشیر"), ("Shafiq", "شفیق"), ("Tariq", "طارق"),
    ("Yousuf", "یوسف"), ("Idris", "ادریس"), ("Qadir", "قادر"), ("Khalil", "خلیل"),
    ("Jamil", "جمیل"), ("Naveed", "نوید"), ("Parwiz", "پرویز"), ("Sharif", "شریف"),
    ("Aziz", "عزیز"), ("Latif", "لطیف"), ("Zaman", "زمان"), ("Hussain", "حسین"),
    ("Zabihullah", "ذبیح الله"), ("Hayatullah", "حیات الله"), ("Naqibullah", "نقیب الله"),
    ("Abdul Rahman", "عبدالرحمن"), ("Abdul Ghafoor", "عبدالغفور"), ("Abdul Wali", "عبدالولی"),
    ("Gul Ahmad", "گل احمد"), ("Din Mohammad", "دین محمد"), ("Mohammad Zaman", "محمد زمان"),
    ("Noor Agha", "نور آغا"), ("Sayed Jalal", "سید جلال"), ("Mirwais", "میرویس"),
    ("Ghulam Sakhi", "غلام سخی"), ("Ehsan", "احسان"), ("Omid", "امید"), ("Shakib", "شکیب"),
]  # fmt: skip
FEMALE = [
    ("Fatima", "فاطمه"), ("Maryam", "مریم"), ("Zainab", "زینب"), ("Shabnam", "شبنم"),
    ("Nargis", "نرگس"), ("Farzana", "فرزانه"), ("Roya", "رویا"), ("Latifa", "لطیفه"),
    ("Malalai", "ملالی"), ("Parwana", "پروانه"), ("Sima", "سیما"), ("Khadija", "خدیجه"),
    ("Hamida", "حمیده"), ("Zarghona", "زرغونه"), ("Gulalai", "گلالی"), ("Nazifa", "نظیفه"),
    ("Shukria", "شکریه"), ("Mursal", "مرسل"), ("Wahida", "وحیده"), ("Nilofar", "نیلوفر"),
]  # fmt: skip
FAMILY = [
    ("Ahmadzai", "احمدزی"), ("Popalzai", "پوپلزی"), ("Barakzai", "بارکزی"),
    ("Yousufzai", "یوسفزی"), ("Stanekzai", "ستانکزی"), ("Karimi", "کریمی"), ("Rahimi", "رحیمی"),
    ("Hashimi", "هاشمی"), ("Sultani", "سلطانی"), ("Wardak", "وردک"), ("Safi", "صافی"),
    ("Niazi", "نیازی"), ("Mohmand", "مهمند"), ("Noori", "نوری"), ("Amiri", "امیری"),
]  # fmt: skip
PROVINCES = ["Kabul", "Herat", "Kandahar", "Balkh", "Nangarhar", "Kunduz", "Ghazni", "Parwan"]

_VOWEL_SWAPS = [("o", "u"), ("u", "o"), ("e", "i"), ("i", "e"), ("a", "aa"), ("ee", "i")]
_CONSONANT_SWAPS = [("q", "k"), ("kh", "k"), ("w", "v"), ("gh", "g"), ("mm", "m"), ("d", "dd")]


@dataclass
class Person:
    person_id: str
    household_id: str
    given: tuple[str, str]
    family: tuple[str, str] | None
    father: tuple[str, str]
    sex: str
    dob: dt.date
    phone: str
    province: str
    passport: str | None
    tazkira: str | None


def _garble(rng: random.Random, name: str) -> str:
    """Re-spell a Latin name the way a different clerk might."""
    text = name.lower()
    for _ in range(rng.choice([0, 1, 1, 2])):
        a, b = rng.choice(_VOWEL_SWAPS + _CONSONANT_SWAPS)
        if a in text:
            text = text.replace(a, b, 1)
    if " " in text and rng.random() < 0.4:  # compound joined
        text = text.replace(" ", "")
    if text.endswith("ullah") and rng.random() < 0.3:
        text = text[:-5] + rng.choice([" ullah", "-ullah", "ulla"])
    if text.endswith("zai") and rng.random() < 0.3:
        text = text[:-3] + rng.choice(["zay", " zai"])
    return text.title()


def _household(rng: random.Random, index: int) -> list[Person]:
    household_id = f"H{index:06d}"
    father = rng.choice(MALE)
    family = rng.choice(FAMILY) if rng.random() < 0.6 else None
    phone = "07" + "".join(rng.choice("0123456789") for _ in range(8))
    province = rng.choice(PROVINCES)
    size = rng.choice([1, 1, 2, 3, 4, 5, 6])
    used: set[str] = set()
    people = []
    for member in range(size):
        sex = rng.choice("mf")
        pool = [n for n in (MALE if sex == "m" else FEMALE) if n[0] not in used]
        given = rng.choice(pool)
        used.add(given[0])
        born = dt.date(rng.randint(1960, 2018), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.2:
            born = born.replace(month=1, day=1)
        passport = (
            f"{rng.choice('OP')}{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.35 else None
        )
        tazkira = (
            "".join(rng.choice("0123456789") for _ in range(13)) if rng.random() < 0.4 else None
        )
        people.append(
            Person(f"{household_id}-{member}", household_id, given, family, father, sex, born,
                   phone, province, passport, tazkira)
        )  # fmt: skip
    return people


def _dob_text(rng: random.Random, born: dt.date) -> str:
    style = rng.random()
    if style < 0.35:
        return f"{born.day:02d}/{born.month:02d}/{born.year}"
    if style < 0.5:
        return born.isoformat()
    if style < 0.65:
        return str(born.year)
    if style < 0.75:
        solar = jdatetime.date.fromgregorian(date=born)
        return f"{solar.year}/{solar.month:02d}/{solar.day:02d}"
    if style < 0.82:
        return f"{born.month:02d}/{born.day:02d}/{born.year}"  # month first
    if style < 0.88:
        return str(born.year + rng.choice([-1, 1]))  # from an age, off by one
    if style < 0.93:
        return born.strftime("%d %b %Y")
    return ""


def _name_fields(rng: random.Random, person: Person) -> dict[str, str]:
    arabic = rng.random() < 0.15
    pick = 1 if arabic else 0
    given = person.given[pick] if arabic else _garble(rng, person.given[0])
    family = person.family[pick] if person.family else ""
    if family and not arabic:
        family = _garble(rng, family)
    father = person.father[pick] if arabic else _garble(rng, person.father[0])
    fields = {"full_name": "", "given_name": "", "family_name": "", "father_name": father}
    if not family and rng.random() < 0.3:
        family, fields["father_name"] = father, ""  # father's name where a surname is asked
    if rng.random() < 0.4:
        parts = [given, family] if rng.random() < 0.8 else [family, given]
        fields["full_name"] = " ".join(p for p in parts if p)
    else:
        fields["given_name"], fields["family_name"] = given, family
    if rng.random() < 0.1:
        fields["father_name"] = ""
    return fields


def _identifier_text(rng: random.Random, person: Person) -> tuple[str, str]:
    passport = person.passport or ""
    if passport and rng.random() < 0.15:
        passport = passport.replace("0", "O").lower()
    if rng.random() < 0.4:
        passport = ""
    tazkira = person.tazkira or ""
    if tazkira and rng.random() < 0.5:
        tazkira = f"{tazkira[:4]}-{tazkira[4:8]}-{tazkira[8:]}"
    if rng.random() < 0.4:
        tazkira = ""
    return passport, tazkira


def _record(rng: random.Random, person: Person, record_id: str) -> dict[str, str]:
    passport, tazkira = _identifier_text(rng, person)
    phone = person.phone if rng.random() < 0.7 else ""
    if phone and rng.random() < 0.4:
        phone = "+93 " + phone[1:]
    return {
        "record_id": record_id,
        "channel": rng.choice(["web_form", "walk_in", "spreadsheet", "email"]),
        **_name_fields(rng, person),
        "sex": person.sex if rng.random() < 0.8 else "",
        "date_of_birth": _dob_text(rng, person.dob),
        "phone": phone,
        "email": "",
        "passport_number": passport,
        "tazkira_number": tazkira,
        "siv_case_number": "",
        "province": person.province if rng.random() < 0.6 else "",
        "person_id": person.person_id,
        "household_id": person.household_id,
    }


def heldout_records(n_records: int, *, seed: int = 7) -> Iterator[dict[str, str]]:
    """About n_records rows: each person appears one to four times."""
    rng = random.Random(seed)
    made = 0
    household = 0
    while made < n_records:
        household += 1
        for person in _household(rng, household):
            for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
                if made >= n_records:
                    return
                made += 1
                yield _record(rng, person, f"R{made:07d}")
