"""DASS-21 (instruments.md §24): subscales x 2, Lovibond bands, no total."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import scored, unscorable

DEPRESSION = (3, 5, 10, 13, 16, 17, 21)
ANXIETY = (2, 4, 7, 9, 15, 19, 20)
STRESS = (1, 6, 8, 11, 12, 14, 18)


def answers(
    dep: list[int | None], anx: list[int | None], stress: list[int | None]
) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for items, values in ((DEPRESSION, dep), (ANXIETY, anx), (STRESS, stress)):
        out.update({str(n): v for n, v in zip(items, values, strict=True)})
    return out


def test_worked_example() -> None:
    result = scored(
        score(
            "dass21", answers([2, 1, 3, 0, 1, 2, 1], [1, 0, 0, 1, 2, 0, 1], [2, 2, 1, 3, 2, 1, 2])
        )
    )
    assert result.subscales == {
        "depression": (2 + 1 + 3 + 0 + 1 + 2 + 1) * 2,  # 20
        "anxiety": (1 + 0 + 0 + 1 + 2 + 0 + 1) * 2,  # 10
        "stress": (2 + 2 + 1 + 3 + 2 + 1 + 2) * 2,  # 26
    }
    assert {k: b.name for k, b in result.bands.items()} == {
        "depression": "moderate", "anxiety": "moderate", "stress": "severe",
    }  # fmt: skip
    assert result.total is None


def spread(total_raw: int) -> list[int | None]:
    values, remaining = [], total_raw
    for _ in range(7):
        values.append(min(3, remaining))
        remaining -= values[-1]
    return values


@pytest.mark.parametrize(
    ("scale", "raw", "band"),
    [
        # depression cut-offs 10 / 14 / 21 / 28 (DASS-42 metric, even values either side)
        ("depression", 4, "normal"), ("depression", 5, "mild"), ("depression", 6, "mild"),
        ("depression", 7, "moderate"), ("depression", 10, "moderate"), ("depression", 11, "severe"),
        ("depression", 13, "severe"), ("depression", 14, "extremely_severe"),
        # anxiety 8 / 10 / 15 / 20
        ("anxiety", 3, "normal"), ("anxiety", 4, "mild"), ("anxiety", 5, "moderate"), ("anxiety", 7, "moderate"),
        ("anxiety", 8, "severe"), ("anxiety", 9, "severe"), ("anxiety", 10, "extremely_severe"),
        # stress 15 / 19 / 26 / 34
        ("stress", 7, "normal"), ("stress", 8, "mild"), ("stress", 9, "mild"), ("stress", 10, "moderate"),
        ("stress", 12, "moderate"), ("stress", 13, "severe"), ("stress", 16, "severe"), ("stress", 17, "extremely_severe"),
    ],
)  # fmt: skip
def test_lovibond_bands_both_sides(scale: str, raw: int, band: str) -> None:
    zero: list[int | None] = [0] * 7
    parts = {"depression": zero, "anxiety": zero, "stress": zero, scale: spread(raw)}
    result = scored(
        score("dass21", answers(parts["depression"], parts["anxiety"], parts["stress"]))
    )
    assert result.subscales[scale] == raw * 2
    assert result.bands[scale].name == band


def test_one_missing_item_per_subscale_is_prorated() -> None:
    result = scored(score("dass21", answers([2, 1, 3, 0, 1, 2, None], [0] * 7, [0] * 7)))
    assert result.subscales["depression"] == pytest.approx(
        (2 + 1 + 3 + 0 + 1 + 2) / 6 * 7 * 2
    )  # 21.0
    assert result.bands["depression"].name == "severe"


def test_fractional_prorated_score_falls_in_one_band() -> None:
    result = scored(score("dass21", answers([0] * 7, [1, 1, 1, 0, 0, 0, None], [0] * 7)))
    assert result.subscales["anxiety"] == 3 / 6 * 7 * 2  # 7.0 -> normal (< 8)
    result = scored(score("dass21", answers([0] * 7, [1, 1, 1, 1, 0, 0, None], [0] * 7)))
    assert result.subscales["anxiety"] == pytest.approx(4 / 6 * 7 * 2)  # 9.33 -> mild (8 to < 10)
    assert result.bands["anxiety"].name == "mild"


def test_two_missing_in_one_subscale_leaves_the_others() -> None:
    result = scored(score("dass21", answers([2, 1, 3, 0, 1, None, None], [1] * 7, [1] * 7)))
    assert "depression" not in result.subscales
    assert result.unscorable_parts["depression"] == (
        "DASS-21 depression cannot be scored: 2 items unanswered (17, 21); at most 1 may be missing."
    )
    assert result.subscales["anxiety"] == 14


def test_nothing_answered_and_change_rule() -> None:
    assert unscorable(score("dass21", {})).reason.startswith(
        "DASS-21 cannot be scored. Depression:"
    )
    rule = get("dass21").change[0]
    assert (rule.points, rule.requires_band_change) == (5, True)
