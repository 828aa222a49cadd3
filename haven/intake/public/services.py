"""Writes for the public channel: store the request, then e-mail the receipt after commit."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext

from ..services import CreatedRequest, RequestInput, request_create


def _receipt_email_body(*, receipt_number: str, secret: str, status_url: str) -> str:
    # No names and nothing about the request: mailboxes get shared, lost and seized.
    return "\n\n".join(
        (
            gettext("Your request to the task force has been received."),
            gettext("Receipt number: %(receipt)s") % {"receipt": receipt_number}
            + "\n"
            + gettext("Secret code: %(secret)s") % {"secret": secret},
            gettext(
                "Keep both. To see the status of your request, open %(url)s and enter them. "
                "Do not give the secret code to anyone."
            )
            % {"url": status_url},
        )
    )


@transaction.atomic
def public_request_submit(
    *, data: RequestInput, raw_input: str, email: str, status_url: str
) -> CreatedRequest:
    """Store a request from the public form; if an e-mail address was given, send the
    receipt there once the request is committed (never for a request that was rolled back)."""
    # Matching, case and triage run in the background: in a surge the form answers at the
    # speed of storing, on a slow link every second counts.
    # With an e-mail address, the receipt is that e-mail (it carries the status secret, which
    # must never be stored in the outbox); otherwise communications queues the receipt to
    # the phone given, as for every other channel.
    created = request_create(
        data=data,
        raw_input=raw_input,
        actor=None,
        run_pipeline=False,
        receipt_message=not email,
    )
    if email:
        # Rendered now, in the requester's language; sent only after commit. robust=True:
        # a mail server that is down must not turn a stored request into an error page.
        message = partial(
            send_mail,
            subject=gettext("Your receipt: %(receipt)s")
            % {"receipt": created.request.receipt_number},
            message=_receipt_email_body(
                receipt_number=created.request.receipt_number,
                secret=created.status_secret,
                status_url=status_url,
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
        transaction.on_commit(message, robust=True)
    return created
