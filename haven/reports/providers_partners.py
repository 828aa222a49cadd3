"""The figures of the apps after cases: referrals per partner and messages per channel.

Reports is last in the flow, so it reads referrals and communications itself (those apps
may not import reports to register into its slots).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.communications.models import Message
from haven.referrals.models import Referral, ReferralStatus

from .figures import SLOT_MESSAGES, SLOT_REFERRALS, Cell, FigureTable, ReportContext, Row, register

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


def referrals_per_partner(context: ReportContext) -> list[FigureTable]:
    start, end = _period(context)
    sent = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
    counts: dict[tuple[str, str], int] = {}
    overdue: dict[str, int] = {}
    for partner, status, late, n in (
        sent.values_list("organization__name", "status", "overdue")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(partner, status)] = counts.get((partner, status), 0) + n
        if late:
            overdue[partner] = overdue.get(partner, 0) + n
    partners = sorted({p for p, _s in counts})
    rows = [
        Row(
            label=partner,
            key=partner,
            cells=[Cell(counts.get((partner, s), 0)) for s in REFERRAL_COLUMNS]
            + [Cell(overdue.get(partner, 0))],
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
    start, end = _period(context)
    counts: dict[tuple[str, str], int] = {}
    for channel, status, n in (
        Message.objects.filter(created_at__gte=start, created_at__lt=end)
        .values_list("channel", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[(channel, status)] = n
    channels = sorted({c for c, _s in counts})
    labels = dict(Message._meta.get_field("channel").choices or [])
    rows = [
        Row(
            label=str(labels.get(channel, channel)),
            key=channel,
            cells=[Cell(counts.get((channel, s), 0)) for s in MESSAGE_COLUMNS],
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
