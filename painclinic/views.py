"""Accounts, home page, audit browsing and worker health."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.http import require_http_methods

from painclinic import selectors
from painclinic.access import (
    audit_events_visible_to,
    authenticated_view,
    public_view,
    team_lead_view,
)
from painclinic.forms import AuditFilter, LoginForm
from painclinic.models import Role

login = public_view(
    auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)
)
logout = public_view(auth_views.LogoutView.as_view())


@require_http_methods(["GET"])
@authenticated_view
def home(request: HttpRequest) -> HttpResponse:
    # Clinicians and team leads start from their caseload (team leads reach the team review from
    # the menu); a programme admin has no caseload of their own and starts from the programmes.
    if request.user.role == Role.PROGRAMME_ADMIN:
        return redirect("programmes:list")
    return redirect("caseload")


@require_http_methods(["GET"])
@team_lead_view
def audit_log(request: HttpRequest) -> HttpResponse:
    filterset = AuditFilter(
        request.GET,
        queryset=audit_events_visible_to(request.user).select_related("actor", "patient"),
        user=request.user,
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "painclinic/audit_log.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode()},
    )


@require_http_methods(["GET"])
@team_lead_view
def worker_health(request: HttpRequest) -> HttpResponse:
    return render(request, "painclinic/worker_health.html", {"health": selectors.worker_health()})


def server_error(request: HttpRequest) -> HttpResponse:
    """A plain 500 page with the request id to quote, never a traceback (ASVS 5.0 16.5.1)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"request_id": getattr(request, "request_id", "")})
    )
