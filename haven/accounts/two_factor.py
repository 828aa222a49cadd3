"""The second factor: TOTP (an authenticator app), security keys and passkeys (WebAuthn, in
security_keys.py) and one-time recovery codes, by django-otp.

A session is verified when it holds the device that verified it and the user's
`second_factor_epoch` at that moment. Resetting a user's factors or deactivating the account
bumps the epoch, so every session verified before stops being verified on its next request,
and the check needs no query beyond the user row every request reads already.

Codes are usable once: django-otp's TOTP device refuses a time step at or before the last one
it accepted (`last_t`), and a recovery code is deleted when used. Wrong codes are throttled on
every device of the user together (django-otp's exponential back-off, 1 s, 2 s, 4 s …), so
alternating between an app code and a recovery code gains an attacker nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import segno
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from .models import User

if TYPE_CHECKING:
    from django.http import HttpRequest

SESSION_KEY = "haven_second_factor"
RECOVERY_CODE_COUNT = 10
# The device names, shown to the user and in the audit trail.
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


# --- The session -------------------------------------------------------------------------


def session_is_verified(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    state = request.session.get(SESSION_KEY)
    return (
        isinstance(state, dict)
        and state.get("user") == user.pk
        and state.get("epoch") == getattr(user, "second_factor_epoch", None)
    )


def session_mark_verified(request: HttpRequest, *, user: User, device: Device) -> None:
    # A new session key at the moment of verification, as at log-in: a key fixed before
    # (or seen by someone) does not become a verified one.
    request.session.cycle_key()
    request.session[SESSION_KEY] = session_state(user=user, device=device)


def session_state(*, user: User, device: Device) -> dict[str, Any]:
    return {"user": user.pk, "epoch": user.second_factor_epoch, "device": device.persistent_id}


# --- Devices -----------------------------------------------------------------------------


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_confirmed_factor(user: User) -> bool:
    return (
        has_primary_factor(user)
        or StaticDevice.objects.filter(user=user, confirmed=True, token_set__isnull=False).exists()
    )


def has_primary_factor(user: User) -> bool:
    """An app or a key: what a person logs in with day to day (recovery codes are the spare)."""
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def _devices_locked(user: User) -> list[Device]:
    # Locked so two concurrent guesses cannot both read the same failure count (and so both
    # escape the back-off), nor both spend the same recovery code.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    totp = list(TOTPDevice.objects.select_for_update(no_key=True).filter(user=user, confirmed=True))
    static = list(
        StaticDevice.objects.select_for_update(no_key=True).filter(user=user, confirmed=True)
    )
    return [*totp, *static]


@dataclass(frozen=True)
class VerifyResult:
    device: Device | None
    # When a throttled user may try again; None when not throttled.
    locked_until: dt.datetime | None = None


def _throttled_until(devices: list[Device]) -> dt.datetime | None:
    latest: dt.datetime | None = None
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            until = data["locked_until"]
            latest = until if latest is None or until > latest else latest
    return latest


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> VerifyResult:
    """Check a code from the app or a recovery code; audited either way."""
    devices = _devices_locked(user)
    locked_until = _throttled_until(devices)
    if locked_until is not None:
        audit_record(
            actor=user,
            action=AuditAction.LOGIN_FAILED,
            obj=user,
            summary="Second factor refused: too many wrong codes",
            details={"second_factor": "throttled"},
        )
        return VerifyResult(device=None, locked_until=locked_until)
    token = _normalised(code)
    verified: Device | None = None
    tried: list[Device] = []
    if token:
        # Six digits are an app code; anything else can only be a recovery code.
        kind: type[Device] = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        for device in devices:
            if isinstance(device, kind):
                tried.append(device)  # verify_token counts its own failure
                if device.verify_token(token):
                    verified = device
                    break
    if verified is None:
        # A wrong code counts against every device, not only the one it was meant for.
        for device in devices:
            if device not in tried:
                device.throttle_increment(commit=True)
        audit_record(
            actor=user,
            action=AuditAction.LOGIN_FAILED,
            obj=user,
            summary="Wrong second-factor code",
            details={"second_factor": "wrong_code"},
        )
        return VerifyResult(device=None)
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        summary=f"Second factor passed ({verified.name})",
        details={"second_factor": type(verified).__name__, "device": verified.persistent_id},
    )
    return VerifyResult(device=verified)


# --- Enrolment ---------------------------------------------------------------------------


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device the enrolment page shows (the same one on a reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The key for typing into an app by hand, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG drawn here: nothing is loaded from elsewhere."""
    qr = segno.make(device.config_url, error="m")
    # No XML declaration or fixed size: the page scales it with CSS.
    svg: str = qr.svg_inline(scale=4, dark="#111", light="#fff", omitsize=True, title="QR")
    return svg


