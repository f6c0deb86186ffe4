"""Ana ticks the orange flag "substance misuse" for Susan: beside it she sees Susan's daily opioid
dose with its warnings and a link to her medicines, on the flags checklist of the profile and on
the formulation form (before this the flag led nowhere)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from assessment import services as assessment_services
from medicines import services

pytestmark = pytest.mark.django_db

LONG_AGO = date.today() - timedelta(days=100)


def test_the_substance_misuse_flag_leads_to_the_medicines(client, ana, susan, settings):
    settings.OME_TABLE = "cdc2022"
    services.medication_add(actor=ana, patient=susan, data={"product": "oxycodone_oral",
                            "strength": 20, "doses_per_day": 2, "start_date": LONG_AGO})  # fmt: skip
    services.medication_add(actor=ana, patient=susan,
                            data={"name": "Pregabalin", "start_date": LONG_AGO})  # fmt: skip
    assessment_services.formulation_record(
        actor=ana, patient=susan, flags={"orange_substance": True}, red_flags="", notes=""
    )
    client.force_login(ana)
    medicines = reverse("medicines:list", kwargs={"patient_id": susan.pk})
    for name in ("profile", "formulation"):
        page = client.get(reverse(f"assessment:{name}", kwargs={"patient_id": susan.pk}))
        text = page.content.decode()
        assert f'href="{medicines}"' in text, name
        # CDC 2022: 40 mg oxycodone a day x 1.5
        assert "Daily opioid dose: 60.0 mg oral morphine equivalent a day (CDC 2022)" in text, name
        assert "At or above 50 MME a day" in text, name
        assert "gabapentinoid" in text, name


def test_without_an_opioid_the_flag_still_leads_to_the_medicines(client, ana, susan):
    client.force_login(ana)
    page = client.get(reverse("assessment:formulation", kwargs={"patient_id": susan.pk}))
    text = page.content.decode()
    assert "No opioid on the medication record." in text
    assert reverse("medicines:list", kwargs={"patient_id": susan.pk}) in text
