"""The supervisor rating scales on worked examples (competence.md, education.md): CTS-R totals
against the competence mark of 36, the graded-exposure checklist as a share of the elements that
applied, the MITI 4 technical and relational globals against the fair and good marks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from quality import alliance, scales
from quality.scales import ctsr, exposure, miti

CTSR_ITEMS = [str(i) for i in range(1, 13)]


def test_a_ctsr_of_3_on_every_item_is_36_and_reaches_the_competence_mark():
    result = ctsr.score(dict.fromkeys(CTSR_ITEMS, 3))
    assert result.parts["Total"] == 36
    assert result.band == "competent"
    assert result.summary == "36 of 72"


def test_a_ctsr_half_a_point_short_is_below_the_mark_and_names_the_weak_item():
    values = dict.fromkeys(CTSR_ITEMS, 3)
    values["12"] = 2.5  # homework setting
    result = ctsr.score(values)
    assert result.parts["Total"] == 35.5
    assert result.band == "below the competence mark"
    assert result.parts["Items under 3"] == "Homework setting"


def test_a_strong_ctsr_session_worked_example():
    # 5,5,4,4,5 general; 4,5,4,4,3,4,5 specific: 23 + 29 = 52, mean 4.33
    values = dict(zip(CTSR_ITEMS, [5, 5, 4, 4, 5, 4, 5, 4, 4, 3, 4, 5], strict=True))
    result = ctsr.score(values)
    assert result.parts["Total"] == 52
    assert result.parts["Mean per item"] == 4.33
    assert result.parts["Items under 3"] == "none"
    assert result.band == "competent"


@pytest.mark.parametrize(
    ("item", "value"), [("1", 7), ("2", -1), ("3", 2.25), ("4", "a lot"), ("5", None)]
)
def test_a_ctsr_item_off_the_0_to_6_scale_or_missing_is_refused(item, value):
    values = dict.fromkeys(CTSR_ITEMS, 3)
    values[item] = value
    with pytest.raises(scales.InvalidRating):
        ctsr.score(values)


def test_the_exposure_checklist_counts_only_the_elements_that_applied():
    values = dict.fromkeys((i.id for i in exposure.ITEMS), exposure.NOT_APPLICABLE)
    ids = [i.id for i in exposure.ITEMS if i.group == "Exposure"]
    for item_id in ids[:5]:
        values[item_id] = exposure.PRESENT
    values[ids[5]] = exposure.ABSENT  # home practice not agreed
    result = exposure.score(values)
    assert result.parts["Elements present"] == 5
    assert result.parts["Elements that applied"] == 6
    assert result.summary == "5 of 6 elements present (83%)"
    assert result.parts["Exposure"] == "5 of 6"
    assert result.band == ""  # no published pass mark


def test_an_exposure_checklist_where_nothing_applied_cannot_be_scored():
    with pytest.raises(scales.InvalidRating):
        exposure.score(dict.fromkeys((i.id for i in exposure.ITEMS), exposure.NOT_APPLICABLE))


@pytest.mark.parametrize(
    ("cct", "sst", "partnership", "empathy", "technical", "relational", "band"),
    [
        (4, 3, 4, 3, 3.5, 3.5, "fair"),  # both at least fair, neither good
        (4, 4, 5, 4, 4.0, 4.5, "good"),
        (2, 3, 4, 4, 2.5, 4.0, "below fair"),  # technical under 3 pulls the whole below fair
        (3, 3, 3, 4, 3.0, 3.5, "fair"),  # exactly on both fair marks
        (5, 5, 3, 3, 5.0, 3.0, "below fair"),  # relational 3 is under 3.5
    ],
)
def test_miti_globals_on_worked_examples(
    cct, sst, partnership, empathy, technical, relational, band
):
    result = miti.score({"cct": cct, "sst": sst, "partnership": partnership, "empathy": empathy})
    assert result.parts["Technical global"] == technical
    assert result.parts["Relational global"] == relational
    assert result.band == band


@pytest.mark.parametrize("bad", [0, 6, "4.5", "", None, "x"])
def test_a_miti_global_off_the_1_to_5_scale_is_refused(bad):
    with pytest.raises(scales.InvalidRating):
        miti.score({"cct": bad, "sst": 3, "partnership": 3, "empathy": 3})


def test_the_rupture_cue_is_off_without_a_published_reliability_for_the_waisr():
    assert alliance.WAISR_RELIABILITY is None
    assert alliance.smallest_reliable_fall(alliance.WAISR_SD, alliance.WAISR_RELIABILITY) is None
    assert alliance.ruptures([55, 30, 58], None) == []


def test_the_rupture_cue_marks_a_fall_beyond_the_reliable_change_when_it_is_known():
    # SD 10, r 0.8: 1.96 * 10 * sqrt(2) * sqrt(0.2) = 12.40
    smallest = alliance.smallest_reliable_fall(10, 0.8)
    assert smallest == pytest.approx(12.396, abs=0.001)
    assert alliance.ruptures([50, 45, 32, 40, 27], smallest) == [2, 4]


def test_the_scales_and_the_rupture_cue_are_pure():
    root = Path(__file__).resolve().parents[2] / "quality"
    files = [*sorted((root / "scales").glob("*.py")), root / "alliance.py"]
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert not any(
                n.split(".")[0] in {"django", "painclinic", "patients"} for n in names
            ), f"{path.name} imports {names}"
