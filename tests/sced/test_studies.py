"""Ana plans an AB study for Jannick, randomizes before data, records, amends and imports."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from painclinic.models import AuditAction, AuditEvent
from sced import selectors, services
from sced.models import AnalysisRun, Measurement, MeasurementAmendment, Study, StudyState
from sced.stats.randomization import draw_start_point
from tests.sced.conftest import FEAR, fill, make_study


@pytest.mark.django_db
def test_study_create_is_the_contract_the_treatment_app_relies_on(ana, jannick):
    study = services.study_create(
        actor=ana,
        episode=jannick.episodes.first(),
        clinical_question="Does exposure reduce fear of lifting?",
        design="ABAB",
        measures=[
            FEAR,
            {
                **FEAR,
                "name": "Activity",
                "improvement": "increase",
                "unit": "min",
                "range_max": 600,
                "description": "",
            },
        ],
        planned_phase_lengths={"A": 5, "B": 6},
        min_phase_length=3,
    )
    assert study.state == StudyState.PLANNED
    assert study.planned_phase_lengths == {"A1": 5, "B1": 6, "A2": 5, "B2": 6}
    assert [m.name for m in study.measures.all()] == ["Fear of lifting a crate", "Activity"]
    assert study.measures.first().description.startswith("Daily fear")
    assert (
        AuditEvent.objects.filter(
            patient=jannick, action=AuditAction.CREATE, object_type="sced.study"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_bad_plans_are_refused_with_every_reason_and_nothing_written(ana, jannick):
    with pytest.raises(ValidationError) as excinfo:
        make_study(
            ana,
            jannick,
            clinical_question=" ",
            planned_phase_lengths={"A": 2, "B": 9},
            measures=[{**FEAR, "improvement": "up", "range_min": 10, "range_max": 0}],
        )
    messages = excinfo.value.messages
    assert services.MSG_QUESTION in messages
    assert services.MSG_PHASE_TOO_SHORT.format(label="A", n=2, L=3) in messages
    assert any("direction of improvement" in m for m in messages)
    assert any("lowest value must be below" in m for m in messages)
    assert not Study.objects.exists()


@pytest.mark.django_db
def test_randomize_before_data_records_a_reproducible_draw(ana, jannick, ab_study):
    with pytest.raises(ValidationError, match="Draw the intervention start"):
        fill(ab_study, ana, [8])
    draw = services.study_randomize(actor=ana, study=ab_study, seed=1234, earliest=6, latest=12)
    assert draw.admissible == list(range(6, 13))
    assert draw.start == draw_start_point(draw.admissible, seed=1234).start
    assert draw.drawn_by == ana
    assert draw.concealed
    ab_study.refresh_from_db()
    assert ab_study.state == StudyState.RANDOMIZED
    with pytest.raises(ValidationError, match="randomized only once"):
        services.study_randomize(actor=ana, study=ab_study)


@pytest.mark.django_db
def test_randomizing_after_data_is_refused(ana, jannick):
    # an alternating-treatments study has its order drawn at creation: no start to draw
    study = make_study(ana, jannick, design="ATD", atd_sessions=12, atd_max_consecutive=2)
    with pytest.raises(ValidationError, match="AB, ABA, ABAB and multiple-baseline"):
        services.study_randomize(actor=ana, study=study)
    abab = make_study(
        ana, jannick, clinical_question="q2", design="ABAB", planned_phase_lengths={"A": 4, "B": 4}
    )
    services.study_randomize(actor=ana, study=abab, seed=3)
    assert len(abab.draw.start) == 3
    # Data exist: a later draw would not be valid (sced.md §5 P12). (A drawn start can no longer
    # be deleted to get here: the database refuses it, issue #15; so a study never randomized.)
    late = make_study(
        ana, jannick, clinical_question="q3", design="ABAB", planned_phase_lengths={"A": 4, "B": 4}
    )
    Measurement.objects.create(measure=late.measures.first(), session=1, original_value=5, value=5)
    with pytest.raises(ValidationError, match="Values have already been entered"):
        services.study_randomize(actor=ana, study=Study.objects.get(pk=late.pk))


@pytest.mark.django_db
def test_phases_are_derived_from_the_drawn_start_and_concealed_until_reachable(ana, ab_study):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=5)
    study = Study.objects.get(pk=ab_study.pk)
    starts = selectors.phase_starts(study)
    assert starts == (draw.start,)
    assert selectors.phase_of_session(draw.start - 1, starts, ("A", "B")) == "A"
    assert selectors.phase_of_session(draw.start, starts, ("A", "B")) == "B"
    hidden = selectors.concealment(study, latest_session=2)
    assert hidden.concealed  # L + 1 with L = 3
    assert hidden.until_session == 4
    assert not selectors.concealment(study, latest_session=4).concealed
    # Without a draw, the planned lengths give the phases: A 1-7, B from 8.
    plain = make_study(
        ana,
        ab_study.episode.patient,
        clinical_question="q",
        design="changing_criterion",
        criteria=[(4.0, 14)],
    )
    assert selectors.phase_starts(plain) == (8,)


@pytest.mark.django_db
def test_values_out_of_range_or_twice_are_refused_all_or_nothing(ana, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    fill(ab_study, ana, [8, 7])
    measure = ab_study.measures.first()
    rows = [
        services.Row(measure, 5, session=3),
        services.Row(measure, 11, session=4),
        services.Row(measure, 6, session=2),
    ]
    with pytest.raises(ValidationError) as excinfo:
        services.measurements_record(actor=ana, study=ab_study, rows=rows)
    assert len(excinfo.value.messages) == 2
    assert Measurement.objects.count() == 2


@pytest.mark.django_db
def test_amendments_keep_the_original_and_the_database_refuses_an_overwrite(ana, jannick, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    (first, _) = fill(ab_study, ana, [8, 7])
    amendment = services.measurement_amend(
        actor=ana, measurement=first, value=6, reason="Patient misread the scale"
    )
    first.refresh_from_db()
    assert (first.original_value, first.value) == (8, 6)
    assert (amendment.old_value, amendment.new_value, amendment.amended_by) == (8, 6, ana)
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, changed_fields=["value"]).exists()
    with pytest.raises(ValidationError, match="Say why"):
        services.measurement_amend(actor=ana, measurement=first, value=5, reason="")
    # The database itself: the original value never changes, nor the value without an amendment.
    for sql in (
        "UPDATE sced_measurement SET original_value = 1 WHERE id = %s",
        "UPDATE sced_measurement SET value = 1 WHERE id = %s",
        "DELETE FROM sced_measurement WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="sced_measurement"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [first.pk])
    first.refresh_from_db()
    assert (first.original_value, first.value) == (8, 6)
    assert MeasurementAmendment.objects.count() == 1


@pytest.mark.django_db
def test_csv_import_is_all_or_nothing_with_line_numbers(ana, ab_study):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=5)
    s = draw.start
    lines = ["case,phase,values,mt"]
    lines += [f"Fear of lifting a crate,A,7,{i}" for i in range(1, s)]
    lines += [f"Fear of lifting a crate,B,3,{i}" for i in range(s, 22)]
    bad = list(lines)
    bad[2] = "Fear of lifting a crate,B,7,2"  # line 3: session 2 is baseline
    bad[4] = "Fear of lifting a crate,A,12,4"  # line 5: out of range
    with pytest.raises(ValidationError) as excinfo:
        services.measurements_import_csv(actor=ana, study=ab_study, text="\n".join(bad))
    assert excinfo.value.messages[0].startswith("Line 3: session 2 belongs to phase A")
    assert excinfo.value.messages[1].startswith("Line 5: Fear of lifting a crate: 12 is outside")
    assert not Measurement.objects.exists()
    with pytest.raises(ValidationError, match="Line 3, column 'values'"):
        services.measurements_import_csv(
            actor=ana, study=ab_study, text="case,phase,values,mt\nX,A,1,1\nX,A,x,2\n"
        )
    with pytest.raises(ValidationError, match="no mt column"):
        services.measurements_import_csv(
            actor=ana, study=ab_study, text="case,phase,values\nFear of lifting a crate,A,1\n"
        )
    created = services.measurements_import_csv(actor=ana, study=ab_study, text="\n".join(lines))
    assert len(created) == 21
    exported = services.measurements_export_csv(actor=ana, study=ab_study)
    assert exported.splitlines() == [ln.replace(",7,", ",7,").replace(",3,", ",3,") for ln in lines]


@pytest.mark.django_db
def test_saving_data_requests_one_analysis_per_distinct_input(
    ana, ab_study, django_capture_on_commit_callbacks
):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fill(ab_study, ana, [8, 7, 8])
    assert len(callbacks) == 1  # enqueued after commit, once
    run = AnalysisRun.objects.get()
    again = services.analysis_request(actor=ana, study=ab_study)
    assert again.pk == run.pk
    assert AnalysisRun.objects.count() == 1


@pytest.mark.django_db
def test_a_concealed_start_and_its_seed_stay_off_the_page_until_reachable(
    client, ana, jannick, ab_study
):
    from django.urls import reverse

    draw = services.study_randomize(actor=ana, study=ab_study, seed=987654321)
    client.force_login(ana)
    url = reverse("sced:study_detail", kwargs={"patient_id": jannick.pk, "study_id": ab_study.pk})
    page = client.get(url).content.decode()
    assert "concealed until day 4" in page
    assert f"seed {draw.seed}" not in page
    assert f"session <strong>{draw.start}" not in page
    fill(ab_study, ana, [8, 7, 8, 7])
    page = client.get(url).content.decode()
    assert f"Intervention (B) starts at session <strong>{draw.start}</strong>" in page
    assert f"seed {draw.seed}" in page


@pytest.mark.django_db
def test_a_measure_name_is_once_per_study_whatever_the_case(ana, jannick):
    from django.db import IntegrityError

    from sced.models import Measure

    study = make_study(ana, jannick)
    with pytest.raises(ValidationError, match="Two measures are called"):
        make_study(ana, jannick, measures=[FEAR, {**FEAR, "name": FEAR["name"].upper()}])
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(
            study=study,
            name=FEAR["name"].upper(),
            range_min=0,
            range_max=10,
            improvement="decrease",
        )
