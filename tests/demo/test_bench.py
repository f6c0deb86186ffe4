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
from sced.models import Measurement, Study, store_in_force_findings
from treatment import services as treatment_services
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


@pytest.mark.django_db(transaction=True)  # the template's analysis job runs on commit
def test_the_bulk_seed_fills_the_plan_goal_and_sced_columns_the_services_keep():
    """The team review reads Episode.latest_plan_flags / has_goals / gas_t_score (treatment services)
    and Study.finding_nap (sced models): after the seed they hold what those rules give."""
    call_command("bench_seed", patients=3, stdout=StringIO())
    episodes = Episode.objects.filter(patient__identifier__startswith="SYN-")
    columns = ("pk", "latest_plan_flags", "has_goals", "gas_t_score")
    seeded = sorted(episodes.values_list(*columns))
    assert all(flags is not None and goals and t is not None for _, flags, goals, t in seeded)
    studies = Study.objects.filter(episode__in=episodes)
    nap = ("pk", "finding_nap", "finding_nap_ci_lower", "finding_nap_ci_upper")
    seeded_nap = sorted(studies.values_list(*nap))
    assert seeded_nap
    assert all(row[1] is not None for row in seeded_nap)
    Episode.objects.filter(pk__in=[row[0] for row in seeded]).update(
        latest_plan_flags=None, has_goals=False, gas_t_score=None
    )
    studies.update(finding_nap=None, finding_nap_ci_lower=None, finding_nap_ci_upper=None)
    for pk, *_ in seeded:
        treatment_services.refresh_plan_and_goal_facts(Episode.objects.filter(pk=pk))
        treatment_services.refresh_gas_t_scores(Episode.objects.filter(pk=pk))
    for pk, *_ in seeded_nap:
        store_in_force_findings(Study.objects.filter(pk=pk))
    assert sorted(episodes.values_list(*columns)) == seeded
    assert sorted(studies.values_list(*nap)) == seeded_nap


@pytest.mark.django_db
def test_bench_pages_times_every_page_as_a_verified_user():
    """The in-process timer runs each page with the session make bench uses and prints its
    figures (any answer but 200 stops it with an error)."""
    call_command("bench_seed", patients=2, stdout=StringIO())
    out = StringIO()
    call_command("bench_pages", runs=1, stdout=out)
    printed = out.getvalue()
    for page in ("caseload (ana)", "patient record (ana)", "team review (bob)", "audit log (bob)"):
        assert page in printed
    assert printed.count("queries") == printed.count(" cpu ") == 7
