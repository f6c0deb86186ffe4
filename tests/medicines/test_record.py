"""Jannick's medication record, as Ana keeps it: opioids and other medicines on one list, the
daily OME with its table, warnings, naloxone, versions instead of edits, and bad input that comes
back with a clear message and nothing lost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from medicines import services
from medicines.models import MedicationVersion, OmeFigure
from painclinic.models import AuditAction, AuditEvent, Discipline
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = date.today() - timedelta(days=60)


def url(name, patient, **kw):
    return reverse(f"medicines:{name}", kwargs={"patient_id": patient.pk, **kw})


def oxycodone(**extra):
    return {
        "product": "oxycodone_oral",
        "strength": "20",
        "unit": "mg",
        "units_per_dose": "1",
        "frequency": "regular",
        "doses_per_day": "2",
        "start_date": START.isoformat(),
        "prescriber": "Dr Patel (GP)",
        "indication": "Low back pain",
        **extra,
    }


def pregabalin():
    return {
        "name": "Pregabalin 150 mg twice a day",
        "frequency": "regular",
        "start_date": START.isoformat(),
        "route": "oral",
    }


def test_ana_records_oxycodone_and_pregabalin_and_sees_ome_and_co_prescription(
    client, ana, jannick, settings
):
    settings.OME_TABLE = "cdc2022"
    client.force_login(ana)
    assert client.post(url("add", jannick), oxycodone()).status_code == 302
    assert client.post(url("add", jannick), pregabalin()).status_code == 302
    page = client.get(url("list", jannick)).content.decode()
    # CDC 2022: oxycodone 20 mg twice a day = 40 mg x 1.5 = 60 MME/day
    assert "60.0" in page
    assert "CDC 2022" in page
    assert "Co-prescription: an opioid with a gabapentinoid" in page
    assert "offering naloxone" in page  # >= 50 MME/day
    figure = OmeFigure.objects.filter(patient=jannick).latest("computed_at")
    assert (figure.table, float(figure.total)) == ("cdc2022", 60.0)
    assert figure.table_version == "MMWR Recomm Rep 2022;71(RR-3)"
    for internal in ("cdc2022", "gabapentinoid'", "as_needed", "CDC22", "UNVERIFIED", "60.000"):
        assert internal not in page


def test_the_clinics_table_choice_gives_the_opioids_aware_figure(client, ana, jannick, settings):
    settings.OME_TABLE = "opioids_aware"
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone(product="tramadol_oral", strength="50",
                                                doses_per_day="4"))  # fmt: skip
    figure = OmeFigure.objects.filter(patient=jannick).latest("as_of", "computed_at")
    # Opioids Aware: tramadol 200 mg/day x 0.1 = 20 (CDC 2022 would say 40)
    assert (figure.table, float(figure.total)) == ("opioids_aware", 20.0)
    assert "Opioids Aware" in client.get(url("list", jannick)).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"unit": "µg/h"}, "unit", "does not fit"),
        ({"strength": "2000"}, "strength", "plausible"),
        ({"doses_per_day": "30"}, "doses_per_day", "plausible"),
        ({"stop_date": (START - timedelta(days=1)).isoformat()}, "stop_date", "before the start"),
        ({"frequency": "as_needed", "doses_per_day": ""}, "max_doses_per_day", "maximum"),
        ({"product": "", "name": "Oxycodone 5 mg"}, "name", "opioid"),
    ],
)
def test_bad_input_comes_back_with_the_message_and_everything_typed(
    client, ana, jannick, change, field, words
):
    client.force_login(ana)
    response = client.post(url("add", jannick), oxycodone(**change))
    assert response.status_code == 400
    form = response.context["form"]
    assert words in " ".join(form.errors[field])
    assert 'value="Dr Patel (GP)"' in response.content.decode()  # nothing lost
    assert not MedicationVersion.objects.filter(medication__patient=jannick).exists()


def test_a_change_is_a_new_version_with_its_reason_and_the_old_one_kept(client, ana, jannick):
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone())
    medication = jannick.medications.get()
    change = url("change", jannick, medication_id=medication.pk)
    form = client.get(change).context["form"]
    assert form.initial["version"] == 1
    data = oxycodone(strength="15", version="1", effective_from=date.today().isoformat())
    no_reason = client.post(change, data)
    assert no_reason.status_code == 400
    assert "Say why" in " ".join(no_reason.context["form"].errors["change_reason"])
    assert client.post(change, {**data, "change_reason": "Taper step 1"}).status_code == 302
    versions = list(medication.versions.order_by("version"))
    assert [(v.version, float(v.strength)) for v in versions] == [(1, 20.0), (2, 15.0)]
    assert versions[1].change_reason == "Taper step 1"
    # 15 mg x 2 x 1.5 = 45 (both tables); the figure follows the change
    assert float(OmeFigure.objects.filter(patient=jannick).latest("computed_at").total) == 45.0
    history = client.get(url("history", jannick, medication_id=medication.pk)).content.decode()
    assert "Taper step 1" in history


def test_two_clinicians_changing_the_same_version_do_not_overwrite_each_other(
    client, ana, bob, jannick
):
    services.medication_add(actor=ana, patient=jannick, data={**oxycodone(), "strength": 20,
                            "doses_per_day": 2, "start_date": START})  # fmt: skip
    medication = jannick.medications.get()
    change = url("change", jannick, medication_id=medication.pk)
    client.force_login(bob)
    bob_data = oxycodone(strength="15", version="1", change_reason="Bob's change",
                         effective_from=date.today().isoformat())  # fmt: skip
    assert client.post(change, bob_data).status_code == 302
    client.force_login(ana)
    ana_data = {**bob_data, "strength": "10", "change_reason": "Ana's change"}
    response = client.post(change, ana_data)
    assert response.status_code == 409
    assert 'value="10"' in response.content.decode()
    assert medication.versions.count() == 2


def test_the_ome_history_starts_when_the_medicine_started_and_a_late_entry_corrects_it(
    ana, jannick
):
    from medicines import selectors

    services.medication_add(actor=ana, patient=jannick, data={**oxycodone(), "strength": 20,
                            "doses_per_day": 2, "start_date": START})  # fmt: skip
    assert selectors.ome_series(jannick) == [(START, 60.0), (date.today(), 60.0)]
    # Morphine 10 mg twice a day since 30 days ago, entered late: that day on adds 20
    later = START + timedelta(days=30)
    services.medication_add(actor=ana, patient=jannick, data={**oxycodone(), "strength": 10,
                            "product": "morphine_oral", "doses_per_day": 2,
                            "start_date": later})  # fmt: skip
    assert selectors.ome_series(jannick) == [(START, 60.0), (later, 80.0), (date.today(), 80.0)]


def test_the_list_reads_like_a_prescription(client, ana, jannick, settings):
    settings.OME_TABLE = "cdc2022"
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone())
    client.post(url("add", jannick), oxycodone(product="co_codamol", strength="30",
                                               units_per_dose="2", doses_per_day="4"))  # fmt: skip
    page = client.get(url("list", jannick)).content.decode()
    assert "20 mg, twice a day" in page
    assert "2 × 30 mg, 4 times a day" in page
    assert "× 1.5<" in page  # CDC 2022 factors as written, not floats
    assert "× 0.15<" in page


def test_stopping_a_medication_takes_it_off_the_ome(client, ana, jannick):
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone())
    medication = jannick.medications.get()
    client.post(
        url("change", jannick, medication_id=medication.pk),
        oxycodone(
            version="1",
            stop_date=date.today().isoformat(),
            change_reason="Stopped",
            effective_from=date.today().isoformat(),
        ),
    )
    figure = OmeFigure.objects.filter(patient=jannick).latest("computed_at")
    assert float(figure.total) == 0.0
    page = client.get(url("list", jannick)).content.decode()
    assert "1 stopped medicine" in page


def test_buprenorphine_patch_under_cdc_says_cannot_compute_on_the_page(
    client, ana, jannick, settings
):
    settings.OME_TABLE = "cdc2022"
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone(product="buprenorphine_patch", strength="10",
                                                unit="µg/h", doses_per_day=""))  # fmt: skip
    page = client.get(url("list", jannick)).content.decode()
    assert "cannot compute" in page
    assert "excludes buprenorphine" in page


def test_naloxone_offer_is_recorded_with_its_date(client, ana, jannick):
    client.force_login(ana)
    response = client.post(
        url("naloxone", jannick), {"offered_on": date.today().isoformat(), "accepted": "on"}
    )
    assert response.status_code == 302
    assert jannick.naloxone_offers.get().accepted
    future = client.post(
        url("naloxone", jannick), {"offered_on": (date.today() + timedelta(days=3)).isoformat()}
    )
    assert future.status_code == 400


def test_every_view_and_change_is_audited(client, ana, jannick):
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone())
    created = AuditEvent.objects.filter(patient=jannick, action=AuditAction.CREATE)
    assert created.filter(object_type="medicines.medicationversion").count() == 1
    assert set(created.get().changed_fields) >= {"product", "strength"}
    before = AuditEvent.objects.filter(patient=jannick, action=AuditAction.VIEW).count()
    client.get(url("list", jannick))
    client.get(url("ome_chart", jannick))
    assert AuditEvent.objects.filter(patient=jannick, action=AuditAction.VIEW).count() == before + 2


def test_charlie_from_another_team_cannot_see_jannicks_medicines(client, charlie, jannick):
    client.force_login(charlie)
    assert client.get(url("list", jannick)).status_code == 404


def test_a_pharmacist_can_be_on_a_care_team(north):
    pharmacist = UserFactory(discipline=Discipline.PHARMACIST, team=north)
    assert pharmacist.get_discipline_display() == "Pharmacist"


def test_the_patient_page_links_to_the_medicines(client, ana, jannick):
    client.force_login(ana)
    page = client.get(reverse("patients:detail", kwargs={"patient_id": jannick.pk}))
    assert url("list", jannick) in page.content.decode()


def test_the_gp_letter_and_the_patients_summary_have_a_medication_section(
    client, ana, jannick, settings
):
    settings.OME_TABLE = "opioids_aware"
    client.force_login(ana)
    client.post(url("add", jannick), oxycodone(strength="40"))  # 80 mg x 1.5 = 120 mg
    client.post(url("add", jannick), pregabalin())
    services.taper_plan_save(actor=ana, patient=jannick, expected_version=0, data={
        "start_date": date.today(), "start_dose": 120, "target_dose": 60, "percent": 10,
        "basis": "current", "interval_days": 28, "reason": "r", "shared_decision": "s"})  # fmt: skip
    letter = client.get(reverse("treatment:gp_letter", kwargs={"patient_id": jannick.pk}))
    text = letter.content.decode()
    assert "Oxycodone (oral): 40 mg, twice a day (Low back pain)" in text
    assert "Daily opioid dose: 120.0 mg oral morphine equivalent a day (Opioids Aware" in text
    assert "120 mg oral morphine a day: harm rises" in text
    assert "Opioid with a gabapentinoid" in text
    assert "An opioid taper has been agreed: about 10 % every 28 days" in text
    # Opioids Aware, oxycodone x 1.5: 120 -> 60 mg oral morphine is 80 -> 40 mg oxycodone
    assert "In oxycodone: from about 80 to 40 mg a day." in text
    summary = client.get(reverse("treatment:summary", kwargs={"patient_id": jannick.pk}))
    mine = summary.content.decode()
    assert "Your medicines" in mine
    assert "Pregabalin 150 mg twice a day" in mine
    assert "We agreed to lower your opioid dose slowly" in mine
    assert "oral morphine equivalent a day (Opioids Aware" not in mine


def test_after_the_clinic_changes_its_table_ana_recomputes_the_history(
    client, ana, jannick, settings
):
    from medicines import selectors

    settings.OME_TABLE = "cdc2022"
    services.medication_add(actor=ana, patient=jannick, data={"product": "tramadol_oral",
                            "strength": 50, "doses_per_day": 4, "start_date": START})  # fmt: skip
    assert selectors.ome_series(jannick)[-1][1] == 40.0  # CDC 2022: 200 mg x 0.2
    settings.OME_TABLE = "opioids_aware"
    client.force_login(ana)
    page = client.get(url("list", jannick)).content.decode()
    assert "The clinic now uses the Opioids Aware (Faculty of Pain Medicine) table." in page
    assert client.post(url("ome_recompute", jannick)).status_code == 302
    # Opioids Aware: 200 mg x 0.1 = 20, over the whole history, and the line uses one table
    assert selectors.ome_series(jannick) == [(START, 20.0), (date.today(), 20.0)]
    assert OmeFigure.objects.filter(patient=jannick, table="cdc2022").exists()  # kept
    assert "The clinic now uses" not in client.get(url("list", jannick)).content.decode()
