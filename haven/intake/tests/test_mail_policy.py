"""The import's e-mail policy reads headers as the standard library's default does, while
parsing each value once."""

from __future__ import annotations

import email
import email.policy

from haven.intake.importing.mailpolicy import POLICY

MESSAGE = (
    "From: =?utf-8?b?2YbbjNmE2KfYqA==?= <nilab@example.org>\r\n"
    "To: desk@example.org\r\n"
    "Subject: =?utf-8?q?Nilab_Sadiqi_23/12/1982?=\r\n"
    "X-Long: " + "a" * 1500 + "\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b1"\r\n'
    "\r\n"
    "--b1\r\n"
    'Content-Type: text/plain; charset="utf-8"\r\n'
    "\r\n"
    "My name is Nilab.\r\n"
    "--b1\r\n"
    'Content-Type: application/pdf; name="tazkira.pdf"\r\n'
    'Content-Disposition: attachment; filename="tazkira.pdf"\r\n'
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0=\r\n"
    "--b1--\r\n"
).encode()


def _read(policy: email.policy.Policy) -> list[object]:
    message = email.message_from_bytes(MESSAGE, policy=policy)
    assert isinstance(message, email.message.EmailMessage)
    parts = list(message.iter_attachments())
    return [
        str(message["From"]),
        str(message["Subject"]),
        message["X-Long"],
        message.get_content_type(),
        message.get_param("boundary"),
        [(p.get_content_type(), p.get_filename(), p.get_payload(decode=True)) for p in parts],
        message.get_body(preferencelist=("plain",)).get_content(),  # type: ignore[union-attr]
    ]


def test_it_reads_a_message_as_the_default_policy_does() -> None:
    assert _read(POLICY) == _read(email.policy.default)


def test_it_reads_the_same_message_twice_alike() -> None:
    # The second reading is served parsed header values from the first.
    assert _read(POLICY) == _read(POLICY)
    first = email.message_from_bytes(MESSAGE, policy=POLICY)
    second = email.message_from_bytes(MESSAGE, policy=POLICY)
    assert first["Content-Type"] is second["Content-Type"]
    assert first["Content-Type"].params["boundary"] == "b1"
