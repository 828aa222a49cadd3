"""The figures of the apps after cases: referrals per partner and messages per channel.

Reports is last in the flow, so it reads referrals and communications itself (those apps
may not import reports to register into its slots). Every cell links to the staff list of
exactly those referrals (/referrals/list/) or messages (/communications/messages/), for the
readers who may open those lists (caseworkers and supervisors).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import permissions
from haven.communications.models import Message
from haven.referrals.models import Referral, ReferralStatus

from .figures import SLOT_MESSAGES, SLOT_REFERRALS, Cell, FigureTable, ReportContext, Row, register
from .models import MessageDaySummary

# What a referral has reached, in the order a partner works it (drafts were never sent).
REFERRAL_COLUMNS = [
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.COMPLETED,
    ReferralStatus.WITHDRAWN,
]
MESSAGE_COLUMNS = [
    Message.Status.QUEUED,
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.FAILED,
    Message.Status.CANCELLED,
]


def _period(context: ReportContext) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(context.filters.date_from, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(context.filters.date_to + dt.timedelta(days=1), dt.time.min, zone)
    return start, end


def _list_url(context: ReportContext, name: str, **params: object) -> str:
    """The staff list behind a cell, or no link for a reader who may not open it."""
    if context.user is not None and not permissions.can_list_case_work(context.user):
        return ""
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{reverse(name)}?{urlencode(query)}"


def _referral_url(context: ReportContext, partner: int, **params: object) -> str:
    f = context.filters
    return _list_url(
        context,
        "referrals:staff_list",
        partner=partner,
        sent_from=f.date_from.isoformat(),
        sent_to=f.date_to.isoformat(),
        **params,
    )


def referrals_per_partner(context: ReportContext) -> list[FigureTable]:
    start, end = _period(context)
    sent = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
    counts: dict[tuple[int, str], int] = {}
    overdue: dict[int, int] = {}
    names: dict[int, str] = {}
    for partner, name, status, late, n in (
        sent.values_list("organization_id", "organization__name", "status", "overdue")
        .annotate(n=Count("id"))
        .order_by()
    ):
        names[partner] = name
        counts[(partner, status)] = counts.get((partner, status), 0) + n
        if late:
            overdue[partner] = overdue.get(partner, 0) + n
    partners = sorted(names, key=lambda p: (names[p], p))
    rows = [
        Row(
            label=names[partner],
            key=names[partner],
            cells=[
                Cell(counts.get((partner, s), 0), _referral_url(context, partner, status=s))
                for s in REFERRAL_COLUMNS
            ]
            + [Cell(overdue.get(partner, 0), _referral_url(context, partner, overdue=1))],
        )
        for partner in partners
    ]
    return [
        FigureTable(
            key="referrals_per_partner",
            title=_("Referrals per partner (sent in the period), by where they stand now"),
            row_header=_("Partner"),
            columns=[str(s.label) for s in REFERRAL_COLUMNS] + [_("Overdue")],
            column_keys=[str(s) for s in REFERRAL_COLUMNS] + ["overdue"],
            rows=rows,
            empty=_("No referrals were sent in the period."),
        )
    ]


def messages_per_channel(context: ReportContext) -> list[FigureTable]:
    counts: dict[tuple[str, str], int] = {}
    # From the summary (one receipt per request: a million rows to count live at size).
    for channel, status, n in (
        MessageDaySummary.objects.filter(
            day__gte=context.filters.date_from, day__lte=context.filters.date_to
        )
        .values_list("channel", "status")
        .annotate(n=Sum("messages"))
        .order_by()
    ):
        counts[(channel, status)] = n
    channels = sorted({c for c, _s in counts})
    labels = dict(Message._meta.get_field("channel").choices or [])
    f = context.filters

    def url(channel: str, status: str) -> str:
        return _list_url(
            context,
            "communications:message_list",
            channel=channel,
            status=status,
            created_from=f.date_from.isoformat(),
            created_to=f.date_to.isoformat(),
        )

    rows = [
        Row(
            label=str(labels.get(channel, channel)),
            key=channel,
            cells=[Cell(counts.get((channel, s), 0), url(channel, s)) for s in MESSAGE_COLUMNS],
        )
        for channel in channels
    ]
    return [
        FigureTable(
            key="messages_per_channel",
            title=_("Messages to requesters (written in the period), by where they stand now"),
            row_header=_("Channel"),
            columns=[str(s.label) for s in MESSAGE_COLUMNS],
            column_keys=[str(s) for s in MESSAGE_COLUMNS],
            rows=rows,
            empty=_("No messages were written in the period."),
        )
    ]


def register_partner_figures() -> None:
    register(key=SLOT_REFERRALS, build=referrals_per_partner, audience="supervisor")
    register(key=SLOT_MESSAGES, build=messages_per_channel, audience="supervisor")
