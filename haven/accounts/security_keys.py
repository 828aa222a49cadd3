"""Security keys and passkeys (WebAuthn) as a second factor, beside the app and recovery codes.

django-otp-webauthn gives the credential model (a django-otp Device, so a key is a device like
the app) and py_webauthn's checks behind its helper; the ceremonies' views, the session state and
the script are Haven's, because a session is verified here by Haven's own marker (two_factor.py),
not by django-otp's login(), and every step is audited.

A ceremony is two requests: options (a fresh challenge, kept in the session) and the browser's
answer. The challenge is taken out of the session before the answer is checked, so it can be used
once; it expires after HAVEN_WEBAUTHN_TIMEOUT_SECONDS. py_webauthn checks the signature over the
challenge, the origin (HAVEN_WEBAUTHN_ORIGINS), the relying party (HAVEN_WEBAUTHN_RP_ID) and that
the key's counter went up; a key registered to another account is refused before that.
Keys are not throttled like codes: there is nothing to guess in a signature.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential
from webauthn import base64url_to_bytes, verify_authentication_response
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException

from haven.audit.models import AuditAction
from haven.audit.services import audit_record

from . import two_factor
from .models import User

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest
    from django_otp_webauthn.models import AbstractWebAuthnCredential
    from webauthn.helpers.structs import RegistrationCredential
    from webauthn.registration.verify_registration_response import VerifiedRegistration

NAME_MAX_LENGTH = 64  # the model's
REGISTER = "register"
AUTHENTICATE = "authenticate"

# Why a key was refused: the code goes to the audit trail, the words to the person.
REFUSALS = {
    "no_challenge": _("This attempt was already used or never started. Try again."),
    "expired": _("That took too long. Try again."),
    "unknown_key": _("This key is not registered to your account."),
    "wrong_address": _(
        "The key answered for another address. Open Haven at its usual address and try again."
    ),
    "sign_count": _(
        "This key was refused: its counter went backwards, which can mean it was copied. "
        "Use another way to log in and tell a supervisor."
    ),
    "duplicate": _("This key is already registered."),
    "invalid": _("The key's answer could not be checked. Try again."),
}


class HavenWebAuthnHelper(WebAuthnHelper):  # type: ignore[misc]  # the library ships no types
    """django-otp-webauthn's helper, with Haven's settings and the key's name."""

    def __init__(self, request: HttpRequest, *, key_name: str = "") -> None:
        super().__init__(request)
        self.key_name = key_name

    def get_relying_party_domain(self) -> str:
        return str(settings.HAVEN_WEBAUTHN_RP_ID)

    def get_relying_party_name(self) -> str:
        return str(settings.OTP_TOTP_ISSUER)

    def get_allowed_origins(self) -> list[str]:
        return list(settings.HAVEN_WEBAUTHN_ORIGINS)

    def get_credential_display_name(self, user: AbstractBaseUser) -> str:
        # The user name only: the key (or a phone's passkey list) need not hold a full name.
        return user.get_username()

    def create_credential(
        self,
        user: AbstractBaseUser,
        response: VerifiedRegistration,
        parsed_credential: RegistrationCredential,
        original_data: dict[str, Any],
    ) -> AbstractWebAuthnCredential:
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = self.key_name
        return device


def origin_allowed(request: HttpRequest) -> bool:
    """Whether a key can work at the address this page was opened at."""
    return f"{request.scheme}://{request.get_host()}" in settings.HAVEN_WEBAUTHN_ORIGINS


def keys_of(user: User) -> QuerySet[WebAuthnCredential]:
    keys: QuerySet[WebAuthnCredential] = WebAuthnCredential.objects.filter(
        user=user, confirmed=True
    ).order_by("created_at", "pk")
    return keys


def has_key(user: User) -> bool:
    return keys_of(user).exists()


def name_problem(name: str) -> str | None:
    if not name:
        return str(_("Give the key a name, so that you can tell your keys apart."))
    if len(name) > NAME_MAX_LENGTH:
        return str(_("The name is too long (at most 64 characters)."))
    return None


# --- Ceremony state ----------------------------------------------------------------------


