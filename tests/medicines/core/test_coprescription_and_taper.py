"""Co-prescription warnings (medication.md §4) and taper schedules (§5)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medicines.core.coprescription import co_prescriptions, drug_class
from medicines.core.ome import Medication, daily_ome
from medicines.core.products import CDC2022, PRODUCTS
from medicines.core.taper import (
    FASTER,
    ON_PLAN,
    SLOWER,
    OpioidDose,
    TaperError,
    adherence,
    opioid_dose,
    taper_schedule,
)


def test_each_class_is_recognised_by_generic_name():
    assert drug_class("Diazepam 5 mg") == "benzodiazepine"
    assert drug_class("zopiclone") == "z_drug"
    assert drug_class("Pregabalin") == "gabapentinoid"
    assert drug_class("Gabapentin 300mg") == "gabapentinoid"
    assert drug_class("amitriptyline") == "other_cns_depressant"
    assert drug_class("Paracetamol") is None


def test_no_warning_without_an_opioid():
    assert co_prescriptions([], ["Diazepam"]) == []


def test_opioid_with_benzodiazepine_and_gabapentinoid_warns_twice_with_sources():
    found = co_prescriptions(["Oxycodone"], ["Diazepam", "Pregabalin", "Paracetamol"])
    assert [c.drug_class for c in found] == ["benzodiazepine", "gabapentinoid"]
    assert "FDA16 V" in found[0].sources
    assert "MHRA21p V" in found[1].sources


def test_benzodiazepine_with_an_opioid_calls_for_naloxone_at_any_dose_cdc2022():
    meds = [
        Medication(product="codeine_oral", strength=30, doses_per_day=1),
        Medication(name="Diazepam"),
    ]
    result = daily_ome(meds, CDC2022)
    assert result.total == 4.5  # CDC 2022: 30 mg x0.15
    assert result.naloxone_indicated


START = date(2026, 1, 5)


def test_ten_percent_a_month_of_the_current_dose_default():
    # 90 mg/day, 10 % of the current dose every 28 days: 81, 72.9, ...
    steps = taper_schedule(start_dose=90, target_dose=45, start=START)
    assert [round(s.dose_after, 1) for s in steps[:3]] == [81.0, 72.9, 65.6]
    assert [s.on for s in steps[:2]] == [START, date(2026, 2, 2)]
    assert steps[-1].dose_after == 45
    assert all(s.dose_after < s.dose_before for s in steps)
    assert round(steps[0].percent_change, 1) == -10.0


def test_ten_percent_of_the_starting_dose_is_ten_equal_steps_to_zero():
    steps = taper_schedule(
        start_dose=60, target_dose=0, start=START, of="starting", interval_days=7
    )
    assert len(steps) == 10
    assert {round(s.dose_before - s.dose_after, 1) for s in steps} == {6.0}


def test_a_pause_holds_the_dose_for_the_extra_days():
    steps = taper_schedule(start_dose=60, target_dose=30, start=START, pauses={2: 28})
    assert (steps[2].on - steps[1].on).days == 56
    assert (steps[1].on - steps[0].on).days == 28


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start_dose": 60, "target_dose": 70}, "target_dose"),
        ({"start_dose": 60, "target_dose": 0, "percent": 50}, "percent"),
        ({"start_dose": 0, "target_dose": 0}, "start_dose"),
        ({"start_dose": 60, "target_dose": 0, "interval_days": 1}, "interval_days"),
    ],
)
def test_bad_taper_rules_name_the_field(kwargs, field):
    with pytest.raises(TaperError) as caught:
        taper_schedule(start=START, **kwargs)
    assert caught.value.field == field


def test_adherence_against_the_plan():
    steps = taper_schedule(start_dose=100, target_dose=50, start=START)
    rows = adherence(
        steps,
        100,
        [(date(2026, 1, 10), 90), (date(2026, 2, 10), 70), (date(2026, 3, 10), 90)],
    )
    assert [r["status"] for r in rows] == [ON_PLAN, FASTER, SLOWER]
    assert rows[0]["planned"] == 90.0


@given(
    st.integers(min_value=10, max_value=400),
    st.floats(min_value=1, max_value=25),
    st.sampled_from(["current", "starting"]),
)
def test_every_schedule_falls_steadily_to_its_target(start, percent, of):
    target = start // 4
    steps = taper_schedule(
        start_dose=start, target_dose=target, start=START, percent=percent, of=of
    )
    assert steps[-1].dose_after == target
    for s in steps:
        assert s.dose_after < s.dose_before
        base = s.dose_before if of == "current" else start
        allowed = max(base * percent / 100, 0.5)
        if s is steps[-1]:
            allowed += 0.5  # the last step goes to the target rather than leave a sliver
        assert s.dose_before - s.dose_after <= allowed + 1e-9


def test_oxycodone_doses_are_the_ome_over_its_factor_rounded_to_whole_5_mg_tablets():
    # CDC 2022, oxycodone x 1.5: 54 mg oral morphine = 36 mg oxycodone -> 35 (7 x 5 mg tablets,
    # the clinic's rounding rule); 52.5 = 35 exactly.
    strengths = PRODUCTS["oxycodone_oral"].strengths
    assert opioid_dose(54, 1.5, strengths) == OpioidDose(36.0, 35.0, 5.0)
    assert opioid_dose(52.5, 1.5, strengths).practical == 35.0
    assert opioid_dose(56.25, 1.5, strengths).practical == 40.0  # 37.5 mg: halves round up
    # Opioids Aware, codeine x 0.1: 24 mg oral morphine = 240 mg codeine = 16 x 15 mg tablets
    assert opioid_dose(24, 0.1, PRODUCTS["codeine_oral"].strengths).practical == 240.0
    # No tablet strengths known (oxycodone with naloxone): one decimal
    assert opioid_dose(48.6, 1.5, PRODUCTS["oxycodone_naloxone"].strengths) == OpioidDose(
        32.4, 32.4, None
    )
