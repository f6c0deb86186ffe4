"""Oswestry Disability Index v2.1a (instruments.md §11)."""

from __future__ import annotations

import pytest

from assessment.instruments import InvalidAnswer, all_instruments, get, score

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
     (31, "very_severe"), (40, "very_severe"), (41, "extreme"), (50, "extreme")],
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


class TestRawSumBesideThePercentage:
    def test_all_ten_sections_16_of_50(self) -> None:
        result = scored(score("odi", numbered(SIXTEEN)))
        assert result.details == {"total": {"raw_sum": 16, "max_possible": 50}}

    def test_one_section_skipped_16_of_45_and_the_note_says_it_was_left_out(self) -> None:
        result = scored(score("odi", numbered([2, 1, 3, 2, 1, 2, 2, None, 1, 2])))
        assert result.details["total"] == {"raw_sum": 16, "max_possible": 45}
        assert result.notes == (
            "ODI: 9 of 10 items answered; missing 8 left out; the percentage is of the most the "
            "answered items could give.",
        )


class TestTwoStatementsMarked:
    """Scoring sheet: "If two statements are marked, record the higher one" (§11 [S:3])."""

    def test_the_higher_of_two_marked_statements_counts(self) -> None:
        answers = {**numbered(SIXTEEN), "3": [1, 3]}  # lifting: statements scored 1 and 3
        result = scored(score("odi", answers))
        assert result.total == 32
        assert result.details["total"]["raw_sum"] == 16
        assert result.notes[0] == (
            "ODI item 3 (Lifting): answers 1 and 3 were marked; the higher (3) counts, as the form says."
        )
        assert any("record the higher one" in source for source in result.sources)

    def test_the_marked_list_may_be_one_answer_or_empty(self) -> None:
        assert scored(score("odi", {**numbered(SIXTEEN), "3": [3]})).total == 32
        assert scored(score("odi", {**numbered(SIXTEEN), "3": [3, 3]})).notes == ()
        skipped = scored(score("odi", {**numbered(SIXTEEN), "3": []}))
        assert skipped.missing_items == ("3",)

    @pytest.mark.parametrize("marked", [[1, 6], [2, "NA"], [2, None], [2, "x"]])
    def test_every_marked_answer_must_be_a_code(self, marked: list[object]) -> None:
        with pytest.raises(InvalidAnswer) as error:
            score("odi", {**numbered(SIXTEEN), "3": marked})
        assert error.value.item == "3"

    def test_instruments_without_the_rule_refuse_a_list(self) -> None:
        with pytest.raises(InvalidAnswer, match="give one answer, not a list"):
            score("tsk11", {"1": [2, 3]})


STIGMATISING = ("crippl", "bed-bound", "bed bound", "exaggerat", "invalid", "malinger", "abnormal")


def test_band_labels_describe_function_and_keep_the_published_cut_offs() -> None:
    bands = get("odi").scores[0].bands
    assert [(b.label, b.min, b.max) for b in bands] == [
        ("Minimal disability", 0, 20),
        ("Moderate disability", 20, 40),
        ("Severe disability", 40, 60),
        ("Very severe disability", 60, 80),
        ("Extreme limitation of function", 80, 100),
    ]


def test_no_band_label_or_source_in_any_definition_blames_the_patient() -> None:
    words = [
        text.lower()
        for instrument in all_instruments()
        for rule in instrument.scores
        for band in rule.bands
        for text in (band.name, band.label, band.source)
    ]
    words += [
        text.lower()
        for instrument in all_instruments()
        if instrument.classification
        for row in instrument.classification.rows
        for text in (row.name, row.label)
    ]
    assert not [text for text in words if any(w in text for w in STIGMATISING)]
