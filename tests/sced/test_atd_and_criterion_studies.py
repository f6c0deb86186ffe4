"""Issue #12: Ana runs an alternating-treatments study (two exposure formats alternating day by
day, the order drawn before data) and a changing-criterion study (daily walking minutes with a
rising criterion) for Jannick, from the study form to the results page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from sced import services
from sced.models import AnalysisRun, AnalysisState, Study, StudyState
from sced.services.messages import MSG_ATD_PLAN
from sced.stats.atd import atd_randomization_test, check_sequence, count_admissible, draw_sequence
from sced.stats.inputs import MeasureInputs, PhaseInputs, StudyInputs
from sced.study_analysis import NO_DESIGN_PLAN, analyse_study
from tests.sced.conftest import FEAR

pytestmark = pytest.mark.django_db


def _form(jannick, **fields):
    data = {
        "episode": jannick.episodes.first().pk,
        "clinical_question": "Which exposure format lowers Jannick's fear more?",
        "baseline_length": 7,
        "intervention_length": 14,
        "min_phase_length": 3,
        "measure_name": "Fear of lifting a crate",
        "measure_unit": "0-10",
        "measure_min": 0,
        "measure_max": 10,
        "measure_improvement": "decrease",
    }
    data.update(fields)
    return data


def _create_url(jannick):
    return reverse("sced:study_create", kwargs={"patient_id": jannick.pk})


def _detail_url(jannick, study):
    return reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": study.pk})


def _record(study, actor, by_session):
    measure = study.measures.first()
    rows = [services.Row(measure, float(v), session=s) for s, v in by_session.items()]
    return services.measurements_record(actor=actor, study=study, rows=rows)


def test_an_atd_study_is_drawn_at_creation_and_analysed_with_the_atd_test(
    client, ana, jannick, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    response = client.post(
        _create_url(jannick),
        _form(jannick, design="ATD", atd_sessions=12, atd_max_consecutive=2),
    )
    assert response.status_code == 302
    study = Study.objects.get()
    # drawn before any data, stored with its seed, k and the number of admissible orders
    assert study.state == StudyState.RANDOMIZED
    assert len(study.atd_sequence) == 12
    assert study.atd_sequence.count("A") == 6
    check_sequence(list(study.atd_sequence), max_consecutive=2)
    assert study.atd_max_consecutive == 2
    assert study.atd_n_admissible == str(count_admissible(6, 6, max_consecutive=2))
    replay = draw_sequence(12, max_consecutive=2, seed=study.atd_seed)
    assert "".join(replay.sequence) == study.atd_sequence

    page = client.get(_detail_url(jannick, study)).content.decode()
    assert "drawn at random when the study was created" in page
    assert "never more than 2 sessions of one condition in a row" in page
    assert f'<tr data-session="3"><td>3</td><td><strong>{study.atd_sequence[2]}</strong>' in page
    assert f"Session 1 — condition {study.atd_sequence[0]}" in page

    # B (the new format) is better: fear 3 on B days, 6 on A days; session 5 missed
    values = {
        s: (3 if c == "B" else 6) + (s % 2)
        for s, c in enumerate(study.atd_sequence, start=1)
        if s != 5
    }
    with django_capture_on_commit_callbacks(execute=True):
        _record(study, ana, values)
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE, run.error
    (entry,) = run.results["measures"]
    expected = atd_randomization_test(
        list(study.atd_sequence),
        [values.get(s) for s in range(1, 13)],
        max_consecutive=2,
        improvement="decrease",
        seed=study.atd_seed % 2**32,
    )
    assert entry["randomization"]["p_value"] == pytest.approx(expected.p_value)
    assert entry["randomization"]["n_admissible"] == count_admissible(6, 6, max_consecutive=2)
    assert entry["randomization"]["method"] == "exact"
    assert "Tau_U" not in entry["atd"]["effect_sizes"]
    assert {kind for kind in run.plots.values_list("kind", flat=True)} == {"sced", "randomization"}

    page = client.get(_detail_url(jannick, study)).content.decode()
    assert "Randomization test (alternating treatments)" in page
    assert f"every one of the {expected.n_admissible} admissible condition orders" in page
    assert f"{expected.p_value:.4f}" in page
    assert "the conditions alternate from session to session" in page
    assert "Effect sizes, B sessions against A sessions" in page


def test_the_atd_form_asks_for_an_even_number_of_sessions_and_k(client, ana, jannick):
    client.force_login(ana)
    response = client.post(_create_url(jannick), _form(jannick, design="ATD", atd_sessions=11))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give an even number" in page
    assert "largest number of consecutive sessions" in page
    assert not Study.objects.exists()


def test_the_service_refuses_an_atd_plan_without_its_rule_and_writes_nothing(ana, jannick):
    with pytest.raises(ValidationError) as excinfo:
        services.study_create(
            actor=ana,
            episode=jannick.episodes.first(),
            clinical_question="Which format?",
            design="ATD",
            measures=[FEAR],
            atd_sessions=12,
        )
    assert MSG_ATD_PLAN in excinfo.value.messages
    assert not Study.objects.exists()


CRITERIA = "4; 4\n6; 5\n8; 4"


def test_a_changing_criterion_study_shows_met_and_not_met_per_phase(
    client, ana, jannick, django_capture_on_commit_callbacks
):
    client.force_login(ana)
    response = client.post(
        _create_url(jannick),
        _form(
            jannick,
            design="changing_criterion",
            baseline_length=4,
            criteria=CRITERIA,
            measure_name="Walking",
            measure_unit="min",
            measure_max=120,
            measure_improvement="increase",
        ),
    )
    assert response.status_code == 302
    study = Study.objects.get()
    assert study.phase_labels == ("A", "B1", "B2", "B3")
    assert study.criteria == [
        {"label": "B1", "criterion": 4.0},
        {"label": "B2", "criterion": 6.0},
        {"label": "B3", "criterion": 8.0},
    ]
    assert study.planned_sessions == 4 + 4 + 5 + 4
    page = client.get(_detail_url(jannick, study)).content.decode()
    assert "Each criterion is set before its phase starts" in page
    assert '<li data-phase="B2">B2 · sessions 9–13 · criterion <strong>6</strong>' in page

    # baseline 2-3; B1 all >= 4 (met); B2 4 of 5 >= 6 (met at 80 %); B3 2 of 4 >= 8 (not met)
    series = [2, 3, 2, 3, 4, 5, 4, 4, 6, 6, 7, 5, 6, 8, 7, 6, 8]
    with django_capture_on_commit_callbacks(execute=True):
        _record(study, ana, dict(enumerate(series, start=1)))
    run = AnalysisRun.objects.get()
    assert run.state == AnalysisState.DONE, run.error
    table = run.results["measures"][0]["criterion"]
    assert [(p["label"], p["n_meeting"], p["n"], p["met"]) for p in table["phases"]] == [
        ("B1", 4, 4, True),
        ("B2", 4, 5, True),
        ("B3", 2, 4, False),
    ]
    assert table["n_changes"] == 3
    page = client.get(_detail_url(jannick, study)).content.decode()
    assert '<tr data-phase="B3">' in page
    assert "not met" in page
    assert "2 of 3 criterion changes were met" in page
    assert "at least 3 criterion changes" in page
    assert "the clinic&#x27;s convention" in page or "the clinic's convention" in page
    assert "Met: at least 80% of the phase" in page


def test_criteria_are_asked_for_and_read_line_by_line(client, ana, jannick):
    client.force_login(ana)
    missing = client.post(_create_url(jannick), _form(jannick, design="changing_criterion"))
    assert missing.status_code == 400
    assert "Give the criterion phases" in missing.content.decode()
    bad = client.post(
        _create_url(jannick), _form(jannick, design="changing_criterion", criteria="4; 4\nfive")
    )
    assert bad.status_code == 400
    assert "Line 2: give the criterion and the number of sessions" in bad.content.decode()
    wrong_design = client.post(_create_url(jannick), _form(jannick, design="AB", criteria="4; 4"))
    assert wrong_design.status_code == 400
    assert not Study.objects.exists()


def test_a_criterion_can_change_only_until_its_phase_starts(client, ana, jannick):
    study = services.study_create(
        actor=ana,
        episode=jannick.episodes.first(),
        clinical_question="Can Jannick walk longer, step by step?",
        design="changing_criterion",
        measures=[{**FEAR, "name": "Walking", "improvement": "increase", "range_max": 120}],
        planned_phase_lengths={"A": 4},
        criteria=[(4.0, 4), (6.0, 5), (8.0, 4)],
    )
    client.force_login(ana)
    url = reverse(
        "sced:study_criterion_set", kwargs={"patient_id": jannick.pk, "study_id": study.pk}
    )
    response = client.post(url, {"criterion-label": "B3", "criterion-criterion": "9"})
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.criterion_of("B3") == 9.0
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="sced.study", changed_fields=["criteria"]
    ).exists()

    # values up to session 9: B2 (sessions 9-13) has started, B3 has not
    _record(study, ana, dict(enumerate([2, 3, 2, 3, 4, 5, 4, 4, 6], start=1)))
    refused = client.post(url, {"criterion-label": "B2", "criterion-criterion": "5"})
    assert refused.status_code == 400
    assert "phase B2 has started" in refused.content.decode()
    study.refresh_from_db()
    assert study.criterion_of("B2") == 6.0
    page = client.get(_detail_url(jannick, study)).content.decode()
    assert 'id="criterion-B3"' in page
    assert 'id="criterion-B2"' not in page
    bad = client.post(url, {"criterion-label": "B3", "criterion-criterion": "lots"})
    assert bad.status_code == 400
    assert study.criterion_of("B3") == 9.0


@pytest.mark.parametrize("design", ["ATD", "changing_criterion"])
def test_a_study_set_up_before_its_design_kept_a_plan_is_not_analysed_as_a_then_b(design):
    """An alternating-treatments or changing-criterion study without its drawn order or its
    criteria (set up before they were kept) gets no A-then-B analysis, and says why."""
    pain = MeasureInputs(
        id=1,
        name="Pain",
        unit="0-10",
        range=(0.0, 10.0),
        improvement="decrease",
        phases=(
            PhaseInputs("A", (1, 2, 3, 4, 5), (7.0, 6.0, 7.0, 8.0, 7.0)),
            PhaseInputs("B", (6, 7, 8, 9, 10), (4.0, 3.0, 4.0, 3.0, 2.0)),
        ),
    )
    inputs = StudyInputs(
        design=design,
        phase_labels=("A", "B"),
        planned_sessions=10,
        min_phase_length=3,
        draw=None,
        measures=(pain,),
    )
    (entry,) = analyse_study(inputs, with_plots=False).results["measures"]
    assert entry["not_ready"] == NO_DESIGN_PLAN
    assert "analysis" not in entry  # an A-then-B analysis has this key
    assert "randomization" not in entry
