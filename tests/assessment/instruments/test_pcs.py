"""Pain Catastrophizing Scale (instruments.md §5)."""

from __future__ import annotations

import pytest

from assessment.instruments import get, score

from .support import numbered, scored, unscorable

RAW = [3, 2, 4, 1, 2, 3, 2, 4, 3, 3, 2, 1, 2]  # items 1-13


def item(n: int) -> int:
    return RAW[n - 1]


def test_worked_example_subscales_and_total() -> None:
    result = scored(score("pcs", numbered(RAW)))
    rumination = item(8) + item(9) + item(10) + item(11)  # 4 + 3 + 3 + 2 = 12
    magnification = item(6) + item(7) + item(13)  # 3 + 2 + 2 = 7
    helplessness = item(1) + item(2) + item(3) + item(4) + item(5) + item(12)  # 3+2+4+1+2+1 = 13
    assert result.subscales == {"rumination": 12, "magnification": 7, "helplessness": 13}
    assert (rumination, magnification, helplessness) == (12, 7, 13)
    assert result.total == sum(RAW) == rumination + magnification + helplessness == 32
    assert result.band.name == "clinically_relevant"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (29, "below_cutoff"),
        (30, "clinically_relevant"),
        (52, "clinically_relevant"),
        (0, "below_cutoff"),
    ],
)
def test_cut_off_30_or_above(total: int, band: str) -> None:
    values, remaining = [], total
    for _ in range(13):
        values.append(min(4, remaining))
        remaining -= values[-1]
    result = scored(score("pcs", numbered(values)))
    assert (result.total, result.band.name) == (total, band)


def test_any_missing_item_is_unscorable() -> None:
    raw = list(RAW)
    raw[9] = None
    assert unscorable(score("pcs", numbered(raw))).reason == (
        "PCS cannot be scored: 1 item unanswered (10); at most 0 may be missing."
    )


def test_restricted_licence_and_change_rules() -> None:
    pcs = get("pcs")
    assert pcs.licence.status == "restricted"
    assert not pcs.licence.item_text_bundled
    assert "Mapi" in pcs.licence.holder
    mic = {r.id: r for r in pcs.change}
    assert mic["mic_8"].baseline.contains(30)
    assert not mic["mic_11"].baseline.contains(30)
    assert mic["mic_11"].baseline.contains(31)
    assert mic["percent_38"].percent == 38
    assert {n.score: n.mean for n in pcs.norms} == {
        "total": 29.8,
        "rumination": 10.0,
        "magnification": 5.9,
        "helplessness": 14.1,
    }
