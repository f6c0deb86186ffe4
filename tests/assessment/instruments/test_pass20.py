"""PASS-20 (instruments.md §16)."""

from __future__ import annotations

from assessment.instruments import get, score

from .support import numbered, scored, unscorable

RAW = [3, 2, 4, 1, 5, 2, 2, 3, 1, 0, 4, 4, 3, 2, 1, 0, 1, 2, 0, 5]


def test_worked_example() -> None:
    result = scored(score("pass20", numbered(RAW)))
    assert result.subscales == {
        "cognitive": 3 + 2 + 4 + 1 + 5,  # 15
        "escape_avoidance": 2 + 2 + 3 + 1 + 0,  # 8
        "fear": 4 + 4 + 3 + 2 + 1,  # 14
        "physiological": 0 + 1 + 2 + 0 + 5,  # 8
    }
    assert result.total == sum(RAW) == 45


def test_range_and_missing() -> None:
    assert scored(score("pass20", numbered([5] * 20))).total == 100
    assert unscorable(score("pass20", numbered(RAW[:19]))).reason.endswith(
        "(20); at most 0 may be missing."
    )


def test_norms() -> None:
    norms = {n.score: (n.mean, n.sd, n.n) for n in get("pass20").norms}
    assert norms["total"] == (38.62, 20.38, 282)
    assert norms["fear"] == (7.37, 6.38, 282)
