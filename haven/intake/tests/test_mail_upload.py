"""The e-mail import pages over HTTP: upload an mbox, .eml files or a Maildir archive, see the
dry run, import, and every message accounted for; bad input never a 500, nothing twice."""

from __future__ import annotations

import contextlib
import io
import tarfile
import zipfile
from email.message import EmailMessage

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.intake.importing.mail import raw_bytes
from haven.intake.models import ImportBatch, MailMessage, RejectedRow, Request

pytestmark = pytest.mark.django_db


def message(subject: str, body: str, message_id: str, **headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("sender", "writer@example.org")
    msg["Subject"] = subject
    msg["Date"] = "Tue, 24 Aug 2021 09:30:00 +0430"
    msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def mbox(*messages: EmailMessage) -> bytes:
    return b"".join(
        b"From writer@example.org Tue Aug 24 09:30:00 2021\n" + m.as_bytes() + b"\n"
        for m in messages
    )


FAMILY = message(
    "Nilab Sadiqi 23/12/1982",
    "Name: Nilab Sadiqi\nDate of birth: 23/12/1982\nFamily member 1: Omid, son, 2012\n",
    "<family@x>",
)
PROSE_CHILDREN = message(
    "Help", "Please help my family, we are 3 children and my wife.", "<kids@x>"
)
REPLY = message(
    "Re: Nilab Sadiqi 23/12/1982",
    "We are still waiting.",
    "<reply@x>",
    In_Reply_To="<family@x>",
    sender="nilab@example.org",
)


def upload(client, *files: tuple[str, bytes]):
    return client.post(
        reverse("importing:mail_upload"),
        {"mailbox": [SimpleUploadedFile(name, data) for name, data in files]},
    )


def upload_and_check(client, capture, *files: tuple[str, bytes]) -> ImportBatch:
    with capture(execute=True):
        response = upload(client, *files)
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("importing:mail_detail", args=[batch.pk])
    batch.refresh_from_db()
    return batch


def start(client, capture, batch: ImportBatch) -> ImportBatch:
    with capture(execute=True):
        response = client.post(reverse("importing:mail_start", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch


def accounted(batch: ImportBatch) -> tuple[int, int, int, int]:
    assert batch.rows == batch.imported + batch.rejected + batch.skipped == batch.rows_expected
    return batch.rows, batch.imported, batch.rejected, batch.skipped


def test_an_mbox_is_dry_run_then_imported_with_every_message_accounted_for(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    data = mbox(FAMILY, PROSE_CHILDREN, REPLY, FAMILY)
    batch = upload_and_check(client, django_capture_on_commit_callbacks, ("inbox.mbox", data))

    # The dry run wrote nothing, and says per message what would happen.
    assert batch.status == "previewed" and batch.rows_expected == 4
    assert not Request.objects.exists() and not MailMessage.objects.exists()
    preview = batch.preview
    assert (preview["import"], preview["data_entry"], preview["repeated"]) == (2, 1, 1)
    assert preview["thread_joins"] == 1
    page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
    assert "Nilab Sadiqi, Omid" in page
    assert "Joins message 1 of this upload (a reply)" in page
    assert "Repeated in this upload: skipped: same as message 1" in page
    assert "Will be imported, for data entry" in page
    assert "Import 3 messages" in page

    batch = start(client, django_capture_on_commit_callbacks, batch)
    assert batch.status == "done"
    assert accounted(batch) == (4, 3, 0, 1)
    assert Request.objects.count() == 3
    family = MailMessage.objects.get(message_key=preview_key(batch, "<family@x>")).request
    reply = MailMessage.objects.get(message_key=preview_key(batch, "<reply@x>")).request
    assert reply.in_reply_to_id == family.pk
    assert Request.objects.filter(needs_data_entry=True).count() == 1
    # The upload is gone from storage once imported; the messages are kept in the requests.
    assert batch.stored_path == ""
    page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
    assert "4 messages: 3 imported (1 for data entry), 0 refused, 1 skipped" in page
    assert "Every message in the upload is accounted for." in page


def preview_key(batch: ImportBatch, message_id: str) -> str:
    from haven.intake.importing.mail import message_key

    return message_key(message_id, b"")


def test_several_eml_files_and_uploading_them_again_imports_nothing_twice(
    client_for, supervisor, django_capture_on_commit_callbacks
):
    client = client_for(supervisor)
    files = [("a.eml", FAMILY.as_bytes()), ("b.eml", PROSE_CHILDREN.as_bytes())]
    batch = upload_and_check(client, django_capture_on_commit_callbacks, *files)
    assert batch.file_name == "a.eml and 1 more" and batch.rows_expected == 2
    batch = start(client, django_capture_on_commit_callbacks, batch)
    assert accounted(batch) == (2, 2, 0, 0)

    again = upload_and_check(client, django_capture_on_commit_callbacks, *files)
    assert again.preview["already_imported"] == 2 and again.preview["to_import"] == 0
    page = client.get(reverse("importing:mail_detail", args=[again.pk])).content.decode()
    assert "Already imported: skipped" in page
    assert (
        MailMessage.objects.get(message_key=preview_key(again, "<family@x>")).request.receipt_number
        in page
    )
    again = start(client, django_capture_on_commit_callbacks, again)
    assert accounted(again) == (2, 0, 0, 2)
    assert Request.objects.count() == 2


def _maildir_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Maildir/cur/1630000000.1.host:2,S", FAMILY.as_bytes())
        archive.writestr("Maildir/new/1630000001.2.host", PROSE_CHILDREN.as_bytes())
        archive.writestr("Maildir/.Sent/cur/1630000002.3.host:2,S", REPLY.as_bytes())
        archive.writestr("Maildir/tmp/half-written", b"not a message yet")
        archive.writestr("Maildir/dovecot-uidlist", b"3 V1 N4")
    return out.getvalue()


def test_a_maildir_zip_is_read_from_its_cur_and_new_folders(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    batch = upload_and_check(
        client, django_capture_on_commit_callbacks, ("box.zip", _maildir_zip())
    )
    assert batch.file_format == "zip" and batch.rows_expected == 3
    assert batch.preview["files"] == [{"name": "box.zip", "kind": "zip"}]
    batch = start(client, django_capture_on_commit_callbacks, batch)
    assert accounted(batch) == (3, 3, 0, 0)


def test_a_maildir_tar_gz_is_read_too(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, msg in (("Maildir/cur/1:2,S", FAMILY), ("Maildir/new/2", PROSE_CHILDREN)):
            data = msg.as_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    client = client_for(intake_officer)
    batch = upload_and_check(
        client, django_capture_on_commit_callbacks, ("box.tgz", out.getvalue())
    )
    assert batch.rows_expected == 2
    assert accounted(start(client, django_capture_on_commit_callbacks, batch)) == (2, 2, 0, 0)


def test_the_stored_upload_is_encrypted_at_rest(client_for, intake_officer):
    client = client_for(intake_officer)
    upload(client, ("inbox.mbox", mbox(FAMILY)))  # the dry run is not run: it stays stored
    batch = ImportBatch.objects.get()
    with default_storage.open(batch.stored_path, "rb") as stored:
        data = stored.read()
    assert data and b"Nilab" not in data and b"Message-ID" not in data


def test_an_mbox_with_broken_separators_loses_no_message(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    one = message("Karim Popal 1984", "From my side: please help.\nFrom here on we hide.", "<1@x>")
    two = message("Roya Safi 1990", "help", "<2@x>")
    three = message("Tariq Noori 1979", "help", "<3@x>")
    data = (
        b"From garbled\n"
        + one.as_bytes()
        + b"\nFrom MAILER-DAEMON Tue Aug 24 09:30:00 2021\r\n"
        + two.as_bytes()
        + b"From someone@example.org Tue Aug 24 09:31:00 2021\n"
        + three.as_bytes()
    )
    client = client_for(intake_officer)
    batch = upload_and_check(client, django_capture_on_commit_callbacks, ("broken.mbox", data))
    assert batch.rows_expected == 3
    batch = start(client, django_capture_on_commit_callbacks, batch)
    assert accounted(batch) == (3, 3, 0, 0)
    stored = MailMessage.objects.get(message_key=preview_key(batch, "<1@x>"))
    assert "From here on we hide." in stored.request.help_requested


def test_an_unreadable_charset_is_flagged_on_the_screen(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    raw = (
        b"From: a@example.org\r\nSubject: Ahmad Safi 1988\r\nMessage-ID: <cs@x>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"Name: Ahmad Safi\r\n\xff\xfe broken bytes\r\n"
    )
    client = client_for(intake_officer)
    batch = upload_and_check(client, django_capture_on_commit_callbacks, ("cs.eml", raw))
    page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
    assert "The text is in an unknown character set: read with replacements" in page
    assert batch.preview["flag_counts"] == {"charset_unreadable": 1}
    batch = start(client, django_capture_on_commit_callbacks, batch)
    assert accounted(batch) == (1, 1, 0, 0)
    mail = MailMessage.objects.get()
    assert "charset_unreadable" in mail.flags
    assert raw_bytes(mail.request.raw_input, mail.request.raw_content_type) == raw


def test_a_20_mb_message_is_imported_and_flagged_and_an_oversize_member_refused(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    body = "Name: Wali Hotak\nDate of birth: 1975\n\n" + ("filler line of text\n" * 1_050_000)
    big = message("Help", body, "<big@x>").as_bytes()
    assert len(big) > 20_000_000
    client = client_for(intake_officer)
    batch = upload_and_check(client, django_capture_on_commit_callbacks, ("big.eml", big))
    page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
    assert "The text is very long: only its beginning was read" in page
    assert accounted(start(client, django_capture_on_commit_callbacks, batch)) == (1, 1, 0, 0)

    # In an archive, a member larger than a whole upload may be is refused, and counted.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Maildir/cur/big", big)
        archive.writestr("Maildir/cur/small", PROSE_CHILDREN.as_bytes())
    with override_settings(HAVEN_MAX_UPLOAD_BYTES=5 * 1024 * 1024):
        batch = upload_and_check(
            client, django_capture_on_commit_callbacks, ("b.zip", out.getvalue())
        )
        assert batch.preview["rejected"] == 1
        page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
        assert "Message too large" in page
        batch = start(client, django_capture_on_commit_callbacks, batch)
    assert accounted(batch) == (2, 1, 1, 0)
    assert RejectedRow.objects.get(batch=batch).reason == "too_large"
    page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
    assert "Refused messages" in page and "Maildir/cur/big" in page


@override_settings(HAVEN_MAX_UPLOAD_BYTES=100_000)
def test_an_upload_over_the_limit_is_refused_before_it_is_stored(client_for, intake_officer):
    client = client_for(intake_officer)
    files = [(f"{i}.eml", FAMILY.as_bytes() + b"x" * 30_000) for i in range(4)]
    response = upload(client, *files)
    assert response.status_code == 413
    assert "larger than the limit of 0.10 MB, so it was not read or stored" in (
        response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_a_file_that_is_not_mail_is_refused_with_its_name(client_for, intake_officer):
    client = client_for(intake_officer)
    response = upload(client, ("a.eml", FAMILY.as_bytes()), ("photo.jpg", b"\xff\xd8\xff\xe0JFIF"))
    assert response.status_code == 400
    assert "“photo.jpg” is not e-mail" in response.content.decode()
    response = upload(client, ("box.zip", b"PK\x03\x04 broken"))
    assert response.status_code == 400 and "damaged" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_damaged_archive_fails_with_a_clear_error_and_keeps_the_upload(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    data = b"\x1f\x8b\x08\x00" + b"\x00" * 100
    batch = upload_and_check(client, django_capture_on_commit_callbacks, ("box.tar.gz", data))
    assert batch.status == "failed" and "damaged" in batch.error
    assert batch.stored_path and default_storage.exists(batch.stored_path)
    page = client.get(reverse("importing:mail_detail", args=[batch.pk]))
    assert page.status_code == 200 and "damaged" in page.content.decode()


def test_an_interrupted_import_resumes_without_importing_twice(
    client_for, intake_officer, django_capture_on_commit_callbacks, monkeypatch
):
    from haven.intake.importing import mail_upload, mailimport

    client = client_for(intake_officer)
    messages = [message(f"Person{i} Ahmadi 1990", "help", f"<p{i}@x>") for i in range(5)]
    batch = upload_and_check(
        client, django_capture_on_commit_callbacks, ("m.mbox", mbox(*messages))
    )
    monkeypatch.setattr(mail_upload, "CHUNK_MESSAGES", 2)
    real = mailimport.mail_chunk_import
    calls = []

    def dies_on_the_second_chunk(**kwargs):
        calls.append(kwargs["first_number"])
        if len(calls) == 2:
            raise WorkerStopped
        real(**kwargs)

    monkeypatch.setattr(mail_upload, "mail_chunk_import", dies_on_the_second_chunk)
    # The task backend records the task as failed (and may or may not pass the exception on).
    with contextlib.suppress(WorkerStopped):
        start(client, django_capture_on_commit_callbacks, batch)
    assert len(calls) == 2
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.imported) == ("failed", 2, 2)
    page = client.get(reverse("importing:mail_detail", args=[batch.pk])).content.decode()
    assert "Resume the import" in page
    monkeypatch.setattr(mail_upload, "mail_chunk_import", real)
    batch = start(client, django_capture_on_commit_callbacks, batch)
    assert accounted(batch) == (5, 5, 0, 0)
    assert Request.objects.count() == 5


class WorkerStopped(BaseException):
    """The worker process going away mid-import (as a SIGTERM would), not an error in it."""


@pytest.mark.parametrize("persona", ["partner_a", "outsider"])
def test_people_outside_intake_cannot_reach_the_mail_import(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("importing:mail")).status_code == 403
    assert upload(client, ("a.eml", FAMILY.as_bytes())).status_code == 403
    assert not ImportBatch.objects.exists()


def test_someone_not_logged_in_is_sent_to_log_in(client):
    response = upload(client, ("a.eml", FAMILY.as_bytes()))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ImportBatch.objects.exists()


def test_the_upload_the_view_and_the_import_are_audited(
    client_for, intake_officer, django_capture_on_commit_callbacks
):
    client = client_for(intake_officer)
    batch = upload_and_check(
        client, django_capture_on_commit_callbacks, ("a.eml", FAMILY.as_bytes())
    )
    client.get(reverse("importing:mail_detail", args=[batch.pk]))
    start(client, django_capture_on_commit_callbacks, batch)
    summaries = list(
        AuditEvent.objects.filter(actor=intake_officer, object_id=str(batch.pk))
        .order_by("pk")
        .values_list("action", "summary")
    )
    assert ("create", "Import of a.eml from e-mail") in summaries
    assert ("view", f"Import {batch.pk}") in summaries
    assert ("update", f"Import {batch.pk} of e-mail started") in summaries
    assert ("update", f"Import {batch.pk} finished") in summaries


def test_the_screen_is_linked_from_the_menu_and_the_spreadsheet_import(client_for, intake_officer):
    client = client_for(intake_officer)
    page = client.get(reverse("importing:list")).content.decode()
    assert page.count(f'href="{reverse("importing:mail")}"') == 2
