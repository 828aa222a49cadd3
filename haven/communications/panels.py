"""The messages panel on the case page (registered in CommunicationsConfig.ready()): what was sent to the household,
what became of it, the replies, and the "documents needed" button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.cases.panels import CasePanel

from .forms import DocumentsForm
from .selectors import case_messages

if TYPE_CHECKING:
    from haven.accounts.models import User
    from haven.cases.models import Case


def messages_panel(case: Case, user: User) -> CasePanel | None:
    if not permissions.can_view_cases(user):
        return None
    found = case_messages(user=user, case=case)
    return CasePanel(
        title=_("Messages to the requester"),
        template="communications/panel.html",
        context={
            "case": case,
            "sent": found.sent,
            "replies": found.replies,
            "form": DocumentsForm() if permissions.can_work_cases(user) else None,
        },
        order=40,
    )
