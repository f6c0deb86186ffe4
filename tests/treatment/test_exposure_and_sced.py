"""The fear hierarchy, behavioural experiments with expectancy violation, and an item made an
SCED outcome in one step."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import exposure_session_for, hierarchy_item_for
from treatment import selectors
from treatment.models import ExposureSession, HierarchyItem


def url(name, patient, **kwargs):
    return reverse(f"treatment:{name}", kwargs={"patient_id": patient.pk, **kwargs})


@pytest.mark.django_db
def test_the_hierarchy_is_graded_from_least_to_most_feared(client, ana, jannick):
    client.force_login(ana)
    for activity, fear in (("Lifting a crate", 80), ("Bending", 30), ("Running", 55)):
        response = client.post(
            url("hierarchy", jannick),
            {"activity": activity, "fear_rating": fear, "feared_consequence": "It will break"},
        )
        assert response.status_code == 302
    assert [i.activity for i in HierarchyItem.objects.filter(patient=jannick)] == [
        "Bending",
        "Running",
        "Lifting a crate",
    ]


@pytest.mark.django_db
def test_a_fear_rating_above_100_is_refused_and_the_words_are_kept(client, ana, jannick):
    client.force_login(ana)
    response = client.post(
        url("hierarchy", jannick),
        {"activity": "Hoovering", "fear_rating": 120, "feared_consequence": "a slipped disc"},
    )
    assert response.status_code == 400
    assert "a slipped disc" in response.content.decode()
    assert not HierarchyItem.objects.exists()


@pytest.mark.django_db
def test_a_behavioural_experiment_computes_the_expectancy_violation(client, ana, jannick):
    item = hierarchy_item_for(jannick, ana)
    client.force_login(ana)
    response = client.post(
        url("exposure_session_add", jannick, item_id=item.pk),
        {
            "date": date.today().isoformat(),
            "expectancy_before": 90,
            "fear_before": 70,
            "fear_peak": 85,
            "fear_after": 40,
            "what_happened": "Lifted it twice",
            "expectancy_after": 40,
        },
    )
    assert response.status_code == 302
    session = ExposureSession.objects.get()
    assert (session.session_number, session.expectancy_violation) == (1, 50)
    summary = selectors.exposure_summary(selectors.hierarchy_for(jannick))
    assert summary.mean_violation == 50
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="treatment.exposuresession"
    ).exists()


@pytest.mark.django_db
def test_sessions_are_numbered_across_the_hierarchy_and_trends_come_from_exposure_py(ana, jannick):
    bending = hierarchy_item_for(jannick, ana, activity="Bending", fear=30)
    lifting = hierarchy_item_for(jannick, ana, activity="Lifting", fear=70)
    exposure_session_for(bending, ana, before=80, after=40)
    exposure_session_for(lifting, ana, before=90, after=60)
    exposure_session_for(bending, ana, before=50, after=20)
    sessions = selectors.sessions_for(selectors.hierarchy_for(jannick))
    assert [(s.session_number, s.item.activity) for s in sessions] == [
        (1, "Bending"),
        (2, "Lifting"),
        (3, "Bending"),
    ]
    summary = selectors.exposure_summary(selectors.hierarchy_for(jannick))
    by_item = {i.item: i for i in summary.items}
    assert by_item["Bending"].expectancy_before_trend == -15.0  # (50 − 80) / (3 − 1)
    assert summary.mean_violation == pytest.approx((40 + 30 + 30) / 3)


@pytest.mark.django_db
def test_peak_fear_below_fear_after_is_refused_keeping_the_story(client, ana, jannick):
    item = hierarchy_item_for(jannick, ana)
    client.force_login(ana)
    response = client.post(
        url("exposure_session_add", jannick, item_id=item.pk),
        {
            "date": date.today().isoformat(),
            "expectancy_before": 90,
            "fear_before": 70,
            "fear_peak": 10,
            "fear_after": 40,
            "what_happened": "Carried the crate to the van",
            "expectancy_after": 40,
        },
    )
    assert response.status_code == 400
    assert "Carried the crate to the van" in response.content.decode()
    assert not ExposureSession.objects.exists()


@pytest.mark.django_db
def test_exposure_charts_are_svg_behind_the_access_check(client, ana, charlie, jannick):
    exposure_session_for(hierarchy_item_for(jannick, ana), ana)
    client.force_login(ana)
    for name in ("exposure_chart", "hierarchy_chart", "gas_chart"):
        response = client.get(url(name, jannick))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert b"<svg" in response.content
    client.force_login(charlie)
    assert client.get(url("exposure_chart", jannick)).status_code == 404


@pytest.mark.django_db
def test_a_hierarchy_item_becomes_an_sced_outcome_in_one_step(client, ana, jannick):
    from sced.models import Study

    item = hierarchy_item_for(jannick, ana, activity="Lifting a crate of 10 kg")
    client.force_login(ana)
    response = client.post(url("item_sced", jannick, item_id=item.pk), {"kind": "fear"})
    assert response.status_code == 302
    study = Study.objects.get(episode__patient=jannick)
    measure = study.measures.get()
    assert measure.name == "Daily fear of Lifting a crate of 10 kg"
    assert (measure.range_min, measure.range_max, measure.improvement) == (0, 100, "decrease")
    item.refresh_from_db()
    assert item.sced_study_ref == str(study.pk)
    # A second click does not make a second study.
    response = client.post(url("item_sced", jannick, item_id=item.pk), {"kind": "performance"})
    assert response.status_code == 400
    assert Study.objects.count() == 1


@pytest.mark.django_db
def test_performance_outcome_improves_upwards(ana, jannick):
    from treatment.services import sced_measure_for

    item = hierarchy_item_for(jannick, ana, activity="x" * 200)
    measure = sced_measure_for(item, "performance")
    assert measure["improvement"] == "increase"
    assert len(measure["name"]) <= 120 and len(measure["description"]) <= 300
