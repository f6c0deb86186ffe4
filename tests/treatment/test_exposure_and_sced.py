"""The fear hierarchy, behavioural experiments (the prediction recorded before, the outcome after;
expectancy violation and belief change), and an item made an SCED outcome in one step."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from tests.treatment.factories import (
    exposure_prediction_for,
    exposure_session_for,
    hierarchy_item_for,
)
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


def outcome(**overrides):
    return {
        "outcome_observed": 10,
        "what_happened": "Lifted it twice; some pain, the back held.",
        "fear_peak": 85,
        "fear_after": 40,
        "expectancy_after": 40,
        **overrides,
    }


@pytest.mark.django_db
def test_the_prediction_is_recorded_before_the_experiment_and_the_outcome_after_it(
    client, ana, jannick
):
    item = hierarchy_item_for(jannick, ana)
    client.force_login(ana)
    # Step 1, before: Jannick is 90% sure the back will give way.
    response = client.post(
        url("exposure_session_add", jannick, item_id=item.pk),
        {
            "date": date.today().isoformat(),
            "prediction": "My back will give way when I lift the crate.",
            "expectancy_before": 90,
            "fear_before": 70,
        },
    )
    assert response.status_code == 302
    experiment = ExposureSession.objects.get()
    assert experiment.is_pending
    assert experiment.expectancy_violation is None
    hierarchy = client.get(url("hierarchy", jannick)).content.decode()
    assert "Predictions waiting for their outcome" in hierarchy
    assert "My back will give way when I lift the crate." in hierarchy
    # A pending prediction is not an experiment yet: no means, no chart point.
    summary = selectors.exposure_summary(selectors.hierarchy_for(jannick))
    assert summary.n_experiments == 0

    # Step 2, after: the outcome form shows the prediction it is compared with.
    outcome_url = url("exposure_outcome", jannick, experiment_id=experiment.pk)
    page = client.get(outcome_url).content.decode()
    assert "My back will give way when I lift the crate." in page
    assert "How likely: 90 out of 100" in page
    assert client.post(outcome_url, outcome()).status_code == 302

    experiment.refresh_from_db()
    assert not experiment.is_pending
    assert experiment.outcome_recorded_by == ana
    # Expected 90, happened 10: violation 80. Expected 90 before, 40 after: belief change 50.
    assert (experiment.expectancy_violation, experiment.belief_change) == (80, 50)
    summary = selectors.exposure_summary(selectors.hierarchy_for(jannick))
    assert (summary.mean_violation, summary.mean_belief_change) == (80, 50)
    events = AuditEvent.objects.filter(object_type="treatment.exposuresession")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        AuditAction.CREATE,
        AuditAction.CHANGE,
    ]
    hierarchy = client.get(url("hierarchy", jannick)).content.decode()
    assert "Expectancy violation" in hierarchy
    assert "Belief change" in hierarchy


@pytest.mark.django_db
def test_a_logged_outcome_is_not_overwritten_and_a_second_prediction_waits_for_it(
    client, ana, jannick
):
    item = hierarchy_item_for(jannick, ana)
    experiment = exposure_prediction_for(item, ana, before=70)
    with pytest.raises(ValidationError, match="log that outcome first"):
        exposure_prediction_for(item, ana)
    client.force_login(ana)
    outcome_url = url("exposure_outcome", jannick, experiment_id=experiment.pk)
    # The step's button leads to the waiting outcome, not to a second prediction.
    assert client.get(url("exposure_session_add", jannick, item_id=item.pk)).url == outcome_url
    page = client.get(url("hierarchy", jannick)).content.decode()
    assert outcome_url in page
    assert url("exposure_session_add", jannick, item_id=item.pk) not in page
    assert client.post(outcome_url, outcome(outcome_observed=0, fear_peak=80)).status_code == 302
    again = client.post(outcome_url, outcome(outcome_observed=100))
    assert again.status_code == 400
    assert "not overwritten" in again.content.decode()
    experiment.refresh_from_db()
    assert experiment.outcome_observed == 0
    assert experiment.expectancy_violation == 70
    assert client.get(outcome_url).status_code == 302  # back to the table, nothing to log


@pytest.mark.django_db
def test_a_prediction_whose_experiment_did_not_take_place_is_kept_with_the_reason(
    client, ana, jannick
):
    item = hierarchy_item_for(jannick, ana)
    experiment = exposure_prediction_for(item, ana, before=70)
    client.force_login(ana)
    outcome_url = url("exposure_outcome", jannick, experiment_id=experiment.pk)
    assert "The experiment did not take place" in client.get(outcome_url).content.decode()
    refused = client.post(outcome_url, {"not_done": "1", "reason": ""})
    assert refused.status_code == 400
    experiment.refresh_from_db()
    assert experiment.is_pending

    done = client.post(outcome_url, {"not_done": "1", "reason": "Unwell with flu that week"})
    assert done.status_code == 302
    experiment.refresh_from_db()
    assert not experiment.is_pending
    assert not experiment.took_place
    assert experiment.not_done_reason == "Unwell with flu that week"
    items = selectors.hierarchy_for(jannick)
    assert selectors.sessions_for(items) == []
    assert selectors.exposure_summary(items).n_experiments == 0
    page = client.get(url("hierarchy", jannick)).content.decode()
    assert "Unwell with flu that week" in page
    # The step takes a new prediction, numbered after the one kept.
    assert exposure_prediction_for(item, ana).session_number == 2


@pytest.mark.django_db
def test_a_prediction_out_of_range_or_in_the_future_is_refused_keeping_the_words(
    client, ana, jannick
):
    from datetime import timedelta

    item = hierarchy_item_for(jannick, ana)
    client.force_login(ana)
    for bad in (
        {"date": date.today().isoformat(), "expectancy_before": 150, "fear_before": 60},
        {"date": (date.today() + timedelta(days=1)).isoformat(), "expectancy_before": 60,
         "fear_before": 60},
    ):  # fmt: skip
        response = client.post(
            url("exposure_session_add", jannick, item_id=item.pk),
            {**bad, "prediction": "The disc will slip out"},
        )
        assert response.status_code == 400
        assert "The disc will slip out" in response.content.decode()
    assert not ExposureSession.objects.exists()


@pytest.mark.django_db
def test_the_outcome_needs_what_happened_and_keeps_what_was_typed(client, ana, jannick):
    experiment = exposure_prediction_for(hierarchy_item_for(jannick, ana), ana)
    client.force_login(ana)
    response = client.post(
        url("exposure_outcome", jannick, experiment_id=experiment.pk),
        outcome(outcome_observed="", what_happened="Carried the crate to the van"),
    )
    assert response.status_code == 400
    assert "Carried the crate to the van" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.is_pending


@pytest.mark.django_db
def test_experiments_logged_in_one_form_before_the_change_are_migrated_as_complete(ana, jannick):
    """The data migration (0005): old rows had prediction and outcome together."""
    import importlib

    migration = importlib.import_module("treatment.migrations.0005_t9_treatment_exposure_two_steps")
    item = hierarchy_item_for(jannick, ana)
    old = exposure_session_for(item, ana, before=80, after=30)
    ExposureSession.objects.filter(pk=old.pk).update(
        outcome_recorded_at=None, outcome_recorded_by=None, outcome_observed=None
    )
    from django.apps import apps

    migration.outcomes_of_existing_experiments(apps, None)
    old.refresh_from_db()
    assert not old.is_pending
    assert old.outcome_recorded_by == ana
    assert old.outcome_recorded_at == old.recorded_at
    # Its violation was never rated (the outcome was optional then); its belief change stands.
    assert (old.expectancy_violation, old.belief_change) == (None, 50)


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
    # The feared outcome never happened (0): each violation is the expectancy before.
    assert summary.mean_violation == pytest.approx((80 + 90 + 50) / 3)
    assert summary.mean_belief_change == pytest.approx((40 + 30 + 30) / 3)


@pytest.mark.django_db
def test_peak_fear_below_fear_after_is_refused_keeping_the_story(client, ana, jannick):
    experiment = exposure_prediction_for(hierarchy_item_for(jannick, ana), ana)
    client.force_login(ana)
    response = client.post(
        url("exposure_outcome", jannick, experiment_id=experiment.pk),
        outcome(fear_peak=10, fear_after=40, what_happened="Carried the crate to the van"),
    )
    assert response.status_code == 400
    assert "Carried the crate to the van" in response.content.decode()
    experiment.refresh_from_db()
    assert experiment.is_pending


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
    assert len(measure["name"]) <= 120
    assert len(measure["description"]) <= 300
