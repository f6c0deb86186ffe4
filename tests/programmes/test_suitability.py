"""Referral suitability rules (issue #6), on plain inputs."""

from programmes.suitability import (
    NOT_ELIGIBLE,
    NOT_READY,
    SUITABLE,
    SUITABLE_WITH_CAUTIONS,
    Screening,
    pmp_suitability,
)


def test_a_ready_54_year_old_is_suitable_for_the_outpatient_programme():
    assert (
        pmp_suitability(Screening(age=54, programme_kind="outpatient", readiness="ready")).decision
        == SUITABLE
    )


def test_under_18s_are_not_eligible_for_any_adult_programme():
    for kind in ("outpatient", "residential", "young_adult"):
        result = pmp_suitability(Screening(age=17, programme_kind=kind, readiness="ready"))
        assert result.decision == NOT_ELIGIBLE
        assert "Under 18" in result.reasons[0]


def test_18_to_30_year_olds_are_flagged_for_the_young_adult_programme():
    result = pmp_suitability(Screening(age=24, programme_kind="outpatient", readiness="ready"))
    assert result.decision == SUITABLE_WITH_CAUTIONS
    assert "young-adult" in result.reasons[0]
    assert (
        pmp_suitability(Screening(age=24, programme_kind="young_adult", readiness="ready")).decision
        == SUITABLE
    )
    assert (
        pmp_suitability(Screening(age=31, programme_kind="outpatient", readiness="ready")).decision
        == SUITABLE
    )


def test_older_age_and_litigation_are_not_exclusions_and_say_so():
    result = pmp_suitability(
        Screening(age=82, programme_kind="outpatient", readiness="ready", litigation_pending=True)
    )
    assert result.decision == SUITABLE
    assert any("not an exclusion" in n and "82" in n for n in result.notes)
    assert any("Litigation" in n for n in result.notes)


def test_cautions_are_listed_and_profound_fatigue_points_to_residential_care():
    result = pmp_suitability(
        Screening(
            age=45,
            programme_kind="outpatient",
            readiness="ready",
            acute_psychiatric_need=True,
            severe_cognitive_impairment=True,
            profound_disability_or_fatigue=True,
            practical_barriers="no transport",
        )
    )
    assert result.decision == SUITABLE_WITH_CAUTIONS
    text = " ".join(result.reasons)
    assert "psychosis" in text
    assert "cognitive" in text
    assert "residential" in text
    assert "no transport" in text


def test_a_patient_not_ready_for_self_management_is_not_ready_yet():
    result = pmp_suitability(Screening(age=40, programme_kind="outpatient", readiness="not_ready"))
    assert result.decision == NOT_READY
