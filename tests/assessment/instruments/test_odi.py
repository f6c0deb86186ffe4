"""Oswestry Disability Index v2.1a (instruments.md §11)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import numbered, scored, unscorable

SIXTEEN = [2, 1, 3, 2, 1, 2, 2, 0, 1, 2]  # sums to 16


def test_all_ten_sections_16_of_50_is_32_percent() -> None:
    assert sum(SIXTEEN) == 16
    result = scored(score("odi", numbered(SIXTEEN)))
    assert result.total == 16 / 50 * 100 == 32
    assert result.band.name == "moderate"


def test_one_section_missed_16_of_45_is_35_56_percent_not_truncated() -> None:
    answers = numbered([2, 1, 3, 2, 1, 2, 2, None, 1, 2])
    result = scored(score("odi", answers))
    assert result.total == pytest.approx(16 / 45 * 100)
    assert round(result.total, 2) == 35.56


def test_not_applicable_section_is_left_out_of_the_denominator() -> None:
    answers = numbered([2, 1, 3, 2, 1, 2, 2, "NA", 1, 2])
    assert scored(score("odi", answers)).total == pytest.approx(16 / 45 * 100)


def test_two_sections_missing_is_past_the_policy_limit() -> None:
    result = unscorable(score("odi", numbered([2, 1, 3, 2, 1, 2, 2, "NA", None, 2])))
    assert result.reason == (
        "ODI cannot be scored: 2 items unanswered or marked 'does not apply' (8, 9); at most 1 may be missing."
    )


def with_sum(total: int) -> dict[str, int]:
    values, remaining = [], total
    for _ in range(10):
        values.append(min(5, remaining))
        remaining -= values[-1]
    return numbered(values)


@pytest.mark.parametrize(
    ("raw", "band"),
    [(0, "minimal"), (10, "minimal"), (11, "moderate"), (20, "moderate"), (21, "severe"), (30, "severe"),
     (31, "crippled"), (40, "crippled"), (41, "bed_bound"), (50, "bed_bound")],
)  # fmt: skip
def test_bands_both_sides_of_every_cut_off(raw: int, band: str) -> None:
    result = scored(score("odi", with_sum(raw)))
    assert (result.total, result.band.name) == (raw * 2, band)


@pytest.mark.parametrize(("raw", "band"), [(9, "minimal"), (10, "moderate")])
def test_percentages_between_printed_bands(raw: int, band: str) -> None:
    answers = {**with_sum(raw), "10": None}  # 9 sections: 9/45 = 20%, 10/45 = 22.2%
    assert with_sum(raw)["10"] == 0
    result = scored(score("odi", answers))
    assert result.total == pytest.approx(raw / 45 * 100)
    assert result.band.name == band


def test_restricted_and_policy_recorded() -> None:
    odi = get("odi")
    assert odi.licence.status == "restricted"
    assert odi.scores[0].missing.evidence == "policy"
    assert {r.id: (r.points, r.percent) for r in odi.change}["mic"] == (10, 30)