@dataclass(frozen=True)
class EnrolmentResult:
    device: TOTPDevice | None
    recovery_codes: list[str]


@transaction.atomic
def totp_enrolment_confirm(*, user: User, code: str) -> EnrolmentResult:
    """The first code from the app confirms the device and issues fresh recovery codes."""
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    device = (
        TOTPDevice.objects.select_for_update(no_key=True).filter(user=user, confirmed=False).first()
    )
    if device is None or not device.verify_token(_normalised(code)):
        audit_record(
            actor=user,
            action=AuditAction.LOGIN_FAILED,
            obj=user,
            summary="Wrong code while setting up the authenticator app",
            details={"second_factor": "enrolment_wrong_code"},
        )
        return EnrolmentResult(device=None, recovery_codes=[])
    # One app per account: a new enrolment replaces the old one.
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(user)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        summary="Authenticator app set up; recovery codes issued",
        details={"second_factor": "enrolled", "recovery_codes": len(codes)},
    )
    return EnrolmentResult(device=device, recovery_codes=codes)


def _recovery_code() -> str:
    # 10 characters of Crockford-like base32 (50 bits), shown as xxxxx-xxxxx.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_issue(user: User) -> list[str]:
    """Fresh codes replacing any old ones; for callers inside a transaction."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    # Stored as typed without the dash: verification normalises what is typed the same way.
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=_normalised(code)) for code in codes]
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    codes = recovery_codes_issue(user)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        summary="New recovery codes issued (the old ones no longer work)",
        details={"second_factor": "recovery_codes_regenerated"},
    )
    return codes


# --- Reset -------------------------------------------------------------------------------


def _epoch_bump(user: User) -> None:
    # Read-modify-write under a row lock, so two resets cannot both write the same value.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    user.second_factor_epoch = locked.second_factor_epoch + 1
    user.save(update_fields=["second_factor_epoch"])


@transaction.atomic
def second_factor_reset(*, user: User, actor: User, reason: str = "") -> None:
    """Remove every factor: the user enrols again at the next log-in; open sessions lose
    their verification at once."""
    removed = [
        d.name
        for d in [
            *TOTPDevice.objects.filter(user=user),
            *WebAuthnCredential.objects.filter(user=user),
            *StaticDevice.objects.filter(user=user),
        ]
    ]
    TOTPDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _epoch_bump(user)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Second factors reset for {user.get_username()}",
        details={"second_factor": "reset", "removed": removed, "reason": reason[:300]},
    )


def sessions_unverify(user: User) -> None:
    """For callers that already hold a transaction (deactivation, removing a key)."""
    _epoch_bump(user)


def session_keep_verified(request: HttpRequest, *, user: User) -> None:
    """After sessions_unverify on purpose (a key removed): this session, the one that asked,
    stays verified; every other session of the user must verify again."""
    state = request.session.get(SESSION_KEY)
    if isinstance(state, dict) and state.get("user") == user.pk:
        request.session[SESSION_KEY] = {**state, "epoch": user.second_factor_epoch}
