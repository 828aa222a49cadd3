"""Pages of communications: templates (preview before saving), bulk notices, unsubscribe,
the documents-needed button on the case page, and the provider's webhooks."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from haven.accounts.models import User
from haven.cases.saved_searches import saved_search_choices
from haven.cases.selectors import case_get

from . import inbound, notices, selectors, services
from .forms import DocumentsForm, NoticeForm, TemplateForm
from .texts import LANGUAGES, PURPOSES
from .tokens import unsubscribe_read

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _digest(*texts: str) -> str:
    return hashlib.sha256("\0".join(texts).encode()).hexdigest()


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.templates_overview(user=_user(request))
    return render(request, "communications/template_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, purpose: str, language: str) -> HttpResponse:
    """Edit a template: "Preview" renders it with sample values; "Save" is offered only for
    exactly the texts previewed without errors."""
    user = _user(request)
    texts = selectors.template_texts(user=user, purpose=purpose, language=language)
    can_edit = selectors.can_edit_templates(user)
    initial = {"subject": texts.subject, "body": texts.body, "sms_body": texts.sms_body}
    form = TemplateForm(request.POST or None, purpose=purpose, initial=initial)
    subject, body, sms_body = texts.subject, texts.body, texts.sms_body
    fell_back = texts.fell_back
    if request.method == "POST":
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "")
        sms_body = request.POST.get("sms_body", "")
        fell_back = False  # what is shown is what was typed for this language
        if not can_edit:
            raise PermissionDenied
        previewed = request.POST.get("previewed", "")
        if request.POST.get("action") == "save" and form.is_valid():
            if previewed != _digest(subject, body, sms_body):
                messages.error(request, _("Preview these texts before saving them."))
            else:
                services.template_save(
                    purpose=purpose,
                    language=language,
                    subject=subject,
                    body=body,
                    sms_body=sms_body,
                    actor=user,
                )
                messages.success(request, _("Template saved."))
                return redirect("communications:template_edit", purpose, language)
    preview = selectors.template_preview(
        purpose=purpose,
        language=language,
        subject=subject,
        body=body,
        sms_body=sms_body,
        fell_back=fell_back,
    )
    context = {
        "purpose": PURPOSES[purpose],
        "language": language,
        "message_languages": LANGUAGES,
        "form": form,
        "preview": preview,
        "can_edit": can_edit,
        "variables": sorted(PURPOSES[purpose].variables),
        "previewed": _digest(subject, body, sms_body) if not preview.errors else "",
    }
    return render(request, "communications/template_edit.html", context)


def _pathways() -> list[tuple[str, str]]:
    from haven.triage.pathways import PATHWAYS

    return [(code, str(label)) for code, label in PATHWAYS.items()]


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest) -> HttpResponse:
    """Choose recipients (GET shows the preview); POST creates the notice."""
    user = _user(request)
    if not notices.can_send_notices(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = NoticeForm(
        data,
        pathways=_pathways(),
        saved_searches=saved_search_choices(owner=user),
    )
    preview = None
    if form.is_bound and form.is_valid() and request.method == "POST":
        # notice_create reads and counts the recipients itself: no preview first (at 100,000
        # recipients that would read them all twice).
        try:
            notice, result = notices.notice_create(
                user=user, purpose=form.cleaned_data["purpose"], filters=form.filters()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if result is None:
                messages.info(
                    request,
                    _("This notice goes to %(n)s people: a second supervisor must approve it.")
                    % {"n": notice.recipients_expected},
                )
            else:
                messages.success(request, _("%(n)s messages queued.") % {"n": result.queued})
            return redirect("communications:notice_detail", notice.pk)
    elif form.is_bound and form.is_valid():
        try:
            preview = notices.notice_preview(
                user=user, purpose=form.cleaned_data["purpose"], filters=form.filters()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "communications/notice_new.html", {"form": form, "preview": preview})


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    rows = notices.notices_list(user=_user(request))[:100]
    return render(request, "communications/notice_list.html", {"notices": rows})


@login_required
@require_http_methods(["GET", "POST"])
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = _user(request)
    notice = notices.notice_get(user=user, notice_id=notice_id)
    if request.method == "POST":
        try:
            notice, result = notices.notice_approve(notice_id=notice.pk, user=user)
            messages.success(request, _("%(n)s messages queued.") % {"n": result.queued})
        except notices.NoticeRefused as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("communications:notice_detail", notice.pk)
    # Counted by the database: a notice to 100,000 is one row per status, not 100,000.
    by_status = (
        notice.messages.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    context = {
        "notice": notice,
        "by_status": sorted(by_status),
        "failed": notice.messages.filter(status="failed")[:20],
        "can_approve": notice.status == notice.Status.AWAITING_APPROVAL
        and notice.created_by_id != user.pk,
        "purpose": PURPOSES[notice.purpose],
    }
    return render(request, "communications/notice_detail.html", context)


@login_required
@require_POST
def documents_request(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    case = case_get(user=user, case_id=case_id)
    form = DocumentsForm(request.POST)
    if form.is_valid():
        result = services.documents_request(
            case=case,
            actor=user,
            documents=form.cleaned_data["documents"],
            other=form.cleaned_data["other"],
        )
        if result.queued:
            messages.success(request, _("%(n)s message(s) queued.") % {"n": result.queued})
        else:
            messages.error(
                request, _("No message queued: nobody on this case can be reached (or opted out).")
            )
    else:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    return redirect("cases:detail", case.pk)


# -- public: unsubscribe ---------------------------------------------------------------------
@csrf_exempt  # the token authenticates; a mail client's one-click POST has no CSRF cookie
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link scanner must not opt anyone out); POST records it. RFC 8058's
    one-click POST from the mail client lands here too."""
    found = unsubscribe_read(token)
    if found is None:
        return render(request, "communications/unsubscribe.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        channel, address_hash = found
        services.optout_record(channel=channel, address_hash=address_hash, source="email_link")
        done = True
    return render(request, "communications/unsubscribe.html", {"done": done, "token": token})


# -- webhooks --------------------------------------------------------------------------------
def _signed(request: HttpRequest) -> dict[str, str] | None:
    params = {key: request.POST.get(key, "") for key in request.POST}
    given = request.headers.get("X-Twilio-Signature", "")
    if not inbound.signature_valid(request.build_absolute_uri(), params, given):
        return None
    return params


@csrf_exempt  # called by the provider, authenticated by its signature instead
@require_POST
def sms_status_webhook(request: HttpRequest) -> HttpResponse:
    params = _signed(request)
    if params is None:
        return HttpResponseForbidden("bad signature")
    inbound.delivery_status_record(
        provider_id=params.get("MessageSid", ""),
        status=params.get("MessageStatus", ""),
        error_code=params.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt  # called by the provider, authenticated by its signature instead
@require_POST
def sms_inbound_webhook(request: HttpRequest) -> HttpResponse:
    params = _signed(request)
    if params is None:
        return HttpResponseForbidden("bad signature")
    outcome = inbound.sms_inbound_record(
        sender=params.get("From", ""),
        body=params.get("Body", ""),
        external_id=params.get("MessageSid", "")
        or _digest(params.get("From", ""), params.get("Body", "")),
    )
    logger.info("inbound SMS: %s", outcome)
    return HttpResponse("<Response/>", content_type="text/xml")
