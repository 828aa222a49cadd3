"""A synthetic SIV-desk inbox as an mbox, with its truth beside it (synthetic names only).

Written for this benchmark, independently of `haven seed`: households of 1-7 people; the
way they write (labelled English or Dari blocks, numbered family lists, a table, English
or Dari prose, the subject convention alone); repeat writers (the same family two to four
times, respelt, dates switched between calendars, now and then from another address);
sponsors writing for many families from one address; replies quoting the earlier message
(In-Reply-To); forwards from an office; attachments. The truth file says, per Message-ID,
which family wrote and which true person each named member is.

    python bench/mail_backlog/generate.py --messages 50000 --out /tmp/inbox.mbox
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

GIVEN_M = [
    ("Ahmad", "احمد"),
    ("Mohammad", "محمد"),
    ("Mahmood", "محمود"),
    ("Wali", "ولی"),
    ("Karim", "کریم"),
    ("Rahim", "رحیم"),
    ("Farid", "فرید"),
    ("Jawad", "جواد"),
    ("Nasir", "ناصر"),
    ("Omid", "امید"),
    ("Sohail", "سهیل"),
    ("Tariq", "طارق"),
    ("Zabihullah", "ذبیح الله"),
    ("Naqibullah", "نقیب الله"),
    ("Hamid", "حمید"),
    ("Bashir", "بشیر"),
    ("Qadir", "قادر"),
    ("Rafi", "رفیع"),
    ("Shafiq", "شفیق"),
    ("Yousuf", "یوسف"),
    ("Idris", "ادریس"),
    ("Khalid", "خالد"),
    ("Mansoor", "منصور"),
    ("Nabil", "نبیل"),
    ("Parwiz", "پرویز"),
    ("Samir", "سمیر"),
    ("Waheed", "وحید"),
]
GIVEN_F = [
    ("Laila", "لیلا"),
    ("Nilab", "نیلاب"),
    ("Fariba", "فریبا"),
    ("Maryam", "مریم"),
    ("Zahra", "زهرا"),
    ("Shabnam", "شبنم"),
    ("Nazifa", "نظیفه"),
    ("Mursal", "مرسل"),
    ("Freshta", "فرشته"),
    ("Habiba", "حبیبه"),
    ("Karima", "کریمه"),
    ("Mina", "مینا"),
    ("Parisa", "پریسا"),
    ("Roya", "رویا"),
    ("Sahar", "سحر"),
    ("Tamana", "تمنا"),
    ("Wahida", "وحیده"),
    ("Yalda", "یلدا"),
    ("Zarghona", "زرغونه"),
    ("Hadia", "هدیه"),
]
FAMILY = [
    ("Ahmadzai", "احمدزی"),
    ("Sadiqi", "صدیقی"),
    ("Rahimi", "رحیمی"),
    ("Hotak", "هوتک"),
    ("Karimi", "کریمی"),
    ("Stanikzai", "ستانکزی"),
    ("Popal", "پوپل"),
    ("Noori", "نوری"),
    ("Amiri", "امیری"),
    ("Hakimi", "حکیمی"),
    ("Safi", "صافی"),
    ("Wardak", "وردک"),
    ("Barakzai", "بارکزی"),
    ("Mohmand", "مومند"),
    ("Azizi", "عزیزی"),
    ("Haidari", "حیدری"),
    ("Jalali", "جلالی"),
    ("Kakar", "کاکړ"),
    ("Niazi", "نیازی"),
    ("Yousufzai", "یوسفزی"),
    ("Faizi", "فیضی"),
    ("Qaderi", "قادری"),
    ("Rasuli", "رسولی"),
    ("Sultani", "سلطانی"),
]
FATHER_PREFIX = ["", "", "Sayed ", "Gul ", "Haji ", "Mullah ", "Din ", "Abdul "]
RESPELL = {
    "Mohammad": ["Muhammad", "Mohammed", "Mohamad"],
    "Mahmood": ["Mahmud", "Mahmoud"],
    "Zabihullah": ["Zabiullah", "Zabihulla"],
    "Naqibullah": ["Naqibulla", "Naqeebullah"],
    "Yousuf": ["Yusuf", "Yosuf"],
    "Mansoor": ["Mansour", "Mansur"],
    "Waheed": ["Wahid"],
    "Freshta": ["Fereshta", "Fereshteh"],
    "Zahra": ["Zohra"],
    "Habiba": ["Habibah"],
    "Noori": ["Nuri"],
    "Sadiqi": ["Siddiqi", "Sediqi"],
    "Karimi": ["Kareemi"],
    "Popal": ["Popalzai"],
    "Hakimi": ["Hakeemi"],
    "Rasuli": ["Rasooli"],
    "Safi": ["Saafi"],
    "Parwiz": ["Parwez", "Parviz"],
    "Shafiq": ["Shafeeq"],
    "Rafi": ["Rafiullah"],
}
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "protonmail.com"]
OFFICES = ["siv-support@state-bench.example", "referrals@ngo-bench.example"]
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer\n%%EOF\n" + b"0" * 2000
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 3000


@dataclass
class Person:
    pid: int
    given: tuple[str, str]
    female: bool
    relation: str  # principal spouse child
    born: dt.date
    year_only: bool


@dataclass
class Household:
    fid: int
    family: tuple[str, str]
    father: str
    people: list[Person]
    address: str
    phone: str
    passport: str
    tazkira: str
    dari: bool
    messages: list[str] = field(default_factory=list)  # message ids sent so far
    subjects: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)


def _sh(date: dt.date) -> str:
    import jdatetime

    j = jdatetime.date.fromgregorian(date=date)
    return f"{j.year}/{j.month:02d}/{j.day:02d}"


class Inbox:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_pid = 1
        self.households: list[Household] = []
        self.sponsors = [f"sponsor{i}@bench-sponsors.example" for i in range(60)]
        self.sent = 0

    # People ----------------------------------------------------------------------------
    def household(self) -> Household:
        rng = self.rng
        female_principal = rng.random() < 0.25
        family = rng.choice(FAMILY)
        people = []
        born = dt.date(rng.randint(1960, 1998), rng.randint(1, 12), rng.randint(1, 28))
        principal = Person(
            self._pid(),
            rng.choice(GIVEN_F if female_principal else GIVEN_M),
            female_principal,
            "principal",
            born,
            rng.random() < 0.3,
        )
        people.append(principal)
        if rng.random() < 0.75:
            spouse_born = born + dt.timedelta(days=rng.randint(-3000, 3000))
            people.append(
                Person(
                    self._pid(),
                    rng.choice(GIVEN_M if female_principal else GIVEN_F),
                    not female_principal,
                    "spouse",
                    spouse_born,
                    rng.random() < 0.4,
                )
            )
        taken = {principal.given}
        for _ in range(rng.choice([0, 0, 1, 2, 2, 3, 3, 4, 5])):
            female = rng.random() < 0.5
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            if given in taken:
                continue  # siblings do not share a name
            taken.add(given)
            child_born = dt.date(rng.randint(2000, 2020), rng.randint(1, 12), rng.randint(1, 28))
            people.append(
                Person(self._pid(), given, female, "child", child_born, rng.random() < 0.3)
            )
        local = f"{principal.given[0].lower()}.{family[0].lower()}{rng.randint(1, 9999)}"
        return Household(
            fid=len(self.households) + 1,
            family=family,
            father=rng.choice(FATHER_PREFIX) + rng.choice(GIVEN_M)[0],
            people=people,
            address=f"{local}@{rng.choice(DOMAINS)}",
            phone=f"+93 7{rng.randint(0, 9)}{rng.randint(0, 9)} {rng.randint(100, 999)} "
            f"{rng.randint(100, 999)}",
            passport=rng.choice("PO") + f"{rng.randint(0, 99999999):08d}",
            tazkira=f"{rng.randint(1000, 1400)}-{rng.randint(1000, 9999)}-"
            f"{rng.randint(10000, 99999)}",
            dari=rng.random() < 0.3,
        )

    def _pid(self) -> int:
        self.next_pid += 1
        return self.next_pid - 1

    def spell(self, name: str, variant: bool) -> str:
        if variant and name in RESPELL and self.rng.random() < 0.6:
            return self.rng.choice(RESPELL[name])
        return name

    def dob(self, person: Person, variant: bool, dari: bool) -> str:
        if person.year_only:
            if dari or (variant and self.rng.random() < 0.3):
                return _sh(person.born)[:4]
            return str(person.born.year)
        if dari or (variant and self.rng.random() < 0.3):
            return _sh(person.born)
        return self.rng.choice(
            [
                person.born.strftime("%d/%m/%Y"),
                person.born.isoformat(),
                person.born.strftime("%d %B %Y"),
            ]
        )

    def name(self, h: Household, p: Person, variant: bool, dari: bool) -> str:
        if dari:
            first = p.given[1]
            return f"{first} {h.family[1]}" if p.relation == "principal" else first
        first = self.spell(p.given[0], variant)
        if p.relation == "principal":
            family = self.spell(h.family[0], variant)
            return f"{first} {family}" if self.rng.random() < 0.85 or not variant else first
        return first

    # Bodies ----------------------------------------------------------------------------
    def body(self, h: Household, style: str, variant: bool) -> tuple[str, list[Person]]:
        rng = self.rng
        p0 = h.people[0]
        others = h.people[1:]
        dari = h.dari and style in ("labelled", "prose")
        rel_en = {"spouse": ("wife", "husband"), "child": ("daughter", "son")}
        rel_fa = {"spouse": ("همسر", "همسر"), "child": ("دختر", "پسر")}

        def rel(p: Person, table: dict[str, tuple[str, str]]) -> str:
            return table[p.relation][0 if p.female else 1]

        named = list(h.people)
        if style == "labelled" and not dari:
            lines = [
                f"Name: {self.name(h, p0, variant, False)}",
                f"Father's name: {h.father}",
                f"Date of birth: {self.dob(p0, variant, False)}",
            ]
            if rng.random() < 0.6:
                lines.append(f"Passport: {h.passport}")
            if rng.random() < 0.5:
                lines.append(f"Phone: {h.phone}")
            lines.append("")
            for i, p in enumerate(others, 1):
                lines.append(
                    f"Family member {i}: {self.name(h, p, variant, False)}, {rel(p, rel_en)}, "
                    f"{self.dob(p, variant, False)}"
                )
            return "Dear SIV team,\n\n" + "\n".join(lines) + "\n\nPlease help us.\n", named
        if style == "labelled":
            lines = [
                f"نام: {self.name(h, p0, variant, True)}",
                f"نام پدر: {h.father}",
                f"تاریخ تولد: {self.dob(p0, variant, True)}",
                f"شماره تماس: {h.phone}",
                "",
            ]
            for p in others:
                lines.append(
                    f"{rel(p, rel_fa)}: {self.name(h, p, variant, True)} "
                    f"{self.dob(p, variant, True)}"
                )
            return "سلام\n" + "\n".join(lines) + "\nلطفا کمک کنید\n", named
        if style == "list":
            lines = [f"- {self.name(h, p0, variant, False)}, {self.dob(p0, variant, False)}"]
            for p in others:
                lines.append(
                    f"- {self.name(h, p, variant, False)}, {rel(p, rel_en)}, "
                    f"{self.dob(p, variant, False)}"
                )
            return "We are in hiding in Kabul. Our family:\n" + "\n".join(lines) + "\n", named
        if style == "table":
            lines = ["Name | Relation | DOB"]
            lines.append(
                f"{self.name(h, p0, variant, False)} | self | {self.dob(p0, variant, False)}"
            )
            for p in others:
                lines.append(
                    f"{self.name(h, p, variant, False)} | {rel(p, rel_en)} | "
                    f"{self.dob(p, variant, False)}"
                )
            return "Family details below.\n\n" + "\n".join(lines) + "\n", named
        if style == "prose" and dari:
            son = "دختر" if p0.female else "فرزند"
            text = (
                f"سلام، نام من {self.name(h, p0, variant, True)} {son} {h.father} است، "
                f"متولد {self.dob(p0, variant, True)}. "
            )
            spouse = [p for p in others if p.relation == "spouse"]
            if spouse:
                text += f"همسرم {self.name(h, spouse[0], variant, True)} است. "
            children = [p for p in others if p.relation == "child"]
            if children:
                text += f"{len(children)} طفل دارم. "
                named = [p0, *spouse]
            return text + "لطفا کمک کنید.\n", named
        # English prose
        son = "daughter" if p0.female else "son"
        text = (
            f"Dear Sir or Madam, my name is {self.name(h, p0, variant, False)}, {son} of "
            f"{h.father}, born {self.dob(p0, variant, False)}. I worked as an interpreter. "
        )
        if rng.random() < 0.5:
            text += f"My tazkira number is {h.tazkira} and my phone is {h.phone}. "
        if others and rng.random() < 0.7:
            items = " and ".join(
                f"{self.name(h, p, variant, False)} ({self.dob(p, variant, False)})" for p in others
            )
            text += f"I have {len(others)} family members with me: {items}. "
        elif others:
            children = [p for p in others if p.relation == "child"]
            spouse = [p for p in others if p.relation == "spouse"]
            if spouse:
                wife = "wife" if spouse[0].female else "husband"
                text += f"My {wife} {self.name(h, spouse[0], variant, False)} is with me. "
            if children:
                text += f"We have {len(children)} children. "
            named = [p0, *spouse]
        return text + "Please help us.\n", named

    # Messages --------------------------------------------------------------------------
    def message(self, when: dt.datetime) -> tuple[EmailMessage, dict[str, Any]]:
        rng = self.rng
        self.sent += 1
        mid = f"<bench-{self.sent}@inbox.example>"
        roll = rng.random()
        repeatable = [h for h in self.households[-3000:] if h.messages]
        if roll < 0.12 and repeatable:
            return self.reply(rng.choice(repeatable), mid, when)
        if roll < 0.14:
            return self.office_list(mid, when)
        if roll < 0.34 and repeatable:
            h = rng.choice(repeatable)  # writes again
            variant = True
        else:
            h = self.household()
            self.households.append(h)
            variant = False
        sponsor = rng.random() < 0.15
        if sponsor:
            sender = rng.choice(self.sponsors)
        elif variant and rng.random() < 0.15:
            sender = f"{h.address.split('@')[0]}.new@{rng.choice(DOMAINS)}"
        else:
            sender = h.address
        style = rng.choices(
            ["labelled", "list", "table", "prose", "subject"], weights=[30, 15, 8, 37, 10]
        )[0]
        p0 = h.people[0]
        if style == "subject":
            subject = f"{self.name(h, p0, variant, False)} {self.dob(p0, variant, False)}"
            body, named = "Please help me, I am in danger.\n", [p0]
        else:
            subject = rng.choice(
                [
                    "SIV application",
                    "Urgent help needed",
                    "Request for evacuation",
                    f"{self.name(h, p0, variant, False)} {self.dob(p0, variant, False)}",
                    "درخواست کمک",
                ]
            )
            body, named = self.body(h, style, variant)
        msg = self._msg(sender, subject, body, mid, when)
        if rng.random() < 0.2:
            data, kind = (
                (PDF, ("application", "pdf")) if rng.random() < 0.6 else (JPEG, ("image", "jpeg"))
            )
            msg.add_attachment(data, maintype=kind[0], subtype=kind[1], filename="document")
        h.messages.append(mid)
        h.subjects[mid] = subject
        h.bodies[mid] = body
        return msg, {
            "family": h.fid,
            "style": style,
            "sponsor": sponsor,
            "people": [[p.pid, p.given[0], p.given[1]] for p in named],
            "members": len(named),
        }

    def reply(
        self, h: Household, mid: str, when: dt.datetime
    ) -> tuple[EmailMessage, dict[str, Any]]:
        earlier = self.rng.choice(h.messages)
        body = (
            f"Thank you. My passport number is {h.passport}.\n\n"
            f"On Mon, 23 Aug 2021 at 10:00, SIV desk <siv@desk.example> wrote:\n"
            + "".join(f"> {line}\n" for line in h.bodies[earlier].splitlines())
        )
        msg = self._msg(h.address, "Re: " + h.subjects[earlier], body, mid, when)
        msg["In-Reply-To"] = earlier
        msg["References"] = earlier
        h.messages.append(mid)
        h.subjects[mid] = "Re: " + h.subjects[earlier]
        h.bodies[mid] = body
        return msg, {
            "family": h.fid,
            "style": "reply",
            "sponsor": False,
            "people": [],
            "members": 0,
        }

    def office_list(self, mid: str, when: dt.datetime) -> tuple[EmailMessage, dict[str, Any]]:
        count = self.rng.randint(3, 15)
        lines = [f"Please assist the following {count} families:", ""]
        for i in range(count):
            h = self.household()
            self.households.append(h)
            lines.append(
                f"Family {i + 1}: {self.name(h, h.people[0], False, False)}, "
                f"{self.dob(h.people[0], False, False)}, {len(h.people)} people"
            )
        msg = self._msg(
            self.rng.choice(OFFICES), "Fwd: families to assist", "\n".join(lines), mid, when
        )
        return msg, {
            "family": 0,
            "style": "office_list",
            "sponsor": True,
            "people": [],
            "members": 0,
            "families": count,
        }

    def _msg(
        self, sender: str, subject: str, body: str, mid: str, when: dt.datetime
    ) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = "siv-desk@desk.example"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(when)
        msg["Message-ID"] = mid
        msg.set_content(body)
        return msg


def write(messages: int, out: Path, seed: int = 13) -> Path:
    inbox = Inbox(seed)
    truth_path = out.with_suffix(".truth.jsonl")
    start = dt.datetime(2021, 8, 16, tzinfo=dt.UTC)
    with out.open("wb") as mbox, truth_path.open("w", encoding="utf-8") as truth:
        for n in range(messages):
            when = start + dt.timedelta(seconds=n * 37)
            msg, facts = inbox.message(when)
            data = msg.as_bytes().replace(b"\nFrom ", b"\n>From ")
            mbox.write(
                b"From bench@inbox.example "
                + when.strftime("%a %b %d %H:%M:%S %Y").encode()
                + b"\n"
            )
            mbox.write(data.rstrip(b"\n") + b"\n\n")
            truth.write(json.dumps({"message_id": msg["Message-ID"], **facts}) + "\n")
    return truth_path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    print(write(args.messages, args.out, args.seed))


if __name__ == "__main__":
    main()
