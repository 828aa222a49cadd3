"""Task-force pages: refer a case, read and withdraw a referral, consent, bulk, directory."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import permissions
from haven.accounts.approvals import approval_needed
from haven.accounts.models import User
from haven.cases import selectors as case_selectors
from haven.triage.pathways import PATHWAYS

from . import approvals as referral_approvals
from . import bulk, selectors, services
from .consent import consent_bases
from .defaults import default_service, pathway_default
from .errors import ReferralRefused
from .forms import BulkForm, ConsentForm, MessageForm, ReferralForm, WithdrawForm
from .models import SHAREABLE_FIELDS, Consent
from .snapshot import snapshot_loads


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _member_choices(case: object) -> list[tuple[int, str]]:
    choices = []
    for item in case_selectors.case_members(case=case):  # type: ignore[arg-type]
        name = next((r.display_name for r in item.records if r.display_name), "—")
        choices.append((item.member.pk, f"{item.member.get_relationship_display()}: {name}"))
    return choices


@login_required
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    _require(permissions.can_refer_cases(user))
    case = case_selectors.case_get(user=user, case_id=case_id)
    can_override = permissions.can_override_consent(user)
    form = ReferralForm(
        request.POST or None, members=_member_choices(case), can_override=can_override
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            service = form.cleaned_data["service"]
            try:
                referral = services.referral_create(
                    case=case,
                    actor=user,
                    organization=service.organization,
                    service=service,
                    reason=form.cleaned_data["reason"],
                    urgency=form.cleaned_data["urgency"],
                    member_ids=[int(m) for m in form.cleaned_data["members"]],
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            except ReferralRefused as refused:
                form.add_error(None, " ".join(refused.messages))  # what was typed is kept
            else:
                messages.success(
                    request,
                    _("%(ref)s sent to %(org)s.")
                    % {"ref": referral.reference, "org": service.organization.name},
                )
                return redirect("referrals:detail", referral_id=referral.pk)
    partners = list(selectors.partner_choices())
    consented = {
        org.pk: org.pk
        for org in partners
        if case.pk in consent_bases(case_ids=[case.pk], organization=org)
    }
    context = {
        "case": case,
        "form": form,
        "partners": [(org, org.pk in consented) for org in partners],
        "can_override": can_override,
    }
    return render(request, "referrals/referral_form.html", context, status=status)


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    referral = selectors.staff_referral(user=user, referral_id=referral_id)
    context = {
        "referral": referral,
        "snapshot": snapshot_loads(referral.snapshot),
        "field_labels": SHAREABLE_FIELDS,
        "events": selectors.referral_history(referral=referral),
        "thread": selectors.referral_thread(referral=referral),
        "message_form": MessageForm(),
        "withdraw_form": WithdrawForm(),
        "can_refer": permissions.can_refer_cases(user),
        "links": list(referral.links.all()),
    }
    return render(request, "referrals/referral_detail.html", context)


@login_required
@require_POST
def referral_withdraw(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    _require(permissions.can_refer_cases(user))
    referral = selectors.staff_referral(user=user, referral_id=referral_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the referral is withdrawn."))
        return redirect("referrals:detail", referral_id=referral.pk)
    try:
        services.referral_withdraw(
            referral=referral, actor=user, reason=form.cleaned_data["reason"]
        )
    except ReferralRefused as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, _("Withdrawn: the partner can no longer see it."))
    return redirect("referrals:detail", referral_id=referral.pk)


@login_required
@require_POST
def referral_message(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    _require(permissions.can_refer_cases(user))
    referral = selectors.staff_referral(user=user, referral_id=referral_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.referral_message_post(
                referral=referral, body=form.cleaned_data["body"], from_partner=False, author=user
            )
        except ReferralRefused as refused:
            messages.error(request, " ".join(refused.messages))
    else:
        messages.error(request, _("Write a message first."))
    return redirect("referrals:detail", referral_id=referral.pk)


@login_required
def consent_new(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _user(request)
    _require(permissions.can_record_consent(user))
    case = case_selectors.case_get(user=user, case_id=case_id)
    form = ConsentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consent_record(
                    case=case,
                    actor=user,
                    given_at=data["given_at"],
                    given_by=data["given_by"],
                    purpose=data["purpose"],
                    scope=data["scope"],
                    partner_kinds=data["partner_kinds"],
                    partners=list(data["partners"]),
                    source=data["source"],
                    note=data["note"],
                )
            except ReferralRefused as refused:
                form.add_error(None, " ".join(refused.messages))
            else:
                messages.success(request, _("Consent recorded."))
                return redirect("cases:detail", case_id=case.pk)
    return render(
        request, "referrals/consent_form.html", {"case": case, "form": form}, status=status
    )


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, case_id: int, consent_id: int) -> HttpResponse:
    user = _user(request)
    _require(permissions.can_record_consent(user))
    case = case_selectors.case_get(user=user, case_id=case_id)
    consent = next(
        (c for c in selectors.case_consents(user=user, case=case) if c.pk == consent_id), None
    )
    if consent is None or consent.withdrawn_at is not None:
        messages.error(request, _("There is no such consent to withdraw."))
    else:
        services.consent_withdraw(consent=consent, actor=user)
        messages.success(request, _("Consent withdrawn: no new referral can rely on it."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
def bulk_referral(request: HttpRequest) -> HttpResponse:
    """Preview (GET with the form filled) and send (POST with confirm) a queue's referrals."""
    user = _user(request)
    _require(permissions.can_refer_cases(user))
    sent: QueryDict | None = (
        request.POST
        if request.method == "POST"
        else (request.GET if "service" in request.GET else None)
    )
    data, initial, default_note = _bulk_defaults(request, sent)
    form = BulkForm(data, initial=initial)
    preview = None
    if data is not None and form.is_valid():
        service = form.cleaned_data["service"]
        case_ids = bulk.queue_case_ids(form.cleaned_data["pathway"])
        if request.method == "POST" and _bulk_approval_asked(request, form, case_ids, user):
            return redirect("triage:queue", pathway=form.cleaned_data["pathway"])
        if request.method == "POST":
            try:
                done = bulk.referrals_send_many(
                    case_ids=case_ids,
                    organization=service.organization,
                    service=service,
                    actor=user,
                    reason=form.cleaned_data["reason"],
                    urgency=form.cleaned_data["urgency"],
                    source=f"queue {form.cleaned_data['pathway']}",
                )
            except ReferralRefused as refused:
                form.add_error(None, " ".join(refused.messages))
            else:
                messages.success(
                    request,
                    _(
                        "Bulk referral %(id)s: %(sent)s sent, %(refused)s refused for lack of "
                        "consent, %(skipped)s skipped (already referred there)."
                    )
                    % {
                        "id": done.pk,
                        "sent": done.sent,
                        "refused": done.refused_no_consent,
                        "skipped": done.skipped_open_referral,
                    },
                )
                return redirect("triage:queue", pathway=form.cleaned_data["pathway"])
        else:
            try:
                services.agreement_for(service.organization)
                preview = bulk.bulk_plan(
                    case_ids=case_ids, organization=service.organization
                ).counts()
            except ReferralRefused as refused:
                form.add_error(None, " ".join(refused.messages))
    context = {
        "form": form,
        "preview": preview,
        "default_note": default_note,
        "approval_above": referral_approvals.threshold()
        if approval_needed(referral_approvals.ACTION)
        else None,
    }
    return render(request, "referrals/bulk.html", context)


