"""Ana runs a multiple baseline across three behaviours for Jannick: the staggered starts are
drawn before data (regulated randomization), phases follow each tier's own start, the job runs
the randomization test across tiers and draws stacked panels with staggered phase lines."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sced import plots, selectors, services
from sced.models import AnalysisPlot, AnalysisRun, AnalysisState, Study
from sced.stats import randomization as rt
from sced.stats.inputs import StudyInputs
from sced.study_analysis import SEE_MBD, _mbd_panels
from tests.sced.conftest import FEAR, make_study

TIERS = ["Fear of lifting a crate", "Fear of bending", "Fear of carrying shopping"]


def three_tier_study(ana, jannick, **kwargs):
    return make_study(
        ana,
        jannick,
        clinical_question="Does graded exposure reduce fear, behaviour by behaviour?",
        design="MBD_behaviours",
        measures=[{**FEAR, "name": name} for name in TIERS],
        **kwargs,
    )


def fill_tiers(study, actor, draw, n=21, skip=()):
    """Baseline around 8 and intervention falling from 5, each tier from its own start."""
    rows = []
    for measure in study.measures.all():
        start = draw.tier_start(measure.pk)
        for session in range(1, n + 1):
            if (measure.name, session) in skip:
                continue
            value = 8 - (session % 2) if session < start else max(0, 5 - (session - start) // 3)
            rows.append(services.Row(measure, float(value), session=session))
    return services.measurements_record(actor=actor, study=study, rows=rows)


@pytest.mark.django_db
def test_a_multiple_baseline_needs_at_least_two_tiers(ana, jannick):
    with pytest.raises(ValidationError, match="at least two tiers"):
        make_study(ana, jannick, design="MBD_settings")


@pytest.mark.django_db
def test_the_staggered_starts_are_drawn_from_declared_sets_and_recorded(ana, jannick):
    study = three_tier_study(ana, jannick)
    with pytest.raises(ValidationError, match="Draw the intervention start"):
        services.measurement_record(actor=ana, measure=study.measures.first(), value=8, session=1)
    draw = services.study_randomize(actor=ana, study=study, seed=2024)
    # N = 21 per tier, L = 3: B may start at 4..19, cut into three disjoint consecutive sets.
    assert draw.admissible == [[4, 5, 6, 7, 8], [9, 10, 11, 12, 13], [14, 15, 16, 17, 18, 19]]
    assert draw.tiers == list(study.measures.values_list("id", flat=True))
    # Reproducible from the seed (Koehler & Levin regulated set, as SCRT enumerates it).
    again = rt.draw_start_point(rt.regulated_mbd_start_points(draw.admissible), seed=2024)
    assert list(again.start) == draw.start
    # Staggered: one start from each set, so three different sessions.
    assert sorted(
        next(i for i, points in enumerate(draw.admissible) if s in points) for s in draw.start
    ) == [0, 1, 2]
    assert len(set(draw.start)) == 3
    study = Study.objects.get(pk=study.pk)
    for measure in study.measures.all():
        start = draw.tier_start(measure.pk)
        assert selectors.phase_starts_for(study, measure.pk) == (start,)
    # Concealed until the earliest set's first session.
    assert selectors.concealment(study, latest_session=3).until_session == 4
    with pytest.raises(ValidationError, match="randomized only once"):
        services.study_randomize(actor=ana, study=study)


@pytest.mark.django_db
def test_a_window_too_narrow_for_the_tiers_is_refused(ana, jannick):
    study = three_tier_study(ana, jannick)
    with pytest.raises(ValidationError, match="leave 2 possible start points for 3 tiers"):
        services.study_randomize(actor=ana, study=study, earliest=8, latest=9)


@pytest.mark.django_db
def test_the_job_tests_across_tiers_and_draws_stacked_panels(
    ana, jannick, django_capture_on_commit_callbacks
):
    study = three_tier_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=2024)
    with django_capture_on_commit_callbacks(execute=True):
        fill_tiers(study, ana, draw)
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE, run.error
    mbd = run.results["mbd"]
    # 5 · 5 · 6 start points × 3! orders of the sets (SCRT "MBD": Π|S_i| · T!).
    assert mbd["n_assignments"] == mbd["n_declared"] == 900
    assert mbd["method"] == "exact"
    assert mbd["p_value"] * 900 == pytest.approx(round(mbd["p_value"] * 900))
    assert mbd["p_value"] < 0.05
    assert mbd["actual_start_sessions"] == dict(zip(TIERS, draw.start, strict=True))
    # The same test straight from the pure core (no missing days: sessions = positions).
    inputs = run.inputs
    series = [
        [-v for p in m["phases"] for v in p["values"]]  # decrease: oriented
        for m in inputs["measures"]
    ]
    direct = rt.randomization_test(
        series,
        tuple(draw.start),
        admissible=rt.regulated_mbd_start_points(draw.admissible),
        improvement="increase",
    )
    assert mbd["p_value"] == pytest.approx(direct.p_value)
    assert mbd["observed_statistic"] == pytest.approx(direct.observed)
    # Each tier is analysed as its own AB series, from its own start.
    for m, start in zip(run.results["measures"], draw.start, strict=True):
        phases = m["analysis"]["phases"]
        assert phases[0]["n"] == start - 1
        assert phases[1]["n"] == 21 - (start - 1)
        assert m["randomization"]["error"] == SEE_MBD
    kinds = sorted(AnalysisPlot.objects.values_list("kind", flat=True))
    assert kinds == ["mbd", "mbd_rand", "sced", "sced", "sced"]
    # Stacked panels, one per tier, with the phase line at each tier's own start.
    figure = plots.build_sced_figure(
        _mbd_panels(StudyInputs.from_json(inputs), draw.tiers),
        measure_name="0-10",
        improvement="decrease",
    )
    lines = [
        [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == plots.PHASE_LINE_GID]
        for ax in figure.axes
        if ax.get_lines()
    ]
    assert lines == [[s - 0.5] for s in draw.start]


@pytest.mark.django_db
def test_a_missed_day_shifts_only_its_tier_and_the_page_shows_the_test(
    client, ana, jannick, django_capture_on_commit_callbacks
):
    study = three_tier_study(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=7, concealed=False)
    with django_capture_on_commit_callbacks(execute=True):
        fill_tiers(study, ana, draw, skip={(TIERS[1], 2)})
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE, run.error
    # Tier 2 lacks session 2: an assignment starting it at session 4 would leave it 2 baseline
    # values (< L = 3), so those 60 of the 900 (set 1 on tier 2: 2 of 6 orders × 5 × 6 × 1)
    # are not in the reference set; the others are counted in that tier's observed positions.
    assert run.results["mbd"]["n_assignments"] == 840
    client.force_login(ana)
    url = reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": study.pk})
    page = client.get(url).content.decode()
    assert "Staggered intervention starts" in page
    assert "Multiple baseline across tiers" in page
    assert "Randomization test across tiers" in page
    for name, start in zip(TIERS, draw.start, strict=True):
        assert f"{name}: session <strong>{start}</strong>" in page
