"""Properties every implementation of these indices must have, whatever the data."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sced.stats import nonoverlap as no
from sced.stats import parametric as pa

ratings = st.lists(st.integers(0, 10).map(float), min_size=2, max_size=15)
positive = st.lists(st.floats(0.5, 100, allow_nan=False), min_size=2, max_size=15)


@settings(max_examples=100)
@given(a=ratings, b=ratings)
def test_nap_lies_between_zero_and_one(a: list[float], b: list[float]) -> None:
    res = no.nap(a, b, improvement="increase")
    assert res.estimate is not None
    assert 0 <= res.estimate <= 1
    assert res.ci_lower is not None
    assert res.ci_upper is not None
    assert 0 <= res.ci_lower <= res.estimate <= res.ci_upper <= 1


@settings(max_examples=100)
@given(a=ratings, b=ratings)
def test_reversing_the_direction_mirrors_nap_and_tau(a: list[float], b: list[float]) -> None:
    up = no.nap(a, b, improvement="increase").estimate
    down = no.nap(a, b, improvement="decrease").estimate
    assert up is not None
    assert down is not None
    assert down == pytest.approx(1 - up, abs=1e-12)
    t_up = no.tau(a, b, improvement="increase").estimate
    t_down = no.tau(a, b, improvement="decrease").estimate
    assert t_down == pytest.approx(-(t_up or 0), abs=1e-12)


@settings(max_examples=100)
@given(a=ratings, b=ratings, shift=st.integers(-50, 50).map(float))
def test_adding_a_constant_leaves_non_overlap_unchanged(
    a: list[float], b: list[float], shift: float
) -> None:
    a2, b2 = [x + shift for x in a], [x + shift for x in b]
    for fn in (no.nap, no.pnd, no.pem, no.pand, no.ird, no.tau_u_singlecasees):
        assert fn(a, b, improvement="decrease").estimate == pytest.approx(
            fn(a2, b2, improvement="decrease").estimate, abs=1e-12
        )
    assert no.tau_bc(a, b, improvement="increase").estimate == pytest.approx(
        no.tau_bc(a2, b2, improvement="increase").estimate, abs=1e-12
    )


@settings(max_examples=100)
@given(a=positive, b=positive, factor=st.floats(0.1, 10))
def test_lrr_is_scale_free_only_without_truncation(
    a: list[float], b: list[float], factor: float
) -> None:
    # with scale "other" (no truncation) LRR is a ratio of means: multiplying by c cancels
    kw = {"improvement": "increase", "scale": "other"}
    base = pa.lrri(a, b, **kw)
    scaled = pa.lrri([x * factor for x in a], [x * factor for x in b], **kw)
    assert scaled.estimate == pytest.approx(base.estimate, abs=1e-9)
    assert scaled.se == pytest.approx(base.se, rel=1e-9)


def test_lrr_with_count_truncation_is_not_scale_free_when_a_phase_is_all_zero() -> None:
    # the floor 1/(2Dn) is in the data's units: multiplying both phases by 10 leaves the all-zero
    # baseline at its floor and moves B, so LRRi shifts by ln 10 instead of staying put (P4)
    a, b = [0.0, 0.0, 0.0], [2.0, 3.0, 4.0]
    kw = {"improvement": "increase", "scale": "count"}
    base = pa.lrri(a, b, **kw).estimate
    scaled = pa.lrri([x * 10 for x in a], [x * 10 for x in b], **kw).estimate
    assert base is not None
    assert scaled is not None
    assert scaled - base == pytest.approx(math.log(10), abs=1e-9)


@settings(max_examples=60)
@given(a=ratings, b=ratings)
def test_tau_u_complete_stays_within_minus_one_and_one(a: list[float], b: list[float]) -> None:
    for row, res in no.tau_u_table(a, b, improvement="increase").items():
        if res.estimate is not None:
            assert -1 - 1e-12 <= res.estimate <= 1 + 1e-12, row
