"""A study has at most 500 sessions per phase and 2,000 in all (sced/stats/limits.py). Longer
plans, values beyond the last possible session, 4,000 + 4,000-row files and CSV cells over
128 KiB are refused with a clear message on every path — the study form, the services, the CSV
import and ``manage.py sced_analyse`` — instead of a 500, a traceback or gigabytes (issue #15)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from sced import services
from sced.models import Measurement, Study
from sced.stats.limits import MAX_PHASE_SESSIONS, MAX_STUDY_SESSIONS
from sced.stats.scan_csv import ScanCsvError, read_scan_csv
from tests.sced.conftest import make_study

BIG_CELL = "x" * (129 * 1024)


def _url(name, study):
    return reverse(name, kwargs={"patient_id": study.episode.patient.pk, "study_id": study.pk})


def _long_file(a: int, b: int, case: str = "Fear of lifting a crate") -> str:
    rows = [f"{case},A,7,{i}" for i in range(1, a + 1)]
    rows += [f"{case},B,3,{i}" for i in range(a + 1, a + b + 1)]
    return "case,phase,values,mt\n" + "\n".join(rows) + "\n"


@pytest.mark.django_db
def test_a_plan_longer_than_500_sessions_a_phase_is_refused_on_the_form(client, ana, jannick):
    client.force_login(ana)
    response = client.post(
        reverse("sced:study_create", kwargs={"patient_id": jannick.pk}),
        {
            "episode": jannick.episodes.first().pk,
            "clinical_question": "Does exposure help?",
            "design": "AB",
            "baseline_length": "4000",
            "intervention_length": "4000",
            "min_phase_length": "40000",  # beyond a small integer column: was a 500
            "measure_name": "Fear",
            "measure_min": "0",
            "measure_max": "10",
            "measure_improvement": "decrease",
        },
    )
    assert response.status_code == 400
    assert "500" in response.content.decode()
    assert not Study.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_a_phase_over_the_limit_and_writes_nothing(ana, jannick):
    with pytest.raises(ValidationError) as raised:
        make_study(ana, jannick, planned_phase_lengths={"A": 7, "B": MAX_PHASE_SESSIONS + 1})
    assert f"at most {MAX_PHASE_SESSIONS}" in " ".join(raised.value.messages)
    assert not Study.objects.exists()
    make_study(ana, jannick, planned_phase_lengths={"A": 7, "B": MAX_PHASE_SESSIONS})  # the limit


@pytest.mark.django_db
def test_a_value_beyond_the_last_possible_session_is_refused(ana, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    measure = ab_study.measures.first()
    with pytest.raises(ValidationError, match="beyond the last possible session"):
        services.measurements_record(
            actor=ana,
            study=ab_study,
            rows=[services.Row(measure, 5.0, session=MAX_STUDY_SESSIONS + 1)],
            confirm_outside_plan=True,
        )
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_csv_cell_over_128_kib_is_a_message_not_a_500(client, ana, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    client.force_login(ana)
    text = f"case,phase,values,mt\nFear of lifting a crate,A,{BIG_CELL},1\n"
    response = client.post(_url("sced:measurements_import", ab_study), {"import-text": text})
    assert response.status_code == 400
    assert "longer than the 131,072 characters" in response.content.decode()
    assert not Measurement.objects.exists()


@pytest.mark.django_db
def test_a_4000_plus_4000_row_file_is_refused_whole(client, ana, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    client.force_login(ana)
    response = client.post(
        _url("sced:measurements_import", ab_study), {"import-text": _long_file(4000, 4000)}
    )
    assert response.status_code == 400
    assert "more than 2,000 measurements" in response.content.decode()
    assert not Measurement.objects.exists()


def test_sced_analyse_answers_an_over_long_cell_with_a_message(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(f"case,phase,values\nc,A,{BIG_CELL}\nc,B,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="longer than the 131,072 characters") as raised:
        call_command("sced_analyse", str(path), "--improvement", "decrease", stdout=StringIO())
    assert raised.value.returncode == 2


def test_sced_analyse_refuses_a_study_over_the_limit_before_computing(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(_long_file(4000, 4000, case="c"), encoding="utf-8")
    with pytest.raises(CommandError, match="at most 2,000") as raised:
        call_command("sced_analyse", str(path), "--improvement", "decrease", stdout=StringIO())
    assert raised.value.returncode == 2


def test_a_phase_over_500_points_in_a_file_is_refused():
    with pytest.raises(ScanCsvError, match="at most 500"):
        read_scan_csv(_long_file(501, 5, case="c"))
    assert len(read_scan_csv(_long_file(500, 5, case="c"))[0].phases[0].values) == 500


@pytest.mark.parametrize("value", ["٣", "²", "1e309", "9" * 5000, "inf"])
def test_a_file_value_that_is_not_a_plain_number_is_refused(value):
    with pytest.raises(ScanCsvError, match="is not a number"):
        read_scan_csv(f"case,phase,values\nc,A,{value}\nc,A,2\nc,B,3\n")


@pytest.mark.parametrize("n_random", ["0", "1000000001"])
def test_sced_analyse_refuses_an_absurd_number_of_random_assignments(tmp_path, n_random):
    path = tmp_path / "ok.csv"
    path.write_text(_long_file(5, 5, case="c"), encoding="utf-8")
    with pytest.raises(CommandError, match="random assignments") as raised:
        call_command(
            "sced_analyse",
            str(path),
            "--improvement",
            "decrease",
            "--n-random",
            n_random,
            stdout=StringIO(),
        )
    assert raised.value.returncode == 2
