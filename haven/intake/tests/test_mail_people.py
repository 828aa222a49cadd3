"""E-mail import reads every person a message names, with relationships, through `haven
import-mail`; uncertain readings go to data entry with a flag that says why."""

from __future__ import annotations

import io
import json
import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command

from haven.cases.models import CaseRequest
from haven.intake.models import MailMessage, Request, Requester

pytestmark = pytest.mark.django_db


def message(
    subject: str,
    body: str,
    *,
    message_id: str,
    sender: str = "writer@example.org",
    in_reply_to: str = "",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "siv-desk@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    return msg


def run(path: Path) -> dict[str, int]:
    out = io.StringIO()
    call_command("import_mail", str(path), "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def import_messages(tmp_path: Path, *messages: EmailMessage) -> dict[str, int]:
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    for msg in messages:
        box.add(msg)
    box.flush()
    return run(tmp_path / "inbox.mbox")


def people(request: Request) -> list[tuple[str, str, str]]:
    return [
        (r.relationship, r.full_name or r.given_name, str(r.dob.year) if r.dob else "")
        for r in request.person_records.order_by("position")
    ]


def request_of(message_id: str) -> Request:
    for stored in MailMessage.objects.select_related("request"):
        if stored.message_id == message_id:
            return stored.request
    raise AssertionError(message_id)


def test_it_reads_a_labelled_block_with_a_numbered_family_list(tmp_path):
    body = (
        "Dear SIV team,\n\nName: Gul Ahmad Stanikzai\nFather's name: Mohammad Zaman\n"
        "Date of birth: 1365/04/12\nPassport: P12345678\n\n"
        "Family member 1: Laila, wife, 1990\nFamily member 2: Omid, son, 12 March 2012\n"
    )
    import_messages(tmp_path, message("SIV application", body, message_id="<a@x>"))
    request = request_of("<a@x>")
    assert people(request) == [
        ("principal", "Gul Ahmad Stanikzai", "1986"),
        ("spouse", "Laila", "1990"),
        ("child", "Omid", "2012"),
    ]
    principal = request.person_records.get(position=0)
    assert principal.father_name == "Mohammad Zaman"
    assert "dob_solar_hijri" in principal.flags
    assert principal.identifiers.get(kind="passport").normalized == "P12345678"
    assert not request.needs_data_entry
    # One household, one case, with all three in it.
    case = CaseRequest.objects.get(request=request).case
    assert case.members.count() == 3


def test_it_reads_plain_sentences_and_flags_children_it_cannot_name(tmp_path):
    body = (
        "Dear Sir, my name is Nilab Sadiqi, daughter of Sayed Ahmad, born 23/12/1982. "
        "My tazkira number is 1398-0102-12345 and my phone is +93 700 123 456. "
        "My husband Jawad is with me and we have 3 children.\n"
    )
    inline = "I have 2 family members with me: Laila (1990) and Omid (2012). Please help."
    import_messages(
        tmp_path,
        message("Help", body, message_id="<p@x>", sender="nilab@example.org"),
        message("Karim Popal 1984", inline, message_id="<q@x>", sender="karim@example.org"),
    )
    nilab = request_of("<p@x>")
    assert people(nilab) == [("principal", "Nilab Sadiqi", "1982"), ("spouse", "Jawad", "")]
    principal = nilab.person_records.get(position=0)
    assert (principal.father_name, principal.sex) == ("Sayed Ahmad", "f")
    assert {i.kind: i.normalized for i in principal.identifiers.all()} == {
        "e_tazkira": "1398010212345",
        "phone": "+93700123456",
        "email": "nilab@example.org",
    }
    # Three children mentioned, none named: never guessed, sent to data entry, counted.
    assert nilab.needs_data_entry
    assert "members_unnamed:3" in nilab.mail_message.flags
    karim = request_of("<q@x>")
    assert people(karim) == [
        ("principal", "Karim Popal", "1984"),
        ("other", "Laila", "1990"),
        ("other", "Omid", "2012"),
    ]
    assert not karim.needs_data_entry


def test_it_reads_dari_and_pashto_blocks_and_dari_prose(tmp_path):
    dari_block = "سلام\nنام: نیلاب صدیقی\nنام پدر: سید احمد\nتاریخ تولد: ۱۳۶۱/۱۰/۰۲\nهمسر: جواد ۱۳۵۸\nدختر: مریم ۱۳۹۰\n"
    pashto_block = "بشپړ نوم: ګل احمد\nد پلار نوم: محمد زمان\nد زیږیدو نیټه: ۱۳۶۵\n"
    dari_prose = "سلام، نام من احمد ولی فرزند غلام سخی است، متولد ۱۳۶۰. همسرم فریبا است."
    import_messages(
        tmp_path,
        message("درخواست کمک", dari_block, message_id="<d1@x>", sender="a@example.org"),
        message("مرسته", pashto_block, message_id="<d2@x>", sender="b@example.org"),
        message("درخواست", dari_prose, message_id="<d3@x>", sender="c@example.org"),
    )
    assert people(request_of("<d1@x>")) == [
        ("principal", "نیلاب صدیقی", "1982"),
        ("spouse", "جواد", "1979"),
        ("child", "مریم", "2011"),
    ]
    assert request_of("<d1@x>").person_records.get(position=0).father_name == "سید احمد"
    assert people(request_of("<d2@x>")) == [("principal", "ګل احمد", "1986")]
    dari = request_of("<d3@x>")
    assert people(dari) == [("principal", "احمد ولی", "1981"), ("spouse", "فریبا", "")]
    assert dari.person_records.get(position=0).father_name == "غلام سخی"


def test_it_reads_a_simple_table_and_a_bulleted_list(tmp_path):
    table = "Details:\n\nName | Relation | DOB\nAhmad Khan | self | 1980\nSara | wife | 1985\nAli | son | 2010\n"
    bullets = "Our family:\n- Wali Hotak, 1975\n- Roya, wife, 1980\n- Tamana, daughter, 2005\n"
    import_messages(
        tmp_path,
        message("List", table, message_id="<t@x>", sender="t@example.org"),
        message("List", bullets, message_id="<b@x>", sender="u@example.org"),
    )
    assert people(request_of("<t@x>")) == [
        ("principal", "Ahmad Khan", "1980"),
        ("spouse", "Sara", "1985"),
        ("child", "Ali", "2010"),
    ]
    assert people(request_of("<b@x>")) == [
        ("principal", "Wali Hotak", "1975"),
        ("spouse", "Roya", "1980"),
        ("child", "Tamana", "2005"),
    ]


def test_a_reply_reads_only_its_new_text_and_joins_the_request_it_answers(tmp_path):
    first = message(
        "Farid Amiri 1979", "Please help us.", message_id="<f1@x>", sender="f@example.org"
    )
    reply = message(
        "Re: Farid Amiri 1979",
        "My passport number is P87654321.\n\nOn Mon, 23 Aug 2021 at 10:00, SIV desk <d@x> wrote:\n"
        "> Name: Someone Else\n> Date of birth: 1950\n",
        message_id="<f2@x>",
        sender="f@example.org",
        in_reply_to="<f1@x>",
    )
    import_messages(tmp_path, first)
    (tmp_path / "inbox.mbox").unlink()
    import_messages(tmp_path, reply)
    answer = request_of("<f2@x>")
    # The quoted "Someone Else" is not read again; the reply's own words are.
    assert all(name != "Someone Else" for _r, name, _y in people(answer))
    assert "P87654321" in answer.help_requested
    original = request_of("<f1@x>")
    assert (
        CaseRequest.objects.get(request=answer).case_id
        == CaseRequest.objects.get(request=original).case_id
    )


def test_a_forward_is_read_and_an_office_list_of_families_goes_to_data_entry(tmp_path):
    forward = message(
        "Fwd: help",
        "Please see below.\n\n---------- Forwarded message ---------\nFrom: Applicant <ap@x>\n"
        "Date: Mon, 23 Aug 2021\nSubject: Rahim Noori 1981\nTo: sponsor@x\n\n"
        "Name: Rahim Noori\nDate of birth: 1981\nWife: Habiba, 1985\n",
        message_id="<w@x>",
        sender="sponsor@example.org",
    )
    office = message(
        "Fwd: families to assist",
        "Please assist the following 12 families:\n\nFamily 1: Ahmad Safi, 1980\n"
        "Family 2: Wali Wardak, 1977\n",
        message_id="<o@x>",
        sender="office@state.example",
    )
    import_messages(tmp_path, forward, office)
    forwarded = request_of("<w@x>")
    assert people(forwarded) == [("principal", "Rahim Noori", "1981"), ("spouse", "Habiba", "1985")]
    assert "forwarded_read" in forwarded.mail_message.flags
    listed = request_of("<o@x>")
    assert listed.needs_data_entry and not listed.person_records.exists()
    assert "family_list_count:12:2" in listed.mail_message.flags


def test_a_sponsors_address_is_a_requester_and_an_applicants_is_evidence(tmp_path):
    sponsor = "volunteer@example.org"
    families = [
        message(
            f"{name} {year}", "Please help this family.", message_id=f"<s{i}@x>", sender=sponsor
        )
        for i, (name, year) in enumerate(
            [("Tariq Hakimi", 1980), ("Sohail Kakar", 1975), ("Idris Safi", 1990)]
        )
    ]
    again = [
        message("Mohammad Bashir 1982", "help", message_id="<r1@x>", sender="bashir@example.org"),
        message(
            "Muhammad Bashir 1982", "help again", message_id="<r2@x>", sender="bashir@example.org"
        ),
    ]
    import_messages(tmp_path, *families, *again)
    kinds = [getattr(request_of(f"<s{i}@x>").requester, "kind", "") for i in range(3)]
    emails = [
        request_of(f"<s{i}@x>").person_records.get().identifiers.filter(kind="email").count()
        for i in range(3)
    ]
    # The first family carries the address until the second shows it writes for many.
    assert kinds == [Requester.Kind.APPLICANT, Requester.Kind.SPONSOR, Requester.Kind.SPONSOR]
    assert emails == [1, 0, 0]
    # The three families are three cases; the applicant writing twice (respelt) is one.
    cases = {CaseRequest.objects.get(request=request_of(f"<s{i}@x>")).case_id for i in range(3)}
    assert len(cases) == 3
    first, second = request_of("<r1@x>"), request_of("<r2@x>")
    assert (
        CaseRequest.objects.get(request=first).case_id
        == CaseRequest.objects.get(request=second).case_id
    )
