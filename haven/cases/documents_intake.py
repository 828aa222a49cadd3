"""Documents that arrive with a request: brought to the walk-in desk, or attached to an e-mail.

Both join the case the intake pipeline gave the request. The walk-in's files were checked
and scanned while its form was cleaned (forms_documents.WalkInDocumentsForm); an e-mail's
attachments pass the same checks (document_files.prepare) in the pipeline and are scanned
after the import commits (tasks.documents_scan): until then they are quarantined.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import logging
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.intake.importing.mail import raw_bytes
from haven.intake.importing.mailpolicy import POLICY
from haven.intake.services import IntakeItem
from haven.intake.walk_in_parts import WalkInPart, register

from .document_files import DocumentRejected, prepare
from .forms_documents import WalkInDocumentsForm
from .models import Case, CaseEvent, CaseRequest, Document
from .services_documents import CaseDocuments, NewDocument, documents_add, documents_add_many

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.intake.models import Request

logger = logging.getLogger(__name__)


def _walk_in_form(data: Any, files: Any) -> forms.Form:
    return WalkInDocumentsForm(data, files) if data is not None else WalkInDocumentsForm()


def _walk_in_save(*, form: forms.Form, request: Request, actor: User) -> list[str]:
    assert isinstance(form, WalkInDocumentsForm)
    documents = form.documents
    if not documents:
        return []
    link = CaseRequest.objects.select_related("case").filter(request=request).first()
    if link is None:
        # The walk-in runs the pipeline at once, so this is a bug, not the officer's doing.
        raise RuntimeError("A walk-in request has no case to keep its documents on.")
    added = documents_add(
        case=link.case,
        actor=actor,
        documents=documents,
        source=Document.Source.WALK_IN,
        request=request,
    )
    lines = [
        ngettext(
            "%(n)d document kept on case %(case)s.",
            "%(n)d documents kept on case %(case)s.",
            len(added),
        )
        % {"n": len(added), "case": link.case.reference}
    ]
    lines += [notice for new in documents for notice in new.file.notices]
    lines += [
        _("A document holds malware (%(signature)s): it is quarantined and supervisors can see it.")
        % {"signature": d.scan_signature}
        for d in added
        if d.scan_status == Document.Scan.INFECTED
    ]
    return lines


def register_walk_in() -> None:
    register(
        WalkInPart(
            name="documents",
            template="cases/_walk_in_documents.html",
            form=_walk_in_form,
            save=_walk_in_save,
            multipart=True,
        )
    )


def _attachments(request: Request) -> list[tuple[str, bytes]]:
    data = raw_bytes(request.raw_input, request.raw_content_type)
    # The headers alone (cheap) first: a message that is not multipart has no attachments,
    # and most of an inbox need not be parsed a second time to find that out.
    head = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data, headersonly=True)
    if head.get_content_maintype() != "multipart":
        return []
    message = email.message_from_bytes(data, policy=POLICY)
    found = []
    parts = message.iter_attachments() if message.is_multipart() else iter(())
    for part in parts:
        payload = part.get_payload(decode=True)
        body = payload if isinstance(payload, bytes) else part.as_bytes()
        found.append((str(part.get_filename() or ""), body))
    return found


def mail_attachments_to_documents(
    *, items: list[IntakeItem], cases: Mapping[int, Case], actor: User | None
) -> None:
    """Intake flow step (haven/config/flow.py, after cases; `cases` is request id → case): each
    e-mail's attachments that pass the checks become documents of its case, kind "other" (a
    caseworker sets the kind), all of the batch's in one documents_add_many; refused ones stay
    only in the stored message, and the case's history says how many and why."""
    entries: list[CaseDocuments] = []
    events: list[CaseEvent] = []
    for item in items:
        request = item.request
        case = cases.get(request.pk)
        if not request.raw_content_type.startswith("message/rfc822") or case is None:
            continue
        try:
            attachments = _attachments(request)
        except Exception:
            # A message the parser cannot take apart again is already stored whole.
            logger.exception("Attachments of request %s could not be read", request.pk)
            continue
        accepted: list[NewDocument] = []
        refused: Counter[str] = Counter()
        for name, body in attachments:
            try:
                accepted.append(NewDocument(file=prepare(body, name), kind=Document.Kind.OTHER))
            except DocumentRejected as exc:
                refused[exc.message] += 1
        if accepted:
            entries.append(CaseDocuments(case=case, documents=accepted, request=request))
        if refused:
            events.append(_refused_event(case, refused))
    if entries:
        documents_add_many(entries=entries, actor=None, source=Document.Source.EMAIL)
    CaseEvent.objects.bulk_create(events)


def _refused_event(case: Case, refused: Counter[str]) -> CaseEvent:
    # The reasons are Haven's own sentences (in the language of the import's process);
    # nothing of the attachment's content or name.
    text = "; ".join(f"{n} × {reason}" for reason, n in refused.items())
    return CaseEvent(
        case=case,
        kind=CaseEvent.Kind.DOCUMENT_ADDED,
        description=_("E-mail attachments not kept as documents: %(why)s") % {"why": text},
    )
