"""Accounts, home page, the audit chain check and worker health. Browsing the audit log needs
the lead's patients, so it lives one layer up (patients/audit_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painclinic import audit, selectors, services
from painclinic.access import authenticated_view, public_view, team_lead_view
from painclinic.forms import ClinicDetailsForm, LoginForm
from painclinic.models import AuditAction, Role

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


@require_http_methods(["GET", "POST"])
@team_lead_view
def audit_verify(request: HttpRequest) -> HttpResponse:
    """The lead checks that nobody has changed, inserted or removed audit events (the hash chain;
    issue #15). Runs on request (POST): it reads the whole log."""
    result = None
    if request.method == "POST":
        result = selectors.audit_chain_check()
        audit.record_event(
            actor=request.user, action=AuditAction.VIEW, object_type="painclinic.auditevent"
        )
    return render(request, "painclinic/audit_verify.html", {"result": result})


@require_http_methods(["GET"])
@team_lead_view
def worker_health(request: HttpRequest) -> HttpResponse:
    return render(request, "painclinic/worker_health.html", {"health": selectors.worker_health()})


@require_http_methods(["GET", "POST"])
@team_lead_view
def clinic_details(request: HttpRequest) -> HttpResponse:
    """The clinic's details that every letter prints as its letterhead (issue #14)."""
    details = selectors.clinic_details()
    form = ClinicDetailsForm(request.POST or None, instance=details)
    if request.method == "POST" and form.is_valid():
        services.clinic_details_update(actor=request.user, data=form.cleaned_data)
        messages.success(request, _("The clinic's details are saved: letters print them."))
        return redirect("clinic_details")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "painclinic/clinic_details.html", {"form": form, "details": details}, status=status
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """A plain 500 page with the request id to quote, never a traceback (ASVS 5.0 16.5.1)."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"request_id": getattr(request, "request_id", "")})
    )
