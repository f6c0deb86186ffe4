"""Reliable-change counting for cohort outcomes (Jacobson & Truax, instruments.md §23)."""

import pytest

from programmes.outcomes import (
    NO_RELIABLE_CHANGE,
    NOT_AVAILABLE,
    RELIABLY_DETERIORATED,
    RELIABLY_IMPROVED,
    MeasureSpec,
    cohort_counts,
    count_changes,
    deterioration_beside_published,
    participant_change,
)

# SD 10, r = .84: SE = 4, S_diff = 4·√2 = 5.657; reliable change needs |Δ| > 11.09 points.
PSEQ = MeasureSpec("pseq", "PSEQ", "higher_is_better", sd=10.0, reliability=0.84)
PCS = MeasureSpec("pcs", "PCS", "higher_is_worse", sd=10.0, reliability=0.84)


def test_participant_change_follows_the_direction_of_the_measure():
    assert participant_change(PSEQ, 20, 32).classification == RELIABLY_IMPROVED
    assert participant_change(PSEQ, 20, 31).classification == NO_RELIABLE_CHANGE
    assert participant_change(PCS, 20, 32).classification == RELIABLY_DETERIORATED
    assert participant_change(PCS, 32, 20).classification == RELIABLY_IMPROVED
    assert participant_change(PSEQ, 20, 32).rc == pytest.approx(12 / (10 * 2**0.5 * 0.4))


def test_missing_scores_or_parameters_are_not_available_never_guessed():
    assert participant_change(PSEQ, None, 30).classification == NOT_AVAILABLE
    no_params = MeasureSpec("bpi", "BPI", "higher_is_worse", sd=None, reliability=None)
    assert participant_change(no_params, 5, 1).classification == NOT_AVAILABLE


def test_cohort_counts_and_rates_exclude_participants_without_both_scores():
    pairs = [(20, 40), (20, 35), (20, 25), (30, 10), (20, None)]
    counts = cohort_counts(PSEQ, pairs)
    assert (counts.improved, counts.no_change, counts.deteriorated, counts.not_available) == (
        2,
        1,
        1,
        1,
    )
    rate = counts.rate(RELIABLY_IMPROVED)
    assert (rate.successes, rate.n, rate.value) == (2, 4, 0.5)
    assert rate.low == pytest.approx(0.1500, abs=1e-4)
    assert rate.high == pytest.approx(0.8500, abs=1e-4)
    assert rate.warning == "n = 4: too few to read anything into."


def test_deterioration_is_placed_beside_the_published_range():
    assert "above the published 0–3.4%" in deterioration_beside_published(
        count_changes([RELIABLY_DETERIORATED] + [RELIABLY_IMPROVED] * 9)
    )
    assert "within the published" in deterioration_beside_published(
        count_changes([RELIABLY_IMPROVED] * 30)
    )
