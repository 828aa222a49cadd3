"""The off-Haven page: a signed link plus a one-time code (or passphrase), no account."""

from __future__ import annotations

import io
import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from haven.audit.middleware import current_ip

from . import delivery, selectors, services
from .errors import ReferralRefused
from .forms import DownloadForm, LinkCodeForm, PartnerStatusForm
from .models import SHAREABLE_FIELDS, ReferralLink
from .snapshot import snapshot_loads

_SESSION = "haven_referral_links"
# How long an opened link stays open in this browser.
_OPEN_SECONDS = 2 * 60 * 60


def _opened_link(request: HttpRequest, token: str) -> ReferralLink | None:
    """The link, when this browser opened it with a code lately and it is still live."""
    link = delivery.link_from_token(token)
    if link is None:
        return None
    opened = request.session.get(_SESSION, {}).get(str(link.pk))
    if opened is None or timezone.now().timestamp() - opened > _OPEN_SECONDS:
        return None
    return link


def _refused(request: HttpRequest, form: LinkCodeForm, status: int = 200) -> HttpResponse:
    # One answer for a bad, expired or revoked link and a wrong or used code.
    return render(
        request,
        "referrals/shared_code.html",
        {"form": form, "refused": True},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def shared(request: HttpRequest, token: str) -> HttpResponse:
    link = _opened_link(request, token)
    if link is not None:
        return _render_referral(request, link)
    if request.method == "GET":
        return render(request, "referrals/shared_code.html", {"form": LinkCodeForm()})
    form = LinkCodeForm(request.POST)
    if not delivery.attempts_allowed(token=token, address=current_ip.get()):
        return render(
            request,
            "referrals/shared_code.html",
            {"form": LinkCodeForm(), "limited": True},
            status=429,
        )
    if not form.is_valid():
        return _refused(request, LinkCodeForm())
    opened = delivery.link_open(token=token, secret=form.cleaned_data["secret"])
    if opened is None:
        return _refused(request, LinkCodeForm())
    links = request.session.get(_SESSION, {})
    links[str(opened.link.pk)] = timezone.now().timestamp()
    request.session[_SESSION] = links
    return redirect("referrals:shared", token=token)


def _render_referral(request: HttpRequest, link: ReferralLink, **extra: object) -> HttpResponse:
    referral = link.referral
    selectors.audit_partner_read(
        actor=None, referral=referral, through="off-Haven link", link=link.pk
    )
    context = {
        "referral": referral,
        "snapshot": snapshot_loads(referral.snapshot),
        "field_labels": SHAREABLE_FIELDS,
        "status_form": PartnerStatusForm(current=referral.status),
        "download_form": DownloadForm(),
        "can_move": referral.is_open,
        "token": request.resolver_match.kwargs["token"] if request.resolver_match else "",
        **extra,
    }
    return render(request, "referrals/shared_referral.html", context, status=400 if extra else 200)


@never_cache
@require_POST
def shared_status(request: HttpRequest, token: str) -> HttpResponse:
    link = _opened_link(request, token)
    if link is None:
        return _refused(request, LinkCodeForm())
    form = PartnerStatusForm(request.POST, current=link.referral.status)
    if form.is_valid():
        try:
            services.referral_partner_move(
                referral=link.referral,
                status=form.cleaned_data["status"],
                actor=None,
                actor_label=f"off-Haven link {link.pk}",
                reason=form.cleaned_data["reason"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ReferralRefused as refused:
            form.add_error(None, " ".join(refused.messages))
        else:
            messages.success(request, _("Referral updated. Thank you."))
            return redirect("referrals:shared", token=token)
    return _render_referral(request, link, status_form=form)


@never_cache
@require_POST
def shared_download(request: HttpRequest, token: str) -> HttpResponse:
    """The snapshot as an AES-encrypted zip, under a password the partner chooses now."""
    link = _opened_link(request, token)
    if link is None:
        return _refused(request, LinkCodeForm())
    form = DownloadForm(request.POST)
    if not form.is_valid():
        return _render_referral(request, link, download_form=form)
    import pyzipper

    referral = link.referral
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(form.cleaned_data["password"].encode())
        body = {
            "referral": referral.reference,
            "service": referral.service.name,
            **snapshot_loads(referral.snapshot),
        }
        archive.writestr(
            f"{referral.reference}.json", json.dumps(body, ensure_ascii=False, indent=2)
        )
    selectors.audit_partner_read(
        actor=None, referral=referral, through="off-Haven download", link=link.pk
    )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{referral.reference}.zip"'
    return response


__all__ = ["ReferralRefused", "shared", "shared_download", "shared_status"]
