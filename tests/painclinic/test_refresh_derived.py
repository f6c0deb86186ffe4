"""`manage.py refresh_derived`: after a load that bypassed the services, one command finds the
stale derived columns (exit 1, named), rewrites them with the services' own rules, in batches,
and a second run finds nothing to do (issue #16 follow-up)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from assessment import services as assessment_services
from assessment.models import ResultSummary
from painclinic import derived
from patients.models import Episode
from sced.models import AnalysisRun, Study, store_findings, store_in_force_findings
from treatment import services as treatment_services

FACTS = (
    "episode.last_signed_assessment",
    "assessment.result_summary",
    "episode.plan_and_goal_facts",
    "episode.gas_t_score",
    "analysis_run.finding",
    "study.finding_nap",
)
EPISODE_COLUMNS = ("pk", "last_signed_assessment", "latest_plan_flags", "has_goals", "gas_t_score")
STUDY_COLUMNS = ("pk", "finding_nap", "finding_nap_ci_lower", "finding_nap_ci_upper")
SUMMARY_COLUMNS = tuple(f.attname for f in ResultSummary._meta.concrete_fields if not f.primary_key)


def _facts() -> dict[str, list]:
    """What the pages read, as plain values."""
    return {
        "episodes": sorted(Episode.objects.values_list(*EPISODE_COLUMNS)),
        "summaries": sorted(ResultSummary.objects.values_list(*SUMMARY_COLUMNS)),
        "findings": sorted(AnalysisRun.objects.filter(state="done").values_list("pk", "finding")),
        "studies": sorted(Study.objects.values_list(*STUDY_COLUMNS)),
    }


def _services_rewrite_everything() -> None:
    """What the services write, one record at a time, as when each was saved through them."""
    for pk in Episode.objects.values_list("pk", flat=True):
        assessment_services.refresh_last_signed_assessment(pk)
        with transaction.atomic():  # as inside administration_sign: it locks the episode
            assessment_services.refresh_result_summaries(pk)
        treatment_services.refresh_plan_and_goal_facts(Episode.objects.filter(pk=pk))
        treatment_services.refresh_gas_t_scores(Episode.objects.filter(pk=pk))
    for pk in AnalysisRun.objects.values_list("pk", flat=True):
        store_findings(AnalysisRun.objects.filter(pk=pk))
    for pk in Study.objects.values_list("pk", flat=True):
        store_in_force_findings(Study.objects.filter(pk=pk))


def _refresh(*args: str) -> str:
    out = StringIO()
    call_command("refresh_derived", *args, stdout=out)
    return out.getvalue()


def _make_everything_stale() -> None:
    """A restore or a hand-made fix in SQL: the records stay, the stored facts go wrong."""
    synthetic = Episode.objects.filter(patient__identifier__startswith="SYN-")
    synthetic.update(
        last_signed_assessment=None, latest_plan_flags=None, has_goals=False, gas_t_score=0.0
    )
    summaries = ResultSummary.objects.filter(episode__in=synthetic).order_by("pk")
    left_over = summaries.first()
    assert left_over is not None
    ResultSummary.objects.filter(pk=summaries[1].pk).delete()  # missing
    summaries.update(classification="")  # wrong
    left_over.pk = None
    left_over.instrument_key = "not-given"
    left_over.save()  # left over: no such result
    AnalysisRun.objects.filter(state="done").update(finding=None)
    Study.objects.update(finding_nap=None, finding_nap_ci_lower=None, finding_nap_ci_upper=None)


@pytest.fixture
def seeded():
    """Three synthetic patients with signed results, a plan, goals with reviews and a study with
    a done analysis (the bench seed), then every fact as the services would write it."""
    call_command("bench_seed", patients=3, stdout=StringIO())
    _services_rewrite_everything()
    facts = _facts()
    assert facts["summaries"]
    assert facts["findings"]
    assert all(row[1] is not None for row in facts["studies"])
    assert any(row[2] is not None and row[3] and row[4] is not None for row in facts["episodes"])
    return facts


@pytest.mark.django_db(transaction=True)  # the template's analysis job runs on commit
def test_the_bench_seed_leaves_no_derived_column_stale(seeded):
    """The seed bulk-loads and then runs the registered refreshers: already what the services
    write (the fixture checked it after the seed and after the services' own pass)."""
    out = _refresh("--check")
    for name in FACTS:
        assert f"{name}: 0 stale of " in out


@pytest.mark.django_db(transaction=True)  # the template's analysis job runs on commit
def test_check_names_the_stale_facts_and_the_refresh_rewrites_what_the_services_would(seeded):
    _make_everything_stale()
    stale = _facts()

    with pytest.raises(CommandError) as raised:
        _refresh("--check")
    for name in FACTS:
        assert name in str(raised.value)
    assert _facts() == stale  # --check wrote nothing

    out = _refresh("--batch-size", "2")  # several batches per fact
    assert "episode.last_signed_assessment: 3 rewritten" in out
    assert "episode.plan_and_goal_facts: 3 rewritten" in out
    assert "episode.gas_t_score: 3 rewritten" in out
    assert f"analysis_run.finding: {len(seeded['findings'])} rewritten" in out
    assert f"study.finding_nap: {len(seeded['studies'])} rewritten" in out
    # every summary of the synthetic episodes had a wrong classification, one was missing (it
    # is written back) and one is a leftover (it is removed)
    synthetic = set(
        Episode.objects.filter(patient__identifier__startswith="SYN-").values_list("pk", flat=True)
    )
    expected = sum(1 for row in seeded["summaries"] if row[0] in synthetic) + 1
    assert f"assessment.result_summary: {expected} rewritten" in out
    assert _facts() == seeded

    again = _refresh()
    for name in FACTS:
        assert f"{name}: 0 rewritten of " in again
    assert "0 stale of " in _refresh("--check")


@pytest.mark.django_db
def test_a_stale_fact_can_be_checked_on_its_own(ana, jannick):
    episode = jannick.episodes.get()
    Episode.objects.filter(pk=episode.pk).update(has_goals=True)  # no goal was ever set
    assert "episode.gas_t_score: 0 stale of " in _refresh(
        "--check", "--fact", "episode.gas_t_score"
    )
    with pytest.raises(CommandError, match=r"episode\.plan_and_goal_facts \(1\)"):
        _refresh("--check", "--fact", "episode.plan_and_goal_facts")
    _refresh("--fact", "episode.plan_and_goal_facts")
    assert Episode.objects.get(pk=episode.pk).has_goals is False
    with pytest.raises(CommandError, match="unknown fact: nonsense"):
        _refresh("--fact", "nonsense")


def test_every_app_registers_its_facts_in_order():
    """The finding of a run is rebuilt before the study's NAP in force that reads it."""
    names = [fact.name for fact in derived.registered()]
    assert names == list(FACTS)
    listed = _list_output()
    assert all(name in listed for name in FACTS)


def _list_output() -> str:
    out = StringIO()
    call_command("refresh_derived", "--list", stdout=out)
    return out.getvalue()
