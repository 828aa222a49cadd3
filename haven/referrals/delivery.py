"""Referrals to partners not on Haven: a signed, expiring link by e-mail, and a one-time code
sent separately (or the directory's passphrase) to open it.

The e-mails carry no personal data: only the referral's reference, the service and the link.
Every wrong case (a bad signature, an expired or revoked link, a wrong or used code) gets the
same answer, and attempts are counted per link and per address.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.mail import send_mail
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_ratelimit.core import get_usage

from haven.audit.models import AuditAction
from haven.audit.services import audit_record
from haven.common import crypto

from .models import ReferralLink, SharingAgreement

if TYPE_CHECKING:
    from haven.accounts.models import User

    from .models import Referral

_SALT = "haven.referrals.link"
DEFAULT_LINK_DAYS = 14
DEFAULT_ATTEMPTS = 5
DEFAULT_WINDOW_SECONDS = 900


def link_days() -> int:
    return int(getattr(settings, "HAVEN_REFERRAL_LINK_DAYS", DEFAULT_LINK_DAYS))


def _signer() -> TimestampSigner:
    return TimestampSigner(salt=_SALT)


def _code_hash(link_key: str, code: str) -> str:
    return crypto.keyed_hash("referral-link-code", f"{link_key}:{code.strip()}")


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def link_url(link: ReferralLink) -> str:
    token = _signer().sign(link.key)
    base = getattr(settings, "HAVEN_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    return base + reverse("referrals:shared", kwargs={"token": token})


def _send_after_commit(subject: str, body: str, to: str) -> None:
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    )


def code_send(*, link: ReferralLink, agreement: SharingAgreement) -> None:
    """A fresh one-time code, to the code address (never in the link's message)."""
    code = _new_code()
    link.code_hash, link.code_sent_at = _code_hash(link.key, code), timezone.now()
    link.save(update_fields=["code_hash", "code_sent_at"])
    to = agreement.code_email or agreement.contact_email
    _send_after_commit(
        f"Haven code for referral {link.referral.reference}",
        f"Your one-time code for referral {link.referral.reference} is {code}.\n"
        "It works once. Never forward it with the link.",
        to,
    )


def link_issue(*, referral: Referral, agreement: SharingAgreement, actor: User) -> ReferralLink:
    link = ReferralLink.objects.create(
        referral=referral,
        key=secrets.token_urlsafe(24),
        expires_at=timezone.now() + dt.timedelta(days=link_days()),
    )
    _send_after_commit(
        f"Haven referral {referral.reference}: {referral.service.name}",
        f"The task force has sent your organisation referral {referral.reference} "
        f"({referral.service.name}).\n\nOpen it here (the link expires on "
        f"{link.expires_at:%Y-%m-%d}):\n{link_url(link)}\n\n"
        "You will need the one-time code sent to you separately, or your agreed passphrase.",
        agreement.contact_email,
    )
    if agreement.code_email or not agreement.passphrase_hash:
        code_send(link=link, agreement=agreement)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=link,
        summary=f"Off-Haven link for {referral.reference}",
        details={"referral": referral.pk, "expires_at": link.expires_at.isoformat()},
    )
    return link


def links_revoke(*, referral: Referral, actor: User) -> int:
    now = timezone.now()
    revoked = 0
    for link in ReferralLink.objects.filter(referral=referral, revoked_at__isnull=True):
        link.revoked_at, link.revoked_by = now, actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=link, summary="Link revoked")
        revoked += 1
    return revoked


def link_from_token(token: str) -> ReferralLink | None:
    """The live link a token names, or None for any wrong case (all alike to the caller)."""
    try:
        key = _signer().unsign(token, max_age=dt.timedelta(days=link_days()))
    except (BadSignature, SignatureExpired):
        return None
    link = ReferralLink.objects.select_related("referral__organization").filter(key=key).first()
    if link is None or link.revoked_at is not None or link.expires_at <= timezone.now():
        return None
    if link.referral.status in ("draft", "withdrawn"):
        return None
    return link


def attempts_allowed(*, token: str, address: str | None) -> bool:
    """Count one attempt for this link and this address; False past either limit.

    Counted by django-ratelimit in Django's shared cache, as the status page and the API are
    (one cache for every server process; `haven check --deploy` refuses a per-process one).
    """
    limit = int(getattr(settings, "HAVEN_REFERRAL_LINK_ATTEMPTS", DEFAULT_ATTEMPTS))
    window = int(getattr(settings, "HAVEN_REFERRAL_LINK_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))
    # Keyed by a hash of the token, never the token: cache keys can reach logs and dumps.
    # An office behind one address may open several links: the address gets a wider budget.
    budgets = (
        ("haven:referral-link", crypto.keyed_hash("rl", token), limit),
        ("haven:referral-ip", address or "unknown", limit * 4),
    )
    allowed = True
    for group, value, budget in budgets:
        # Both counters count every attempt, even once one is past its limit.
        usage = get_usage(
            None,  # no request is read: the key is the value given
            group=group,
            key=lambda _group, _request, value=value: value,
            rate=(budget, window),
            increment=True,
        )
        allowed = allowed and (usage is None or not usage["should_limit"])
    return allowed


@dataclass(frozen=True)
class Opened:
    link: ReferralLink


@transaction.atomic
def link_open(*, token: str, secret: str) -> Opened | None:
    """Open a link with its one-time code (used up) or the agreed passphrase; None for every
    wrong case. Audited either way, without the secret."""
    link = link_from_token(token)
    ok = False
    if link is not None:
        # Lock: one code opens the link once, even if submitted twice at the same moment.
        # (Only the link's row: PostgreSQL cannot lock the nullable side of an outer join.)
        # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
        # on PostgreSQL, which does not hold up inserts of rows referencing them.
        link = (
            ReferralLink.objects.select_for_update(no_key=True, of=("self",))
            .select_related("referral__organization")
            .get(pk=link.pk)
        )
        agreement = SharingAgreement.objects.get(organization_id=link.referral.organization_id)
        if link.code_hash and hmac.compare_digest(link.code_hash, _code_hash(link.key, secret)):
            ok = True
            link.code_hash = ""  # one time only
        elif agreement.passphrase_hash and check_password(secret, agreement.passphrase_hash):
            ok = True
        if ok:
            link.last_used_at = timezone.now()
            link.save(update_fields=["code_hash", "last_used_at"])
    audit_record(
        actor=None,
        action=AuditAction.VIEW if ok else AuditAction.DENIED,
        object_type="referrals.referrallink",
        object_id=link.pk if link is not None else "",
        summary="Off-Haven link opened" if ok else "Off-Haven link refused",
        details={"referral": link.referral_id if link is not None else None},
    )
    return Opened(link=link) if ok and link is not None else None
