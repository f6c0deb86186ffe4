"""Bob, team lead of the North team, exports the single-case data of his team's patients who
consented to research use: de-identified, in scan's long format with a design sidecar, audited;
patients without research consent are left out and counted (issue #17 "Research exports")."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse

from interop import research
from painclinic.models import AuditAction, AuditEvent
from patients.models import ConsentRecord
from sced import services as sced_services
from sced.stats.scan_csv import read_scan_csv
from tests.sced.conftest import BASELINE, FEAR, INTERVENTION, fill, make_study

pytestmark = pytest.mark.django_db

DOWNLOAD = "interop:research_export_download"


def _consent(patient, actor, state="given", days_ago=2):
    ConsentRecord.objects.create(
        patient=patient,
        kind="research",
        state=state,
        decided_on=date.today() - timedelta(days=days_ago),
        recorded_by=actor,
    )


def _study_with_data(patient, actor):
    study = make_study(actor, patient, start_date=date.today() - timedelta(days=25))
    sced_services.study_randomize(actor=actor, study=study, seed=11)
    fill(study, actor, BASELINE + INTERVENTION)
    return study


@pytest.fixture
def team(ana, jannick, susan):
    """Jannick (research consent given) and Susan (none) each have an AB study with data."""
    _consent(jannick, ana)
    return {
        "jannick": _study_with_data(jannick, ana),
        "susan": _study_with_data(susan, ana),
    }


def _zip(response) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_bob_sees_who_is_included_and_how_many_are_left_out(client, bob, team):
    client.force_login(bob)
    page = client.get(reverse("interop:research_export")).content.decode()
    assert "Patients left out: no research consent in force" in page
    assert ">1</dd>" in page  # one included, one left out
    assert "Jannick" not in page
    assert "Susan" not in page


def test_the_package_reads_back_as_scan_data_with_sessions_kept(client, bob, team):
    client.force_login(bob)
    response = client.get(reverse(DOWNLOAD))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = _zip(response)
    assert set(files) == {"data.csv", "design.json", "README.txt"}

    cases = read_scan_csv(files["data.csv"])
    assert [c.name for c in cases] == ["P01-S1-M1"]  # Susan's study is not there
    assert cases[0].values == [float(v) for v in BASELINE + INTERVENTION]
    assert [p.label for p in cases[0].phases] == ["A", "B"]
    sessions = [mt for p in cases[0].phases for mt in p.mt]
    assert sessions == [float(s) for s in range(1, len(BASELINE + INTERVENTION) + 1)]

    design = json.loads(files["design.json"])
    assert design["excluded_without_research_consent"] == 1
    case = design["cases"][0]
    assert case["design"] == "AB"
    assert case["improvement"] == "decrease"
    draw = team["jannick"].draw
    assert case["randomization"]["start"] == draw.start
    assert design["analysis_options"]["tau_u_variant"]


def test_nothing_in_the_package_names_or_dates_the_patient(client, bob, team, jannick):
    client.force_login(bob)
    files = _zip(client.get(reverse(DOWNLOAD)))
    study = team["jannick"]
    forbidden = [
        jannick.given_name,
        jannick.family_name,
        jannick.identifier,
        str(jannick.pk),
        jannick.date_of_birth.isoformat(),
        study.clinical_question,
        FEAR["name"],
        FEAR["description"],
        study.start_date.isoformat(),
    ]
    for name, text in files.items():
        for word in forbidden:
            assert word not in text, f"{word!r} appears in {name}"
    shifted = json.loads(files["design.json"])["cases"][0]["study_start_date_shifted"]
    moved = date.fromisoformat(shifted) - study.start_date
    assert moved == timedelta(days=research.date_shift_days(str(jannick.pk), _secret()))
    assert moved != timedelta(0)


def _secret():
    from django.conf import settings

    return settings.SECRET_KEY


def test_the_export_is_audited_once_for_each_included_patient_only(
    client, bob, team, jannick, susan
):
    client.force_login(bob)
    client.get(reverse(DOWNLOAD))
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=bob)
    assert [(e.patient_id, e.object_type) for e in exports] == [
        (jannick.pk, "research.sced_export")
    ]
    assert not AuditEvent.objects.filter(patient=susan, action=AuditAction.EXPORT).exists()


def test_a_withdrawn_research_consent_leaves_the_patient_out(client, bob, ana, team, jannick):
    _consent(jannick, ana, state="withdrawn", days_ago=1)
    client.force_login(bob)
    files = _zip(client.get(reverse(DOWNLOAD)))
    assert files["data.csv"] == "case,phase,values,mt\n"
    assert json.loads(files["design.json"])["excluded_without_research_consent"] == 2
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=bob)
    assert event.patient_id is None  # the export is audited even when it holds nobody


def test_another_teams_lead_gets_nobody_from_the_north_team(client, fay, team):
    client.force_login(fay)
    files = _zip(client.get(reverse(DOWNLOAD)))
    assert json.loads(files["design.json"])["participants"] == 0
    assert "no research consent" in client.get(reverse("interop:research_export")).content.decode()


@pytest.mark.parametrize("persona", ["ana", "priya"])
def test_clinicians_and_programme_admins_cannot_export_research_data(
    client, persona, team, request
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("interop:research_export")).status_code == 403
    assert client.get(reverse(DOWNLOAD)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_date_shift_is_stable_never_zero_and_within_a_year():
    shifts = [research.date_shift_days(f"patient-{n}", "secret") for n in range(500)]
    assert all(1 <= abs(s) <= research.MAX_SHIFT_DAYS for s in shifts)
    assert research.date_shift_days("patient-1", "secret") == shifts[1]
    assert research.date_shift_days("patient-1", "another secret") != shifts[1] or shifts[2] != (
        research.date_shift_days("patient-2", "another secret")
    )
    assert len(set(shifts)) > 100  # spread, not a constant


def test_a_study_still_in_its_baseline_is_left_out_and_counted():
    inputs = {
        "design": "AB",
        "phase_labels": ["A", "B"],
        "planned_sessions": 21,
        "min_phase_length": 3,
        "draw": None,
        "settings": {"tau_u_variant": "A vs B - trend A"},
        "measures": [
            {
                "id": 1,
                "name": "Fear of lifting a crate",
                "unit": "0-10",
                "range": [0, 10],
                "improvement": "decrease",
                "phases": [{"label": "A", "sessions": [1, 2, 3], "values": [8, 7, 8]}],
            }
        ],
    }
    package = research.build_package(
        [research.StudyData(patient_key="p1", inputs=inputs)],
        secret="s",
        excluded_without_consent=0,
        created_on=date(2026, 12, 7),
    )
    archive = zipfile.ZipFile(io.BytesIO(package.content))
    design = json.loads(archive.read("design.json"))
    assert package.cases == 0
    assert design["cases_left_out_with_one_phase"] == 1
    assert archive.read("data.csv").decode() == "case,phase,values,mt\n"