def ceremony_state(
    *, ceremony: str, user: User, options: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """What the session keeps between the options and the answer (JSON-serialisable)."""
    verification = options.get("authenticatorSelection", options).get("userVerification")
    return {
        "ceremony": ceremony,
        "user": user.pk,
        "challenge": options["challenge"],
        "require_user_verification": verification == "required",
        "issued_at": time.time(),
        **extra,
    }


def _state_refusal(state: object, *, ceremony: str, user: User) -> str | None:
    if (
        not isinstance(state, dict)
        or state.get("ceremony") != ceremony
        or state.get("user") != user.pk
    ):
        return "no_challenge"
    if time.time() - float(state.get("issued_at", 0)) > settings.HAVEN_WEBAUTHN_TIMEOUT_SECONDS:
        return "expired"
    return None


def _exception_refusal(exc: Exception) -> str:
    text = str(exc).lower()
    if "sign count" in text:
        return "sign_count"
    if "origin" in text or "rp id" in text:
        return "wrong_address"
    return "invalid"


def _credential_hash(raw_id: bytes) -> str:
    return str(WebAuthnCredential.get_credential_id_sha256(raw_id))


@dataclass(frozen=True)
class KeyResult:
    device: WebAuthnCredential | None
    refusal: str | None = None
    # Issued when this key is the account's first app or key (shown once, as after the app).
    recovery_codes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(REFUSALS.get(self.refusal or "", REFUSALS["invalid"]))


def _refused(*, user: User, refusal: str, summary: str, kind: str, **details: Any) -> KeyResult:
    audit_record(
        actor=user,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        summary=f"{summary}: {refusal.replace('_', ' ')}",
        details={"second_factor": kind, "refusal": refusal, **details},
    )
    return KeyResult(device=None, refusal=refusal)


# --- Registration ------------------------------------------------------------------------


def key_registration_options(*, request: HttpRequest, user: User) -> dict[str, Any]:
    """The options for navigator.credentials.create() (base64url JSON). Keys the account
    has already are listed to be excluded, so the same key is not registered twice."""
    options, _state = HavenWebAuthnHelper(request).register_begin(user=user)
    return dict(options)


@transaction.atomic
def key_register(
    *, request: HttpRequest, user: User, state: object, credential: object
) -> KeyResult:
    """Check the browser's answer to the registration options and keep the key; audited."""
    summary, kind = "Security key not registered", "key_enrolment_failed"
    refusal = _state_refusal(state, ceremony=REGISTER, user=user)
    if refusal is not None:
        return _refused(user=user, refusal=refusal, summary=summary, kind=kind)
    assert isinstance(state, dict)
    try:
        parsed = parse_registration_credential_json(credential)  # type: ignore[arg-type]
    except (WebAuthnException, ValueError, TypeError) as exc:
        return _refused(
            user=user, refusal="invalid", summary=summary, kind=kind, error=str(exc)[:200]
        )
    if WebAuthnCredential.objects.filter(
        credential_id_sha256=_credential_hash(parsed.raw_id)
    ).exists():
        return _refused(user=user, refusal="duplicate", summary=summary, kind=kind)
    first = not two_factor.has_primary_factor(user)
    helper = HavenWebAuthnHelper(request, key_name=str(state.get("name", "")))
    try:
        # Verifies the challenge, origin, relying party and attestation, then saves the key.
        device = helper.register_complete(user=user, state=state, data=credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        return _refused(
            user=user,
            refusal=_exception_refusal(exc),
            summary=summary,
            kind=kind,
            error=str(exc)[:200],
        )
    assert isinstance(device, WebAuthnCredential)
    codes = two_factor.recovery_codes_issue(user) if first else []
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Security key registered ({device.name})"
        + ("; recovery codes issued" if codes else ""),
        details={
            "second_factor": "key_enrolled",
            "device": device.persistent_id,
            "recovery_codes": len(codes),
        },
    )
    return KeyResult(device=device, recovery_codes=codes)


# --- Authentication ----------------------------------------------------------------------


def key_authentication_options(*, request: HttpRequest, user: User) -> dict[str, Any]:
    """The options for navigator.credentials.get(), listing only this account's keys."""
    options, _state = HavenWebAuthnHelper(request).authenticate_begin(
        user=user, require_user_verification=False
    )
    return dict(options)


@transaction.atomic
def key_authenticate(
    *, request: HttpRequest, user: User, state: object, credential: object
) -> KeyResult:
    """Check a key's answer for this user's session; audited either way."""
    summary, kind = "Security key refused", "key_failed"
    refusal = _state_refusal(state, ceremony=AUTHENTICATE, user=user)
    if refusal is not None:
        return _refused(user=user, refusal=refusal, summary=summary, kind=kind)
    assert isinstance(state, dict)
    try:
        parsed = parse_authentication_credential_json(credential)  # type: ignore[arg-type]
    except (WebAuthnException, ValueError, TypeError) as exc:
        return _refused(
            user=user, refusal="invalid", summary=summary, kind=kind, error=str(exc)[:200]
        )
    # Locked: two answers from one key (or from a copy of it) checked at the same moment must
    # not both pass the counter check against the same stored count.
    # No key of the locked rows changes (no delete, no unique column): FOR NO KEY UPDATE
    # on PostgreSQL, which does not hold up inserts of rows referencing them.
    device = (
        WebAuthnCredential.objects.select_for_update(no_key=True)
        .filter(credential_id_sha256=_credential_hash(parsed.raw_id), confirmed=True)
        .first()
    )
    if device is None:
        return _refused(user=user, refusal="unknown_key", summary=summary, kind=kind)
    if device.user_id != user.pk:
        # Someone else's key: refused in the same words as an unknown one.
        return _refused(
            user=user,
            refusal="unknown_key",
            summary=summary,
            kind=kind,
            other_account=True,
            device=device.persistent_id,
        )
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=str(settings.HAVEN_WEBAUTHN_RP_ID),
            expected_origin=list(settings.HAVEN_WEBAUTHN_ORIGINS),
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count,
            require_user_verification=bool(state["require_user_verification"]),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        return _refused(
            user=user,
            refusal=_exception_refusal(exc),
            summary=summary,
            kind=kind,
            device=device.persistent_id,
            error=str(exc)[:200],
        )
    device.sign_count = verified.new_sign_count
    device.backup_state = verified.credential_backed_up
    device.last_used_at = timezone.now()
    device.save(update_fields=["sign_count", "backup_state", "last_used_at"])
    audit_record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        summary=f"Second factor passed ({device.name})",
        details={"second_factor": "WebAuthnCredential", "device": device.persistent_id},
    )
    return KeyResult(device=device)


