"""Dose and the cohort standards check (≥12 half-days / 36 h; doctor, psychologist, physio)."""

from programmes.standards import SessionInput, dose, programme_input, standards_check

AM = SessionInput("am", 3.0)


def test_twelve_half_days_of_three_hours_meet_the_input_standard():
    result = standards_check([AM] * 12, ["doctor", "psychologist", "physiotherapist"])
    assert [r.met for r in result] == [True, True]
    assert result[0].reason.startswith("12 half-days, 36 hours")


def test_eleven_half_days_fall_short_with_the_reason():
    result = standards_check([AM] * 11, ["doctor", "psychologist", "physiotherapist"])[0]
    assert not result.met
    assert result.reason == "Only 11 half-days (needs 12) and 33 hours (needs 36) in the timetable."


def test_full_days_count_twice_and_hours_sessions_by_three_hours():
    assert programme_input([SessionInput("day", 6.0)] * 6) == (12.0, 36.0)
    assert programme_input([SessionInput("hours", 1.5)] * 2) == (1.0, 3.0)
    short_half_days = standards_check([SessionInput("am", 2.5)] * 12, [])[0]
    assert not short_half_days.met
    assert "30 hours (needs 36)" in short_half_days.reason


def test_staff_standard_names_the_missing_discipline():
    result = standards_check([AM] * 12, ["doctor", "physiotherapist", "nurse"])[1]
    assert not result.met
    assert result.reason == "No psychologist on the roster."
    result = standards_check([AM] * 12, ["nurse"])[1]
    assert result.reason == "Missing a doctor, a psychologist and a physiotherapist on the roster."


def test_dose_is_hours_attended_and_their_share_of_the_programme():
    d = dose([AM] * 9, [AM] * 12)
    assert (d.hours_attended, d.hours_offered, d.sessions_attended) == (27.0, 36.0, 9)
    assert d.share == 0.75
    assert dose([], []).share is None
