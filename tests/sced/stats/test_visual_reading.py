"""The visual-analysis panel in words, on hand-made series whose reading a clinician can see by
eye: a clear drop in pain when the treatment starts, a baseline already improving, and a baseline
too variable to call stable."""

from __future__ import annotations

import re

from sced.stats.visual_reading import consistency_across_tiers, visual_analysis

RAW_FLOAT = re.compile(r"\d+\.\d{3,}")


def _ab(a, b):
    return [
        ("A", list(range(1, len(a) + 1)), a),
        ("B", list(range(len(a) + 1, len(a) + len(b) + 1)), b),
    ]


def _all_text(result) -> str:
    parts = list(result["parameters"]) + list(result["reading"]) + list(result["consistency"])
    for row in result["phases"] + result["changes"]:
        parts += [v for v in row.values() if isinstance(v, str)]
    return " ".join(parts)


def test_clear_level_change_reads_as_immediate_improvement_with_little_overlap():
    pain = _ab([7, 8, 7, 7, 8, 7, 8], [3, 2, 3, 2, 3, 2, 3, 2])
    va = visual_analysis(pain, improvement="decrease", value_range=(0, 10), unit="points")
    base, change = va["phases"][0], va["changes"][0]
    assert base["trend"].startswith("flat")
    assert base["variability"].startswith("stable")
    assert change["level"].startswith("better")
    assert change["immediacy"].startswith("an immediate improvement")
    assert change["overlap"].startswith("very little overlap: 100 %")
    assert change["cdc"].startswith("a systematic change: 8 of 8 points")
    # the WWC order: level, trend, variability, then immediacy, overlap, consistency
    assert [line.split(" ")[0].rstrip(":") for line in va["reading"]] == [
        "Level",
        "Trend",
        "Variability",
        "Immediacy",
        "Overlap",
        "Consistency",
    ]
    assert "mean 7.4 points" in va["reading"][0]
    assert not RAW_FLOAT.search(_all_text(va))


def test_baseline_already_improving_is_named_in_the_reading():
    # Pain falls by a point every two days before the treatment and simply goes on falling.
    pain = _ab([9, 8.5, 8, 7.5, 7, 6.5, 6], [5.5, 5, 4.5, 4, 3.5, 3, 2.5])
    va = visual_analysis(pain, improvement="decrease", value_range=(0, 10))
    assert va["phases"][0]["trend"] == "improving (straight-line slope -0.50 per session)"
    assert "this trend continuing" in va["reading"][1]
    # the same points read the other way round: higher is better, so the baseline worsens
    worse = visual_analysis(pain, improvement="increase", value_range=(0, 10))
    assert worse["phases"][0]["trend"].startswith("worsening")


def test_highly_variable_baseline_is_called_variable():
    fear = _ab([2, 9, 1, 8, 3, 10, 2], [2, 1, 2, 1, 2, 1, 2])
    va = visual_analysis(fear, improvement="decrease", value_range=(0, 10))
    base = va["phases"][0]
    assert base["stable"] is False
    assert base["variability"].startswith("variable: 14 % of points within ±25 %")
    assert "harder to see" in va["reading"][2]
    assert va["changes"][0]["variability"].startswith("less variable")


def test_abab_consistency_across_like_phases_and_withdrawal_wording():
    s = [6, 6, 7, 6], [2, 3, 2, 2], [6, 7, 6, 6], [2, 2, 3, 2]
    sessions, start = [], 1
    for vals in s:
        sessions.append(list(range(start, start + len(vals))))
        start += len(vals)
    va = visual_analysis(
        list(zip("ABAB", sessions, s, strict=True)), improvement="decrease", value_range=(0, 10)
    )
    assert [c["title"] for c in va["changes"]] == ["A1 to B1", "B1 to A2", "A2 to B2"]
    assert va["changes"][1]["withdrawal"] is True
    assert "cdc" not in va["changes"][1]
    assert va["consistency"][0].startswith("The baseline phases are consistent")
    assert va["consistency"][1].startswith("The intervention phases are consistent")


def test_consistency_across_tiers_needs_every_tier_to_improve():
    assert consistency_across_tiers(
        [("walking", 3.0, 10), ("lifting", 2.5, 10), ("sitting", 2, 10)]
    )[0].startswith("3 of 3 tiers improved when their intervention began: consistent across tiers")
    text = consistency_across_tiers([("walking", 3.0, 10), ("lifting", 0.2, 10)])[0]
    assert text.startswith("1 of 2 tiers improved")
    assert "(not: lifting)" in text
    assert "not consistent" in text


def test_a_unit_that_only_names_the_scale_is_not_written_after_every_number():
    fear = _ab([7, 8, 7, 7, 8, 7], [3, 2, 3, 2])
    rating = visual_analysis(fear, improvement="decrease", value_range=(0, 10), unit="0-10")
    assert rating["phases"][0]["level"] == "mean 7.3, median 7.0"
    walking = visual_analysis(fear, improvement="decrease", value_range=(0, 120), unit="minutes")
    assert walking["phases"][0]["level"] == "mean 7 minutes, median 7 minutes"
    assert walking["changes"][0]["level"] == "about the same (mean change -5 minutes)"