def _bulk_defaults(
    request: HttpRequest, data: QueryDict | None
) -> tuple[QueryDict | None, dict[str, Any], str]:
    """The partner and service the active guidance names for the queue, when none is chosen:
    chosen in the empty form (GET ?pathway=...), and taken for a preview sent without one.
    Returns the form's data, its initial values and a line saying where the default came
    from (or why it could not be used)."""
    if request.method == "POST":
        return data, {}, ""  # what is sent is what the preview showed, nothing filled in
    source = data if data is not None else request.GET
    pathway = source.get("pathway") or BulkForm.base_fields["pathway"].initial
    if pathway not in PATHWAYS or (data is not None and data.get("service")):
        return data, {}, ""
    default = pathway_default(pathway)
    if default is None:
        return data, {"pathway": pathway}, ""
    try:
        service = default_service(pathway)
    except ReferralRefused as refused:
        return data, {"pathway": pathway}, " ".join(refused.messages)
    assert service is not None
    note = _("Partner and service for this queue as the guidance %(guidance)s names them.") % {
        "guidance": default.guidance
    }
    if data is None:
        return None, {"pathway": pathway, "service": service.pk}, note
    data = data.copy()
    data["service"] = str(service.pk)
    return data, {}, note


def _bulk_approval_asked(
    request: HttpRequest, form: BulkForm, case_ids: list[int], user: User
) -> bool:
    """Above the threshold (with `referral_bulk` in HAVEN_SECOND_APPROVER_FOR), ask for a
    second approver instead of sending; True when it was asked."""
    service = form.cleaned_data["service"]
    try:
        services.agreement_for(service.organization)
        sendable = len(
            bulk.bulk_plan(case_ids=case_ids, organization=service.organization).sendable
        )
    except ReferralRefused:
        return False  # sending refuses it the same way, with its message
    if not referral_approvals.approval_required(sendable):
        return False
    referral_approvals.bulk_request(
        case_ids=case_ids,
        organization=service.organization,
        service=service,
        actor=user,
        reason=form.cleaned_data["reason"],
        urgency=form.cleaned_data["urgency"],
        source=f"queue {form.cleaned_data['pathway']}",
        sendable=sendable,
    )
    messages.success(
        request,
        _(
            "%(n)s referrals need a second approver: a supervisor other than you approves "
            "them on the approvals page. Nothing is sent until then."
        )
        % {"n": sendable},
    )
    return True


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    organizations = selectors.directory(user=user)
    return render(
        request,
        "referrals/directory.html",
        {"organizations": organizations, "field_labels": SHAREABLE_FIELDS, "Consent": Consent},
    )
