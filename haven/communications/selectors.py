"""Reads of communications that enforce access (views go through these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import Promise

from haven.accounts import permissions

from . import rendering
from .models import InboundMessage, Message, MessageTemplate
from .services import Texts, texts_for
from .texts import LANGUAGES, PURPOSES, RTL_LANGUAGES

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case


def can_edit_templates(user: User) -> bool:
    return permissions.can_merge_cases(user)


def templates_overview(*, user: User) -> list[tuple[str, str | Promise, list[tuple[str, bool]]]]:
    """(purpose, label, [(language, present)]) for the list page."""
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    present = set(MessageTemplate.objects.values_list("purpose", "language"))
    return [
        (code, p.label, [(lang, (code, lang) in present) for lang in LANGUAGES])
        for code, p in PURPOSES.items()
    ]


def template_texts(*, user: User, purpose: str, language: str) -> Texts:
    if not permissions.can_work_cases(user):
        raise PermissionDenied
    if purpose not in PURPOSES or language not in LANGUAGES:
        raise Http404
    return texts_for(purpose, language)


@dataclass(frozen=True)
class Preview:
    language: str
    rtl: bool
    fell_back: bool
    subject: str
    body: str
    sms: str
    sms_length: rendering.SmsLength
    errors: list[str]


def template_preview(
    *, purpose: str, language: str, subject: str, body: str, sms_body: str, fell_back: bool
) -> Preview:
    """The texts rendered with sample values; what is wrong with them, in plain words."""
    values = rendering.sample_values(purpose, language=language)
    errors: list[str] = []
    shown: list[str] = []
    for text, sms in ((subject, False), (body, False), (sms_body, True)):
        try:
            shown.append(
                rendering.render(text, values, purpose=purpose, sms=sms, language=language)
            )
        except rendering.TemplateTextError as exc:
            errors.append(str(exc))
            shown.append("")
    return Preview(
        language=language,
        rtl=language in RTL_LANGUAGES,
        fell_back=fell_back,
        subject=shown[0],
        body=shown[1],
        sms=shown[2],
        sms_length=rendering.sms_length(shown[2]),
        errors=sorted(set(errors)),
    )


@dataclass(frozen=True)
class CaseMessages:
    sent: list[Message]
    replies: list[InboundMessage]


def case_messages(*, user: User, case: Case, limit: int = 50) -> CaseMessages:
    if not permissions.can_view_cases(user):
        raise PermissionDenied
    request_ids = list(case.case_requests.values_list("request_id", flat=True))
    sent = list(Message.objects.filter(case=case).order_by("-created_at", "-id")[:limit])
    replies = list(
        InboundMessage.objects.filter(request_id__in=request_ids).order_by("-received_at")[:limit]
    )
    return CaseMessages(sent=sent, replies=replies)
