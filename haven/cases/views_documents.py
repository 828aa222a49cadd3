"""Case documents over HTTP: upload on the case page, download, and the quarantine list.

A document is only ever sent as an attachment ("Content-Disposition: attachment"), with
"X-Content-Type-Options: nosniff" and a sandboxing Content-Security-Policy; a type a browser
could run script in (HTML, SVG, XML) is sent as application/octet-stream, so even a browser
that ignored the disposition would not render it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions
from haven.accounts.models import User

from . import selectors, selectors_documents
from .forms_documents import DocumentUploadForm
from .models import Document
from .services_documents import documents_add

# Served with their own type (a viewer opens them; none runs script in a browser page).
_OWN_TYPE = {
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/tiff",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def safe_content_type(stored: str) -> str:
    if stored in _OWN_TYPE:
        return stored
    if stored == "text/plain":
        return "text/plain; charset=utf-8"
    return "application/octet-stream"


@login_required
@require_POST
def document_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    from .views import _detail_context

    user = _user(request)
    case = selectors.case_get(user=user, case_id=case_id)
    if not permissions.can_upload_documents(user):
        raise PermissionDenied
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        # The whole page again (a read, audited like any other view of it), with the kind
        # and description as chosen; the file must be chosen again (browsers drop it).
        case = selectors.case_get_for_detail(user=user, case_id=case.pk)
        context = _detail_context(request, case)
        context["document_form"] = form
        return render(request, "cases/case_detail.html", context, status=400)
    new = form.cleaned_data["document"]
    (document,) = documents_add(
        case=case, actor=user, documents=[new], source=Document.Source.CASE_PAGE
    )
    for notice in new.file.notices:
        messages.info(request, notice)
    if document.scan_status == Document.Scan.INFECTED:
        messages.error(
            request,
            _(
                "The file holds malware (%(signature)s): it is quarantined, cannot be opened, "
                "and supervisors can see it."
            )
            % {"signature": document.scan_signature},
        )
    elif document.scan_status == Document.Scan.PENDING:
        messages.warning(
            request,
            _(
                "Document kept, but the malware scanner did not answer: it stays quarantined "
                "until a scan passes (Haven tries again every few minutes)."
            ),
        )
    else:
        messages.success(request, _("Document added."))
    return redirect(reverse("cases:detail", args=[case.pk]) + "#documents")


@login_required
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    user = _user(request)
    document = selectors_documents.document_get(user=user, document_id=document_id)
    if document.quarantined:
        messages.error(
            request,
            _("This document is quarantined (%(status)s): it cannot be opened.")
            % {"status": document.get_scan_status_display()},
        )
        return redirect("cases:detail", case_id=document.case_id)
    data = selectors_documents.document_content(user=user, document=document)
    response = HttpResponse(data, content_type=safe_content_type(document.content_type))
    response["Content-Disposition"] = (
        content_disposition_header(True, document.original_name) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should anything ever render it, it runs no script and loads nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store, private"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
def quarantine(request: HttpRequest) -> HttpResponse:
    documents = selectors_documents.documents_quarantined(user=_user(request))
    return render(request, "cases/documents_quarantine.html", {"documents": documents[:200]})
