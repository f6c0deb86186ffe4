"""Treatment fixtures: Jannick's signed fear-avoidance profile, through the assessment contract."""

from __future__ import annotations

import pytest


@pytest.fixture
def jannick_profile(jannick, ana):
    """Jannick's signed TSK-11 (all items 'somewhat agree': 33, high by clinic policy ≥ 24) and
    PCS (all items 'to a great degree': 39, clinically relevant ≥ 30)."""
    from tests.assessment.factories import answers_all, signed_result

    signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    signed_result(patient=jannick, key="pcs", answers=answers_all("pcs", 3), actor=ana)
    return jannick
