"""The benchmark's floor: what any Django page over these tables costs at least.

Logged-in (database session), one COUNT and one page of 50 patients of the user's caseload,
a 50-row template. Served only by ``demo.bench.settings_bare`` (never by production URLs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from patients.models import Patient

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


@login_required
def bare_caseload(request: HttpRequest) -> HttpResponse:
    mine = Patient.objects.filter(episodes__lead_clinician=request.user).distinct()
    page = int(request.GET.get("page", "1") or 1)
    total = mine.count()
    rows = list(
        mine.order_by("family_name", "given_name", "id").values(
            "id", "identifier", "given_name", "family_name", "date_of_birth"
        )[(page - 1) * 50 : page * 50]
    )
    return render(request, "demo/bench/bare.html", {"total": total, "rows": rows})
