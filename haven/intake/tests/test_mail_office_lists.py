"""An office's or a sponsor's list of families in one e-mail becomes one request per family,
each keeping the whole message and saying which family it is; a list that cannot be taken
apart with confidence is one data-entry item whose flag says why. Synthetic names only."""

from __future__ import annotations

import io
import json
import mailbox
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from haven.cases.models import CaseRequest
from haven.intake.importing.mail import MailItem, mail_flag_label, parse_message, raw_bytes
from haven.intake.models import MailMessage, MailMessagePart, PersonRecord, Request, Requester

pytestmark = pytest.mark.django_db

OFFICE = "desk@office.example"


def message(
    subject: str, body: str, *, message_id: str, sender: str = OFFICE, in_reply_to: str = ""
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Assistance Desk <{sender}>"
    msg["To"] = "siv-desk@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    return msg


def import_messages(tmp_path: Path, *messages: EmailMessage) -> dict[str, int]:
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    for msg in messages:
        box.add(msg)
    box.flush()
    out = io.StringIO()
    call_command(
        "import_mail", str(tmp_path / "inbox.mbox"), "--json", stdout=out, stderr=io.StringIO()
    )
    return json.loads(out.getvalue().strip().splitlines()[-1])


def stored(message_id: str) -> MailMessage:
    return next(m for m in MailMessage.objects.all() if m.message_id == message_id)


def families(message_id: str) -> list[Request]:
    parts = MailMessagePart.objects.filter(message=stored(message_id)).select_related("request")
    return [part.request for part in parts.order_by("position")]


def people(request: Request) -> list[tuple[str, str, str]]:
    return [
        (r.relationship, r.full_name or r.given_name, r.dob_as_written)
        for r in request.person_records.order_by("position")
    ]


ENGLISH_LIST = """Dear colleagues,

Please assist the following 3 families, all in Islamabad now.

Family 1: Ahmad Safi, 1980, wife Laila Safi 1985, sons Omid 2010 and Farid 2012
Family 2:
Name: Wali Wardak
Date of birth: 1977
Wife: Zarina, 1980
Daughter: Mina, 2005
Family 3: Karim Noori (head of household), born 12/03/1970, passport P12345678
- Habiba Noori, wife, 1975
- Samir, son, 2001

Regards,
Assistance Desk
"""


def test_an_english_list_of_three_families_becomes_three_requests(tmp_path):
    counts = import_messages(
        tmp_path, message("Fwd: families to assist", ENGLISH_LIST, message_id="<en@x>")
    )
    assert counts["imported"] == 1
    one, two, three = families("<en@x>")
    assert people(one) == [
        ("principal", "Ahmad Safi", "1980"),
        ("spouse", "Laila Safi", "1985"),
        ("child", "Omid", "2010"),
        ("child", "Farid", "2012"),
    ]
    assert people(two) == [
        ("principal", "Wali Wardak", "1977"),
        ("spouse", "Zarina", "1980"),
        ("child", "Mina", "2005"),
    ]
    assert people(three) == [
        ("principal", "Karim Noori", "12/03/1970"),
        ("spouse", "Habiba Noori", "1975"),
        ("child", "Samir", "2001"),
    ]
    passport = three.person_records.get(position=0).identifiers.get()
    assert (passport.kind, passport.value_as_written) == ("passport", "P12345678")
    # Each family is a request of its own, in a case of its own, none for data entry.
    assert Request.objects.count() == 3
    assert len({CaseRequest.objects.get(request=r).case_id for r in (one, two, three)}) == 3
    assert not any(r.needs_data_entry for r in (one, two, three))
    # Each keeps the whole message and says which family of it it is.
    mail = stored("<en@x>")
    raw = message("Fwd: families to assist", ENGLISH_LIST, message_id="<en@x>").as_bytes()
    for position, request in enumerate((one, two, three), start=1):
        assert raw_bytes(request.raw_input, request.raw_content_type) == raw
        assert (request.mail_part.message_id, request.mail_part.position) == (mail.pk, position)
        assert request.mail_part.of == 3
        # The sender is the families' requester, not one of them.
        assert request.requester is not None
        assert request.requester is not None and request.requester.kind == Requester.Kind.SPONSOR
        assert request.requester.contact == OFFICE
        assert not request.person_records.filter(identifiers__kind="email").exists()
    assert mail.request == one and "family_list_split:3" in mail.flags
    assert "Wali Wardak" in two.mail_part.excerpt and "Ahmad" not in two.mail_part.excerpt


def test_a_dari_list_is_split_by_its_family_headers(tmp_path):
    body = (
        "سلام علیکم،\nلطفاً به ۲ خانواده های ذیل کمک کنید:\n\n"
        "خانواده ۱: احمد صافی، ۱۳۵۹، همسر: لیلا ۱۳۶۴، پسر: امید ۱۳۸۹\n"
        "خانواده ۲: ولی وردک، ۱۳۵۶، دختر: مینا ۱۳۸۴\n"
    )
    import_messages(tmp_path, message("خانواده ها", body, message_id="<fa@x>"))
    one, two = families("<fa@x>")
    assert people(one) == [
        ("principal", "احمد صافی", "1359"),
        ("spouse", "لیلا", "1364"),
        ("child", "امید", "1389"),
    ]
    assert people(two) == [("principal", "ولی وردک", "1356"), ("child", "مینا", "1384")]
    assert one.person_records.get(position=2).sex == "m"
    assert two.person_records.get(position=1).sex == "f"


def test_a_table_with_a_family_column_and_a_numbered_list_are_split(tmp_path):
    table = (
        "Please assist the families below.\n\n"
        "Family | Name | Relation | DOB\n"
        "1 | Ahmad Safi | head | 1980\n"
        "1 | Laila Safi | wife | 1985\n"
        "2 | Wali Wardak | head | 1977\n"
        "2 | Mina Wardak | daughter | 2005\n"
    )
    numbered = (
        "Please assist the following families:\n"
        "1. Sohail Kakar 1975, wife Nadia 1979\n"
        "2. Idris Amiri 1990\n"
        "   1) Parwin, wife, 1992\n"
        "   2) Yama, son, 2015\n"
    )
    import_messages(
        tmp_path,
        message("families", table, message_id="<t@x>"),
        message("families", numbered, message_id="<n@x>"),
    )
    assert [people(r) for r in families("<t@x>")] == [
        [("principal", "Ahmad Safi", "1980"), ("spouse", "Laila Safi", "1985")],
        [("principal", "Wali Wardak", "1977"), ("child", "Mina Wardak", "2005")],
    ]
    assert [people(r) for r in families("<n@x>")] == [
        [("principal", "Sohail Kakar", "1975"), ("spouse", "Nadia", "1979")],
        [
            ("principal", "Idris Amiri", "1990"),
            ("spouse", "Parwin", "1992"),
            ("child", "Yama", "2015"),
        ],
    ]


def test_a_stated_count_that_does_not_match_is_one_data_entry_item_that_says_so(tmp_path):
    listed = "\n".join(f"Family {i}: Person{chr(64 + i)} Safi, {1970 + i}" for i in range(1, 11))
    body = f"Please assist the following 12 families:\n\n{listed}\n"
    import_messages(tmp_path, message("Fwd: 12 families", body, message_id="<c@x>"))
    request = Request.objects.get()
    mail = stored("<c@x>")
    assert mail.flags == ["family_list_count:12:10"]
    assert mail_flag_label(mail.flags[0]) == "Office list: 12 families stated, 10 found"
    assert request.needs_data_entry and not request.person_records.exists()
    assert not MailMessagePart.objects.exists()
    assert request.requester is not None and request.requester.kind == Requester.Kind.SPONSOR


def test_an_unlabelled_blob_of_names_is_one_data_entry_item(tmp_path):
    body = "Please assist the following families: Ahmad Safi Laila Wali Wardak Zarina Mina Karim"
    import_messages(tmp_path, message("families", body, message_id="<b@x>"))
    request = Request.objects.get()
    assert stored("<b@x>").flags == ["family_list"]
    assert request.needs_data_entry and not request.person_records.exists()


def test_one_family_with_unnamed_children_goes_to_data_entry_alone(tmp_path):
    body = (
        "Please assist the following 2 families:\n"
        "Family 1: Ahmad Safi, 1980, wife Laila 1985\n"
        "Family 2: Wali Wardak, 1977. He has 3 children.\n"
    )
    import_messages(tmp_path, message("families", body, message_id="<u@x>"))
    one, two = families("<u@x>")
    assert not one.needs_data_entry
    assert two.needs_data_entry and "members_unnamed:3" in two.mail_part.flags
    assert people(two) == [("principal", "Wali Wardak", "1977")]


def test_a_list_of_300_families_is_flagged_fast_and_not_split(tmp_path):
    listed = "\n".join(f"{i}. Person{chr(65 + i % 26)} Safi {1950 + i % 50}" for i in range(1, 301))
    msg = message(
        "families", f"Please assist the following families:\n{listed}\n", message_id="<l@x>"
    )
    started = time.perf_counter()
    parsed = parse_message(MailItem("list.eml", msg.as_bytes()))
    elapsed = time.perf_counter() - started
    assert parsed.flags == ["family_list_too_long:300"] and not parsed.families
    assert elapsed < 5  # a linear scan of the lines; well under a second unloaded
    import_messages(tmp_path, msg)
    request = Request.objects.get()
    assert request.needs_data_entry and not request.person_records.exists()
    assert stored("<l@x>").flags == ["family_list_too_long:300"]


def test_only_the_forwarded_list_is_read_and_its_quoted_history_is_not(tmp_path):
    body = (
        "FYI, from the embassy below.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Embassy Desk <embassy@office.example>\n"
        "Date: Mon, 23 Aug 2021\n"
        "Subject: Families to assist\n"
        "To: sponsor@example.org\n\n"
        "Please assist the following 2 families:\n"
        "Family 1: Ahmad Safi, 1980\n"
        "Family 2: Wali Wardak, 1977\n\n"
        "On Sun, 22 Aug 2021 at 10:00, Embassy Desk <embassy@office.example> wrote:\n"
        "> Please assist the following 3 families:\n"
        "> Family 1: Ahmad Safi, 1980\n"
        "> Family 2: Wali Wardak, 1977\n"
        "> Family 3: Quoted Person, 1960\n"
    )
    import_messages(
        tmp_path, message("Fwd: Families to assist", body, message_id="<f@x>", sender="s@x.org")
    )
    assert [people(r) for r in families("<f@x>")] == [
        [("principal", "Ahmad Safi", "1980")],
        [("principal", "Wali Wardak", "1977")],
    ]
    assert Request.objects.count() == 2
    assert not any("Quoted" in r.full_name for r in PersonRecord.objects.all())


def test_importing_the_same_list_again_imports_nothing_twice(tmp_path):
    msg = message("Fwd: families to assist", ENGLISH_LIST, message_id="<again@x>")
    assert import_messages(tmp_path, msg)["imported"] == 1
    again = tmp_path / "again"
    again.mkdir()
    counts = import_messages(again, msg)
    assert (counts["imported"], counts["skipped"]) == (0, 1)
    assert Request.objects.count() == 3
    assert MailMessagePart.objects.count() == 3 and MailMessage.objects.count() == 1


def test_a_reply_to_a_list_joins_no_single_family(tmp_path):
    import_messages(tmp_path, message("Fwd: families", ENGLISH_LIST, message_id="<list@x>"))
    first = families("<list@x>")[0]
    later = tmp_path / "later"
    later.mkdir()
    reply = message(
        "Re: families", "Any news on these families?", message_id="<re@x>", in_reply_to="<list@x>"
    )
    import_messages(later, reply)
    answer = stored("<re@x>")
    assert answer.request.in_reply_to is None
    assert "reply_to_family_list" in answer.flags
    assert CaseRequest.objects.get(request=answer.request).case_id != (
        CaseRequest.objects.get(request=first).case_id
    )


def test_a_message_about_one_family_is_not_a_list(tmp_path):
    body = "Family 1: Ahmad Safi, 1980\nWife: Laila, 1985\n"
    import_messages(tmp_path, message("Ahmad Safi 1980", body, message_id="<one@x>", sender="a@x"))
    request = Request.objects.get()
    assert not MailMessagePart.objects.exists()
    assert request.requester is not None
    assert request.requester.kind == Requester.Kind.APPLICANT
    assert not any(f.startswith("family_list") for f in stored("<one@x>").flags)


def test_staff_see_which_family_of_the_message_a_request_is(tmp_path, client_for, intake_officer):
    import_messages(tmp_path, message("Fwd: families", ENGLISH_LIST, message_id="<p@x>"))
    second = families("<p@x>")[1]
    url = reverse("importing:original", args=[second.receipt_number])
    page = client_for(intake_officer).get(url).content.decode()
    assert "Family 2 of 3 in this message" in page
    assert "A list of 3 families: one request for each" in page
    assert "Wali Wardak" in page


def test_the_data_entry_queue_says_why_in_the_readers_language(
    tmp_path, client_for, intake_officer
):
    listed = "\n".join(f"Family {i}: Person{chr(64 + i)} Safi, {1970 + i}" for i in range(1, 11))
    import_messages(
        tmp_path,
        message(
            "families", f"Please assist the following 12 families:\n{listed}\n", message_id="<q@x>"
        ),
    )
    client = client_for(intake_officer)
    english = client.get(reverse("cases:data_entry"), HTTP_ACCEPT_LANGUAGE="en").text
    assert "Office list: 12 families stated, 10 found" in english
    dari = client.get(reverse("cases:data_entry"), HTTP_ACCEPT_LANGUAGE="fa-af").text
    assert "فهرست اداره: 12 خانواده ذکر شده، 10 خانواده یافت شد" in dari
    pashto = client.get(reverse("cases:data_entry"), HTTP_ACCEPT_LANGUAGE="ps").text
    assert "د دفتر لړلیک: 12 کورنۍ ویل شوې، 10 وموندل شوې" in pashto


def test_a_familys_data_entry_and_case_pages_say_which_family_and_why(
    tmp_path, client_for, intake_officer, caseworker
):
    body = (
        "Please assist the following 2 families:\n"
        "Family 1: Ahmad Safi, 1980, wife Laila 1985\n"
        "Family 2: Wali Wardak, 1977. He has 3 children.\n"
    )
    import_messages(tmp_path, message("families", body, message_id="<d@x>"))
    second = families("<d@x>")[1]
    entry = client_for(intake_officer).get(
        reverse("cases:data_entry_complete", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="fa-af"
    )
    assert "خانوادهٔ 2 از 2 در این پیام" in entry.text
    assert "3 عضو خانواده ذکر شده‌اند ولی نامشان نیامده است" in entry.text
    case = CaseRequest.objects.get(request=second).case_id
    page = (
        client_for(caseworker)
        .get(reverse("cases:detail", args=[case]), HTTP_ACCEPT_LANGUAGE="ps")
        .text
    )
    assert "د 2 کورنیو لړلیک: هرې کورنۍ ته یوه غوښتنه" in page
    assert "د کورنۍ 3 غړي یاد شوي خو نومونه یې نه دي راغلي" in page


@pytest.mark.parametrize("language", ["fa-af", "ps"])
def test_every_mail_flag_has_a_translation(language):
    from django.utils import translation

    from haven.intake.importing import mail

    codes = [
        *mail.FLAG_LABELS,
        *(f"{code}:3" for code in mail.COUNTED_FLAG_LABELS),
        *(f"{code}:12:10" for code in mail.PAIR_FLAG_LABELS),
    ]
    with translation.override(language):
        untranslated = [code for code in codes if mail_flag_label(code).isascii()]
    assert untranslated == []
