"""Jannick's AB study: daily fear of lifting a crate, lower is better (DESIGN.md demo patient)."""

from __future__ import annotations

import pytest

from sced import services

FEAR = {
    "name": "Fear of lifting a crate",
    "unit": "0-10",
    "range_min": 0,
    "range_max": 10,
    "improvement": "decrease",
    "description": "Daily fear of lifting a crate (exposure hierarchy item)",
}
BASELINE = [8, 7, 8, 8, 7, 8, 7]
INTERVENTION = [6, 5, 5, 4, 4, 3, 3, 2, 3, 2, 2, 1, 2, 1]


def make_study(actor, patient, **kwargs):
    options = {
        "clinical_question": "Does graded exposure reduce Jannick's fear of lifting?",
        "design": "AB",
        "measures": [FEAR],
        "planned_phase_lengths": {"A": 7, "B": 14},
        "min_phase_length": 3,
    }
    options.update(kwargs)
    return services.study_create(actor=actor, episode=patient.episodes.first(), **options)


@pytest.fixture
def ab_study(ana, jannick):
    return make_study(ana, jannick)


def fill(study, actor, values):
    """Record ``values`` as sessions 1, 2, … of the study's first measure."""
    measure = study.measures.first()
    return services.measurements_record(
        actor=actor,
        study=study,
        rows=[services.Row(measure, float(v), session=i) for i, v in enumerate(values, start=1)],
    )
