"""The second step after the password: verify a code, set up an authenticator, recovery codes.

The policy and the writes are in ``painclinic.mfa``; these pages only show them.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painclinic import mfa
from painclinic.access import authenticated_view
from painclinic.forms import CodeForm


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: anything else ("105", a date) would be taken by redirect() for a
    # view name and reversed (NoReverseMatch, a 500).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("home")


def _locked_message(until) -> str:
    return _(
        "Too many wrong codes. Two-step verification is locked for your account until %(time)s."
    ) % {"time": time_format(timezone.localtime(until), "H:i")}


@require_http_methods(["GET", "POST"])
@authenticated_view
def verify(request: HttpRequest) -> HttpResponse:
    if mfa.is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    if not mfa.is_enrolled(request.user):
        return redirect("mfa_setup")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        outcome = mfa.verify(request, form.cleaned_data["code"])
        if outcome.ok:
            if outcome.used_recovery_code:
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d are left. Make new ones if few remain.")
                    % {"left": mfa.recovery_codes_left(request.user)},
                )
            return HttpResponseRedirect(_next_url(request))
        if outcome.locked_until is not None:
            form.add_error(None, _locked_message(outcome.locked_until))
            status = 429
        else:
            form.add_error("code", _("That code is not right. Check the app and try again."))
    return render(
        request,
        "registration/mfa_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@authenticated_view
def setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the code, type the first code, get recovery codes."""
    if mfa.is_enrolled(request.user):
        if not mfa.is_verified(request):
            return redirect("mfa_verify")
        return redirect("mfa_recovery_codes")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_enrolment(request, form.cleaned_data["code"])
        if codes is not None:
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "just_enrolled": True, "next": _next_url(request)},
            )
        until = mfa.locked_until(request.user)
        if until is not None:
            form.add_error(None, _locked_message(until))
            status = 429
        else:
            form.add_error("code", _("That code is not right. Check the app and try again."))
    device = mfa.pending_authenticator(request.user)
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr": mfa.provisioning_qr_data_uri(device),
            "secret": mfa.secret_in_groups(device),
            "required": mfa.mfa_required(request.user),
            "next": _next_url(request),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@authenticated_view
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """How many recovery codes are left; new ones (shown once) after a fresh code."""
    if not mfa.is_enrolled(request.user):
        return redirect("mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.check_current_code(request.user, form.cleaned_data["code"]):
            codes = mfa.regenerate_recovery_codes(request.user)
            return render(
                request,
                "registration/mfa_recovery_codes.html",
                {"codes": codes, "just_enrolled": False, "next": resolve_url("home")},
            )
        until = mfa.locked_until(request.user)
        form.add_error(
            "code" if until is None else None,
            _locked_message(until) if until else _("That code is not right."),
        )
    return render(
        request,
        "registration/mfa_status.html",
        {"form": form, "left": mfa.recovery_codes_left(request.user)},
    )