# --- Removal -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RemovalResult:
    removed: bool
    message: str


@transaction.atomic
def key_remove(*, user: User, key_id: int) -> RemovalResult:
    """Remove one of the user's keys, unless it is their last app or key. Every other session
    of the user must verify again (a key removed because it was lost may have been used)."""
    # Locked so that two removals at once cannot each see the other key and remove both.
    # FOR UPDATE, not NO KEY: the key removed is deleted in this transaction.
    keys = list(WebAuthnCredential.objects.select_for_update().filter(user=user, confirmed=True))
    key = next((k for k in keys if k.pk == key_id), None)
    if key is None:
        return RemovalResult(removed=False, message=str(_("That key is not registered to you.")))
    has_app = two_factor.totp_device_confirmed(user) is not None
    if not has_app and len(keys) == 1:
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            summary=f"Security key not removed: the last way to log in ({key.name})",
            details={"second_factor": "key_removal_refused", "device": key.persistent_id},
        )
        return RemovalResult(
            removed=False,
            message=str(
                _(
                    "This is your last key and you have no authenticator app: add another key "
                    "or set up the app first."
                )
            ),
        )
    persistent_id, name = key.persistent_id, key.name
    key.delete()
    two_factor.sessions_unverify(user)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        summary=f"Security key removed ({name})",
        details={"second_factor": "key_removed", "device": persistent_id},
    )
    return RemovalResult(
        removed=True, message=str(_("The key “%(name)s” was removed.") % {"name": name})
    )


def check_relying_party(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """System check: every origin's host is the RP ID or under it, and the RP ID is a host name
    (a browser refuses a key ceremony otherwise, and says little about why)."""
    rp_id = str(settings.HAVEN_WEBAUTHN_RP_ID)
    errors: list[CheckMessage] = []
    if not rp_id or ":" in rp_id or "/" in rp_id or rp_id.replace(".", "").isdigit():
        errors.append(
            Error(
                f"HAVEN_WEBAUTHN_RP_ID {rp_id!r} is not a host name.",
                hint="A host name such as haven.example.org: no scheme, port or IP address.",
                id="haven.accounts.E010",
            )
        )
    for origin in settings.HAVEN_WEBAUTHN_ORIGINS:
        host = urlsplit(origin).hostname or ""
        if host != rp_id and not host.endswith("." + rp_id):
            errors.append(
                Error(
                    f"The origin {origin!r} is not under HAVEN_WEBAUTHN_RP_ID {rp_id!r}.",
                    hint="Each of HAVEN_WEBAUTHN_ORIGINS must be at the RP ID or a subdomain.",
                    id="haven.accounts.E011",
                )
            )
    return errors
