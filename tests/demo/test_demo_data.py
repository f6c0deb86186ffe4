"""`make run` seeds the demo: the cast logs in and finds Jannick with his screen, plan and study."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessment.models import Administration
from medicines import selectors as medicines_selectors
from medicines.models import Medication, MedicationVersion, TaperPlan, TaperStep
from painclinic.models import User
from patients.models import Patient
from sced.models import Study


@pytest.mark.django_db
def test_demo_data_is_complete_and_seeding_twice_changes_nothing(client, settings):
    settings.OME_TABLE = "cdc2022"
    for _ in range(2):
        call_command("seed_demo", patients=20, stdout=None)
        call_command("seed_clinical_demo")
    assert Patient.objects.filter(identifier__startswith="SYN-").count() == 20
    jannick = Patient.objects.get(identifier="DEMO-JANNICK")
    assert Administration.objects.filter(session__patient=jannick, state="signed").count() == 7
    assert Study.objects.filter(episode__patient=jannick).count() == 1
    # Susan's medicines: oxycodone MR with pregabalin, amitriptyline, a taper with one step taken.
    susan = Patient.objects.get(identifier="DEMO-SUSAN")
    assert Medication.objects.filter(patient=susan).count() == 4
    assert MedicationVersion.objects.filter(medication__patient=susan).count() == 5
    assert TaperPlan.objects.filter(patient=susan).count() == 1
    assert TaperStep.objects.filter(patient=susan).count() == 1
    figure = medicines_selectors.latest_ome(susan)
    assert float(figure.total) == 52.5  # CDC 2022: (20 + 15) mg oxycodone x 1.5
    assert any("gabapentinoid" in c["class_name"] for c in figure.result["co_prescriptions"])
    assert set(User.objects.values_list("role", flat=True)) == {
        "clinician",
        "team_lead",
        "programme_admin",
    }
    login = {"username": "ana", "password": "painclinic-demo"}
    assert client.post(reverse("login"), login).status_code == 302  # the printed demo password
    caseload = client.get(reverse("caseload")).content.decode()
    assert "Jannick de Vries" in caseload
    assert "Susan Whitfield" in caseload
    client.logout()
    client.post(reverse("login"), {"username": "charlie", "password": "painclinic-demo"})
    assert "Jannick" not in client.get(reverse("patients:list")).content.decode()
