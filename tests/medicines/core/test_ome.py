"""Daily OME worked by hand from each table (shared/reference/medication.md §1-§3).

Every test names its table: CDC 2022 (MMWR 71(RR-3), via the CDC opioid CDS IG) or the FPM
Opioids Aware table reviewed August 2020.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medicines.core.ome import (
    AS_NEEDED,
    Medication,
    MedicationInputError,
    daily_ome,
    medication_from_dict,
    ome_payload,
)
from medicines.core.products import CDC2022, OPIOIDS_AWARE, PRODUCTS

CDC, OA = CDC2022, OPIOIDS_AWARE


def med(product, strength, doses=None, units=1, **kw) -> Medication:
    return Medication(
        product=product, strength=strength, units_per_dose=units, doses_per_day=doses, **kw
    )


def total(meds, table) -> float:
    return round(daily_ome(meds, table).total, 1)


@pytest.mark.parametrize(
    ("table", "expected"),
    [(CDC, 30.0), (OA, 30.0)],  # 10 mg x 2 = 20 mg/day x 1.5, both tables
)
def test_oxycodone_10mg_twice_a_day_both_tables(table, expected):
    result = daily_ome([med("oxycodone_oral", 10, 2)], table)
    assert round(result.total, 1) == expected
    line = result.lines[0]
    assert (line.factor, line.dose_per_day, line.ome) == (1.5, 20, 30)


def test_codeine_differs_between_the_tables():
    # Two 30 mg tablets four times a day = 240 mg/day: CDC 2022 x0.15 = 36; Opioids Aware x0.1 = 24.
    codeine = [med("codeine_oral", 30, 4, units=2)]
    assert total(codeine, CDC) == 36.0
    assert total(codeine, OA) == 24.0


def test_tramadol_differs_between_the_tables():
    # 50 mg four times a day = 200 mg/day: CDC 2022 x0.2 = 40; Opioids Aware x0.1 = 20.
    assert total([med("tramadol_oral", 50, 4)], CDC) == 40.0
    assert total([med("tramadol_oral", 50, 4)], OA) == 20.0


def test_combination_product_counts_the_opioid_only_cdc2022():
    # The CDC 2022 IG's own example: hydrocodone 5 mg/paracetamol 325 mg four times a day = 20 MME.
    result = daily_ome([med("hydrocodone_paracetamol", 5, 4)], CDC)
    assert round(result.total, 1) == 20.0
    assert "paracetamol" in PRODUCTS["hydrocodone_paracetamol"].other_ingredients


def test_co_codamol_opioids_aware():
    # Co-codamol 30/500, two tablets four times a day: codeine 240 mg/day x0.1 = 24 (Opioids Aware).
    assert total([med("co_codamol", 30, 4, units=2)], OA) == 24.0


def test_fentanyl_patch_cdc2022_is_rate_times_2_4_never_times_24():
    # 25 µg/h x 2.4 = 60 MME/day (CDC 2022); 1 patch worn, not x24 hours or x3 wear days.
    result = daily_ome([med("fentanyl_patch", 25)], CDC)
    assert round(result.total, 1) == 60.0
    assert total([med("fentanyl_patch", 12)], CDC) == 28.8


def test_fentanyl_patch_opioids_aware_uses_its_fixed_equivalences():
    # Opioids Aware: 12 µg/h = 30 mg (not 28.8), 50 = 120; two 25 µg/h patches = 120.
    assert total([med("fentanyl_patch", 12)], OA) == 30.0
    assert total([med("fentanyl_patch", 50)], OA) == 120.0
    assert total([med("fentanyl_patch", 25, units=2)], OA) == 120.0


def test_a_patch_strength_the_opioids_aware_table_does_not_list_cannot_compute():
    result = daily_ome([med("fentanyl_patch", 37)], OA)
    assert result.lines[0].ome is None
    assert "12, 25, 50, 75, 100" in result.lines[0].cannot_compute
    assert result.incomplete


def test_buprenorphine_patch_cdc2022_cannot_compute_never_zero():
    result = daily_ome([med("buprenorphine_patch", 10), med("morphine_oral", 30, 2)], CDC)
    bup = result.lines[0]
    assert bup.ome is None
    assert bup.ome != 0
    assert "excludes buprenorphine" in bup.cannot_compute
    assert round(result.total, 1) == 60.0  # morphine alone, and the result says it is incomplete
    assert result.incomplete
    assert any(w["kind"] == "cannot_compute" for w in result.warnings)
    assert result.as_dict()["lines"][0]["ome"] is None


def test_buprenorphine_patch_opioids_aware():
    # Opioids Aware: 10 µg/h = 24 mg/day; 52.5 µg/h = 126.
    assert total([med("buprenorphine_patch", 10)], OA) == 24.0
    assert total([med("buprenorphine_patch", 52.5)], OA) == 126.0


def test_methadone_cdc2022_shows_the_figure_with_its_warning():
    # 10 mg twice a day = 20 mg/day x4.7 = 94 MME (CDC 2022), crossing 50 and 90.
    result = daily_ome([med("methadone_oral", 10, 2)], CDC)
    assert round(result.total, 1) == 94.0
    assert any(w["kind"] == "methadone" for w in result.warnings)
    assert result.thresholds_crossed == [50, 90]


def test_methadone_opioids_aware_cannot_compute_and_still_warns():
    result = daily_ome([med("methadone_oral", 10, 2)], OA)
    assert result.lines[0].ome is None
    assert "specialist" in result.lines[0].cannot_compute
    assert any(w["kind"] == "methadone" for w in result.warnings)


def test_dihydrocodeine_is_in_opioids_aware_only():
    # 30 mg four times a day = 120 mg/day: Opioids Aware x0.1 = 12; not in the CDC 2022 table.
    assert total([med("dihydrocodeine_oral", 30, 4)], OA) == 12.0
    assert daily_ome([med("dihydrocodeine_oral", 30, 4)], CDC).lines[0].ome is None


def test_as_needed_counts_the_prescribed_maximum_and_reports_the_average_apart():
    # Oxycodone 5 mg up to 4 times a day, taken about twice (CDC 2022 and Opioids Aware: x1.5).
    prn = med(
        "oxycodone_oral", 5, max_doses_per_day=4, reported_doses_per_day=2, frequency=AS_NEEDED
    )
    regular = med("morphine_oral", 30, 2)
    for table in (CDC, OA):
        result = daily_ome([regular, prn], table)
        assert result.lines[1].ome == 30.0  # 20 mg/day maximum
        assert result.lines[1].ome_reported == 15.0
        assert round(result.total, 1) == 90.0  # regular 60 + maximum 30
        assert result.total_reported == 75.0  # regular 60 + reported 15


def test_thresholds_cdc2022_50_and_90():
    assert daily_ome([med("morphine_oral", 20, 2)], CDC).thresholds_crossed == []
    r50 = daily_ome([med("morphine_oral", 25, 2)], CDC)
    assert r50.thresholds_crossed == [50]
    assert r50.naloxone_indicated
    assert daily_ome([med("oxycodone_oral", 30, 2)], CDC).thresholds_crossed == [50, 90]


def test_threshold_opioids_aware_120():
    # Oxycodone 40 mg twice a day = 80 mg/day x1.5 = 120 mg (Opioids Aware): at the threshold.
    assert daily_ome([med("oxycodone_oral", 40, 2)], OA).thresholds_crossed == [120]
    assert daily_ome([med("oxycodone_oral", 35, 2)], OA).thresholds_crossed == []


def test_every_result_names_its_table_and_version():
    for table in (CDC, OA):
        payload = daily_ome([med("morphine_oral", 10, 2)], table).as_dict()
        assert payload["table"] == table
        assert payload["table_version"]


# --- bad input names the field ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        (
            {"product": "oxycodone_oral", "strength": 10, "unit": "µg/h", "doses_per_day": 2},
            "medications[0].unit",
            "does not fit",
        ),
        (
            {"product": "fentanyl_patch", "strength": 25, "unit": "mg"},
            "medications[0].unit",
            "µg/h",
        ),
        (
            {"product": "oxycodone_oral", "strength": 5000, "doses_per_day": 2},
            "medications[0].strength",
            "plausible",
        ),
        ({"product": "oxycodone_oral", "strength": 10}, "medications[0].doses_per_day", "required"),
        (
            {"product": "oxycodone_oral", "strength": 10, "frequency": "as_needed"},
            "medications[0].max_doses_per_day",
            "maximum",
        ),
        ({"product": "nope", "strength": 1}, "medications[0].product", "unknown"),
        ({"name": "Oxycodone 10 mg"}, "medications[0].product", "opioid"),
        (
            {"product": "oxycodone_oral", "strength": "ten", "doses_per_day": 2},
            "medications[0].strength",
            "number",
        ),
    ],
)
def test_bad_input_names_the_field(line, field, words):
    with pytest.raises(MedicationInputError) as caught:
        ome_payload({"medications": [line]})
    assert caught.value.field == field
    assert words in caught.value.message


def test_free_text_non_opioid_is_kept_apart_from_the_ome():
    result = ome_payload(
        [{"product": "oxycodone_oral", "strength": 10, "doses_per_day": 2}, {"name": "Pregabalin"}]
    )
    assert result["other_medications"] == ["Pregabalin"]
    assert result["total_ome"] == 30.0
    assert result["co_prescriptions"][0]["class"] == "gabapentinoid"


# --- properties --------------------------------------------------------------------------------

COMPUTABLE = ["morphine_oral", "oxycodone_oral", "codeine_oral", "tramadol_oral", "tapentadol_oral"]
lines = st.builds(
    lambda p, s, d: med(p, s, d),
    st.sampled_from(COMPUTABLE),
    st.integers(min_value=1, max_value=60).map(float),
    st.integers(min_value=1, max_value=6).map(float),
)
tables = st.sampled_from([CDC, OA])


@given(st.lists(lines, max_size=6), st.lists(lines, max_size=6), tables)
def test_ome_is_additive_over_medications(a, b, table):
    assert daily_ome(a + b, table).total == pytest.approx(
        daily_ome(a, table).total + daily_ome(b, table).total
    )


@given(st.lists(lines, min_size=1, max_size=6), st.sampled_from([0.5, 2.0, 3.0]), tables)
def test_scaling_the_dose_scales_the_ome(meds, k, table):
    assert daily_ome([m.scaled(k) for m in meds], table).total == pytest.approx(
        k * daily_ome(meds, table).total
    )


@given(st.lists(lines, max_size=6), tables)
def test_parsing_round_trip_keeps_the_figure(meds, table):
    parsed = [
        medication_from_dict(
            {"product": m.product, "strength": m.strength, "doses_per_day": m.doses_per_day}
        )
        for m in meds
    ]
    assert daily_ome(parsed, table).total == pytest.approx(daily_ome(meds, table).total)
