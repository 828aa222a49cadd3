"""The audit screen. It lives in accounts, not audit: it reads users and roles to decide who may
see what, and audit sits under accounts in the app order (audit imports no app; accounts may
import audit). Every app writes the trail through haven.audit.services."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import User
from .selectors_audit import (
    AuditFilters,
    AuditResult,
    audit_event_list,
    audit_export_allowed,
)
from .templatetags.audit_details import detail_rows


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *AuditAction.choices]
    )
    reference = forms.CharField(
        label=_("Case, receipt or object"),
        required=False,
        max_length=80,
        help_text=_("C-0001234, HV-XXXXX-XXXXX, or type:id"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Older links name the object by type and id.
    object_type = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None and "user" in data and "actor" not in data:
            data = data.copy()
            data["actor"] = data["user"]
        super().__init__(data, **kwargs)

    def filters(self) -> AuditFilters:
        if not self.is_bound or not self.is_valid():
            return AuditFilters()
        data = {k: v for k, v in self.cleaned_data.items() if v}
        return AuditFilters(**data)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilters, AuditResult]:
    form = AuditFilterForm(request.GET or None)
    filters = form.filters()
    return form, filters, audit_event_list(user=_user(request), filters=filters)


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    form, _filters, result = _filtered(request)
    page = Paginator(result.events.select_related("actor"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "scope": result.scope,
            "unknown_reference": result.unknown_reference,
            "can_export": audit_export_allowed(_user(request)),
        },
    )


# A cell a spreadsheet would run as a formula (=, +, -, @, and tab or return that some
# programs strip before looking) is kept as text by a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    user = _user(request)
    if not audit_export_allowed(user):
        raise PermissionDenied
    _form, filters, result = _filtered(request)
    limit = int(getattr(settings, "HAVEN_AUDIT_EXPORT_MAX_ROWS", 100_000))
    total = result.events.count()
    with transaction.atomic():
        # The export is itself an event: who took which slice of the trail, and how much.
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            object_type="audit.auditevent",
            summary=f"Exported the audit trail ({min(total, limit)} events)",
            details={
                "filters": {k: str(v) for k, v in vars(filters).items() if v},
                "rows": min(total, limit),
                "truncated": total > limit,
            },
        )
    events = result.events.select_related(None)[:limit]
    header = [
        "at",
        "user",
        "action",
        "object_type",
        "object_id",
        "summary",
        "details",
        "ip_address",
    ]

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(header)  # the mark tells spreadsheets it is UTF-8
        for event in events.iterator(chunk_size=2000):
            shown = "; ".join(
                f"{r.key}: {r.old} → {r.new}" if r.is_change else f"{r.key}: {r.value}"
                for r in detail_rows(event.details)
            )
            yield writer.writerow(
                [
                    neutralised(v)
                    for v in (
                        timezone.localtime(event.at).isoformat(),
                        event.actor_label,
                        event.action,
                        event.object_type,
                        event.object_id,
                        event.summary,
                        shown,
                        event.ip_address or "",
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="haven-audit-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
