"""What the clinician reads in the SCED results: each value plotted at its own session (a missed
day leaves a gap), an interval for NAP = 1 that is not [1.000, 1.000], the method named in
words, and comparisons named in the clinic's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sced import plots, services
from sced.models import AnalysisRun, AnalysisState
from tests.sced.conftest import make_study

pytestmark = pytest.mark.django_db


def _record(study, actor, values_by_session: dict[int, float]):
    measure = study.measures.first()
    rows = [services.Row(measure, float(v), session=s) for s, v in values_by_session.items()]
    return services.measurements_record(actor=actor, study=study, rows=rows)


def test_a_missed_day_leaves_a_gap_and_complete_improvement_still_has_an_interval(
    client, ana, jannick, django_capture_on_commit_callbacks, monkeypatch
):
    study = make_study(ana, jannick, planned_phase_lengths={"A": 5, "B": 5})
    drawn = []
    real = plots.render_sced_plot
    monkeypatch.setattr(
        plots, "render_sced_plot", lambda data, **kw: drawn.append(data) or real(data, **kw)
    )
    start = services.study_randomize(actor=ana, study=study, seed=11).start
    # Jannick forgot his diary on day 2; every intervention day is better than every baseline day.
    values = {s: (8 if s % 2 else 7) if s < start else 3 for s in range(1, 11) if s != 2}
    with django_capture_on_commit_callbacks(execute=True):
        _record(study, ana, values)
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE, run.error
    (phases,) = drawn
    baseline, intervention = [1, *range(3, start)], list(range(start, 11))
    assert [list(p[2]) for p in phases] == [baseline, intervention]
    fig = plots.build_sced_figure(phases, measure_name="Fear", improvement="decrease")
    xs = [
        x
        for ln in fig.axes[0].get_lines()
        if ln.get_gid() == plots.VALUES_GID
        for x in ln.get_xdata()
    ]
    assert xs == baseline + intervention  # session 2 left empty

    nap = run.results["measures"][0]["analysis"]["comparisons"]["A-B"]["effect_sizes"]["NAP"]
    assert nap["estimate"] == 1.0
    assert nap["se"] > 0
    assert nap["ci_lower"] < 1
    assert nap["ci_upper"] == 1.0
    assert nap["ci_reference"] == [1.0, 1.0]  # SingleCaseES's, kept for checking
    client.force_login(ana)
    url = reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": study.pk})
    page = client.get(url).content.decode()
    assert f"[{nap['ci_lower']:.3f}, 1.000]" in page
    assert "[1.000, 1.000]" not in page
    assert "Sources and methods" in page
    assert "Newcombe" in page
    assert "newcombe" not in page
    assert "ci_reference" not in page


def test_the_pooled_comparison_is_named_in_words(
    client, ana, jannick, django_capture_on_commit_callbacks
):
    study = make_study(
        ana,
        jannick,
        design="ABAB",
        planned_phase_lengths={"A1": 3, "B1": 3, "A2": 3, "B2": 3},
    )
    starts = services.study_randomize(actor=ana, study=study, seed=11).start
    phase = lambda s: sum(s >= b for b in starts)  # noqa: E731  0 = A1, 1 = B1, 2 = A2, 3 = B2
    with django_capture_on_commit_callbacks(execute=True):
        _record(study, ana, {s: 8 if phase(s) % 2 == 0 else 3 for s in range(1, 13)})
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE, run.error
    assert "pooled_A_vs_B" in run.results["measures"][0]["analysis"]["comparisons"]
    client.force_login(ana)
    url = reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": study.pk})
    page = client.get(url).content.decode()
    assert "All baseline phases vs all intervention phases" in page
    assert "pooled_A_vs_B" not in page
