"""Every medicines page speaks the clinic's language: no internal keys, enum values, source keys,
confidence marks or raw floats in the text a clinician reads (issue #9 rule; issue #11)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from medicines import services

pytestmark = pytest.mark.django_db

INTERNAL = re.compile(
    r"cdc2022|opioids_aware|as_needed|cannot_compute|_oral\b|_patch\b|"
    r"CDC22|CDC16|OA-KEY|FDA1\d|MHRA\d|\[[VSU]\]|\bUNVERIFIED\b|\b[VSU] \w|\d+\.\d{3,}"
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r"<option\b[^>]*>", "<option>", html)  # option values are not read
    return re.sub(r"<[^>]+>", " ", html)


def test_no_internal_keys_on_any_medicines_page(client, ana, bob, jannick, settings):
    start = date.today() - timedelta(days=90)
    for table in ("cdc2022", "opioids_aware"):
        settings.OME_TABLE = table
        for data in (
            {"product": "oxycodone_oral", "strength": 10, "doses_per_day": 3},
            {"product": "buprenorphine_patch", "strength": 10, "unit": "µg/h"},
            {"product": "methadone_oral", "strength": 5, "doses_per_day": 2},
            {"product": "tramadol_oral", "strength": 50, "frequency": "as_needed",
             "max_doses_per_day": 4, "reported_doses_per_day": 1.5},
            {"name": "Diazepam 2 mg at night"},
            {"name": "Pregabalin 75 mg"},
        ):  # fmt: skip
            services.medication_add(actor=ana, patient=jannick, data={**data, "start_date": start})
    services.taper_plan_save(actor=ana, patient=jannick, expected_version=0, data={
        "start_date": start, "start_dose": 99.9, "target_dose": 33.3, "percent": 7.5,
        "basis": "starting", "interval_days": 21, "reason": "r", "shared_decision": "s"})  # fmt: skip
    medication = jannick.medications.first()
    client.force_login(ana)
    pages = [
        reverse(f"medicines:{name}", kwargs={"patient_id": jannick.pk, **kw})
        for name, kw in (
            ("list", {}),
            ("add", {}),
            ("taper", {}),
            ("taper_step", {}),
            ("change", {"medication_id": medication.pk}),
            ("history", {"medication_id": medication.pk}),
        )
    ]
    pages += [
        reverse(f"treatment:{name}", kwargs={"patient_id": jannick.pk})
        for name in ("gp_letter", "summary")
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        found = INTERNAL.findall(visible_text(response.content.decode()))
        assert found == [], (page, found)
    client.force_login(bob)
    review = client.get(reverse("medicines:opioid_review")).content.decode()
    assert INTERNAL.findall(visible_text(review)) == []


def test_the_scan_would_catch_a_key():
    assert INTERNAL.findall(visible_text("<p>cdc2022 as_needed 1.5000001 [V]</p>"))
