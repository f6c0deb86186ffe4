"""One session of every measure in one form (issue #12): Jannick's fear of lifting (the primary
outcome) and his walking minutes (a process measure) are typed together for a session; the save
is one write, audited, with one analysis; a bad value keeps both typed values and saves nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from sced import services
from sced.models import AnalysisRun, Measurement
from tests.sced.conftest import FEAR, fill, make_study
from tests.test_fuzz_forms import HOSTILE_NUMBERS, HOSTILE_TEXT

pytestmark = pytest.mark.django_db

WALKING = {
    "name": "Walking",
    "unit": "minutes",
    "range_min": 0,
    "range_max": 120,
    "improvement": "increase",
}


def _url(name, study):
    return reverse(name, kwargs={"patient_id": study.episode.patient.pk, "study_id": study.pk})


def _two_measure_study(ana, jannick):
    study = make_study(ana, jannick, measures=[FEAR, WALKING])
    services.study_randomize(actor=ana, study=study, seed=5, concealed=False)
    return study


def _post(client, study, **values):
    fear, walking = study.measures.all()
    data = {
        "session-session": values.get("session", ""),
        f"session-m{fear.pk}": values.get("fear", ""),
        f"session-m{walking.pk}": values.get("walking", ""),
    }
    return client.post(_url("sced:measurements_session", study), data)


def test_the_study_page_offers_one_field_per_measure_with_the_next_session(client, ana, jannick):
    study = _two_measure_study(ana, jannick)
    fill(study, ana, [8, 7])  # fear at sessions 1 and 2; walking has none yet
    client.force_login(ana)
    page = client.get(_url("sced:study_detail", study)).content.decode()
    assert "Enter one session for every measure" in page
    assert "Fear of lifting a crate (0-10)" in page
    assert "Walking (minutes)" in page
    # the earliest session still missing a value, never today's date
    assert 'name="session-session" value="1"' in page


def test_both_values_of_a_session_are_saved_from_one_post_with_one_analysis(
    client, ana, jannick, django_capture_on_commit_callbacks
):
    study = _two_measure_study(ana, jannick)
    fill(study, ana, [8, 7])
    runs_before = AnalysisRun.objects.count()
    audits_before = AuditEvent.objects.filter(action=AuditAction.CREATE).count()
    client.force_login(ana)
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, study, session="3", fear="6", walking="25")
    assert response.status_code == 302
    saved = sorted(
        (m.measure.name, m.session, m.value, m.recorded_by_id)
        for m in Measurement.objects.filter(session=3).select_related("measure")
    )
    assert saved == [("Fear of lifting a crate", 3, 6.0, ana.pk), ("Walking", 3, 25.0, ana.pk)]
    # one analysis of the session's data, not one per measure
    assert AnalysisRun.objects.count() == runs_before + 1
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == audits_before + 1
    # saving the same session again is refused (amend or strike out instead): nothing doubles
    again = _post(client, study, session="3", fear="5", walking="30")
    assert again.status_code == 400
    assert Measurement.objects.filter(session=3).count() == 2


def test_a_process_measure_may_be_left_empty_but_the_outcome_may_not(client, ana, jannick):
    study = _two_measure_study(ana, jannick)
    client.force_login(ana)
    response = _post(client, study, session="1", fear="7")
    assert response.status_code == 302
    assert [(m.measure.name, m.value) for m in Measurement.objects.select_related("measure")] == [
        ("Fear of lifting a crate", 7.0)
    ]
    missing = _post(client, study, session="2", walking="40")
    assert missing.status_code == 400
    assert Measurement.objects.filter(session=2).count() == 0


def test_a_bad_value_keeps_both_typed_values_and_saves_nothing(client, ana, jannick):
    study = _two_measure_study(ana, jannick)
    client.force_login(ana)
    response = _post(client, study, session="1", fear="14", walking="25")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved. Correct these values and save again:" in page
    assert "Fear of lifting a crate (0-10): Ensure this value is less than or equal to 10" in page
    fear, walking = study.measures.all()
    assert f'name="session-m{fear.pk}" value="14"' in page
    assert f'name="session-m{walking.pk}" value="25"' in page
    assert not Measurement.objects.exists()


def test_a_session_after_the_plan_needs_the_confirmation(client, ana, jannick):
    study = _two_measure_study(ana, jannick)  # 7 + 14 planned sessions
    client.force_login(ana)
    response = _post(client, study, session="22", fear="3", walking="60")
    assert response.status_code == 400
    assert 'name="session-confirm_outside_plan"' in response.content.decode()
    assert not Measurement.objects.exists()
    fear, walking = study.measures.all()
    confirmed = client.post(
        _url("sced:measurements_session", study),
        {
            "session-session": "22",
            f"session-m{fear.pk}": "3",
            f"session-m{walking.pk}": "60",
            "session-confirm_outside_plan": "on",
        },
    )
    assert confirmed.status_code == 302
    assert Measurement.objects.filter(session=22).count() == 2


def test_hostile_values_in_any_field_are_refused_and_write_nothing(client, ana, jannick):
    """The fuzz guard (tests/test_fuzz_forms.py) sees a one-measure study, where this form is not
    shown: its hostile numbers and text go here into each field of a two-measure session. A
    refusal writes nothing; an accepted post (" 3 " is a number a person may type) writes both."""
    study = _two_measure_study(ana, jannick)
    client.force_login(ana)
    answers = []
    for n, hostile in enumerate([*HOSTILE_NUMBERS, *HOSTILE_TEXT[:6]], start=1):
        for field in ("session", "fear", "walking"):
            session = str(n + 100)  # after the plan: unconfirmed, so a refusal either way
            values = {"session": session, "fear": "5", "walking": "20", field: hostile}
            before = Measurement.objects.count()
            response = _post(client, study, **values)
            answers.append(response.status_code)
            assert response.status_code < 500, (field, hostile)
            if response.status_code != 302:
                assert Measurement.objects.count() == before, (field, hostile)
    assert 400 in answers
    # Only " 3 " typed as the session is a session of the plan; every other post was refused.
    assert sorted(Measurement.objects.values_list("session", "value")) == [(3, 5.0), (3, 20.0)]
