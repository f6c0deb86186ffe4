"""The user's own API tokens: create (shown once), list, revoke. Linked from the user menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.models import TokenScope
from painclinic import mfa
from painclinic.access import authenticated_view

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_lazy("Name"),
        max_length=80,
        help_text=_lazy("What will use it, e.g. “Ward tablet diary”."),
    )
    scope = forms.ChoiceField(
        label=_lazy("Allows"), choices=TokenScope.choices, initial=TokenScope.READ
    )
    days = forms.IntegerField(
        label=_lazy("Valid for (days)"),
        min_value=1,
        max_value=tokens.MAX_LIFETIME_DAYS,
        initial=30,
    )


@require_http_methods(["GET", "POST"])
@authenticated_view
def token_list(request: HttpRequest) -> HttpResponse:
    verified = mfa.is_verified(request)
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = tokens.token_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
                otp_verified=verified,
            )
        except PermissionDenied:
            messages.error(request, _(tokens.MSG_NOT_VERIFIED))
            return redirect("api_tokens:tokens")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            form = TokenForm()
    context = {
        "form": form,
        "tokens": tokens.tokens_of(request.user),
        "new_token": new_token,
        "verified": verified,
    }
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@require_POST
@authenticated_view
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(tokens.tokens_of(request.user), pk=token_id)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(
        request, _("The token “{name}” is revoked: it no longer works.").format(name=token.name)
    )
    return redirect("api_tokens:tokens")
