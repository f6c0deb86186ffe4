"""`make bench`: its seed gives every synthetic patient clinical depth, and its floor view is
never reachable through the production URLs (issue #16)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import NoReverseMatch, reverse

from assessment import services as assessment_services
from assessment.models import Administration
from patients.models import Episode, Patient
from sced.models import Measurement, Study
from treatment.models import Goal, GoalReview, TreatmentPlan


def test_the_floor_view_is_not_routed_in_production():
    with pytest.raises(NoReverseMatch):
        reverse("bench_bare")


@pytest.mark.django_db(transaction=True)  # the template's analysis job runs on commit
def test_the_bulk_seed_gives_each_synthetic_patient_assessments_plans_goals_and_a_study():
    call_command("bench_seed", patients=4, stdout=StringIO())
    synthetic = Patient.objects.filter(identifier__startswith="SYN-")
    assert synthetic.count() == 4
    for patient in synthetic:
        signed = Administration.objects.filter(session__patient=patient, state="signed")
        assert signed.values("session__time_point").distinct().count() == 2  # two time points
        assert TreatmentPlan.objects.filter(episode__patient=patient).exists()
        goals = Goal.objects.filter(episode__patient=patient)
        assert goals.exists()
        assert 1 <= GoalReview.objects.filter(goal__in=goals).count() <= 3 * goals.count()
        study = Study.objects.get(episode__patient=patient)
        values = Measurement.objects.filter(measure__study=study)
        assert 30 <= values.count() <= 60
        assert study.analysis_runs.filter(state="done").exists()
    # The copies point at the synthetic patient's own lead clinician, not the template's.
    signers = (
        Administration.objects.filter(session__patient__in=synthetic)
        .values("session__patient")
        .annotate(n=Count("signed_by", distinct=True))
    )
    assert all(row["n"] == 1 for row in signers)


@pytest.mark.django_db
def test_the_bulk_seed_fills_the_summary_columns_the_services_keep():
    """bulk_create bypasses the services, so the seed fills Episode.last_signed_assessment in
    one grouped pass; it must give what the services' own per-episode rule gives."""
    call_command("bench_seed", patients=3, stdout=StringIO())
    episodes = Episode.objects.filter(patient__identifier__startswith="SYN-")
    seeded = dict(episodes.values_list("pk", "last_signed_assessment"))
    assert all(day is not None for day in seeded.values())
    for pk in seeded:
        assessment_services.refresh_last_signed_assessment(pk)
    assert dict(episodes.values_list("pk", "last_signed_assessment")) == seeded
