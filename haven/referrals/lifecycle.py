"""Which status may follow which, and who moves a referral there."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import TransitionRefused
from .models import ReferralStatus

S = ReferralStatus
# What the receiving partner may do from each status. Accepting or declining straight from
# "sent" acknowledges too.
PARTNER_MOVES: dict[str, frozenset[str]] = {
    S.SENT: frozenset({S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED}),
    S.ACKNOWLEDGED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.COMPLETED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
}
PARTNER_TARGETS = (S.ACKNOWLEDGED, S.ACCEPTED, S.DECLINED, S.IN_PROGRESS, S.COMPLETED)
CLOSED_STATUSES = frozenset({S.DECLINED, S.COMPLETED, S.WITHDRAWN})


def partner_moves(status: str) -> list[str]:
    return [s for s in PARTNER_TARGETS if s in PARTNER_MOVES.get(status, frozenset())]


def check_partner_move(current: str, target: str) -> None:
    if target in PARTNER_MOVES.get(current, frozenset()):
        return
    allowed = ", ".join(str(S(s).label).lower() for s in partner_moves(current))
    message = _("A referral that is %(current)s cannot be marked %(target)s.") % {
        "current": str(S(current).label).lower(),
        "target": str(S(target).label).lower() if target in S.values else target,
    }
    if allowed:
        message += " " + _("From here it can be: %(allowed)s.") % {"allowed": allowed}
    else:
        message += " " + _("It is closed: nothing more can change.")
    raise TransitionRefused(message, code="transition")
