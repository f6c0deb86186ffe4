"""Alternating-treatments design (ATD): the randomized condition sequence and its test.

Pure: stdlib and numpy only, no Django.

The reference is SCRT's ATD design (Bulté & Onghena 2008; ``assignments(design = "ATD", MT,
limit)`` and ``pvalue.systematic(design = "ATD", statistic = "B-A", limit)``):

* The admissible sequences are every ordering of the sessions' conditions with the same number
  of A and B sessions as planned and no run of one condition longer than ``limit`` sessions
  (SCRT: N/2 A and N/2 B; 1,296 sequences for N = 16 and limit 2, shared/reference/sced.md
  §2.13). Unequal counts are allowed here (the reference set keeps the planned counts); with equal
  counts the set is exactly SCRT's.
* The statistic is the mean difference oriented to improvement: mean(B) − mean(A) when higher is
  better (SCRT "B-A"), mean(A) − mean(B) when lower is better ("A-B"). Missing sessions keep their
  place in the sequence and are left out of the means (SCRT's ``mean(na.rm = TRUE)``).
* p = #{admissible sequences with T ≥ T_obs} / #admissible, the observed sequence included.
  Ties are counted with the same tolerance as the other designs (randomization.TIE_TOLERANCE).
* SCRT enumerates only for N ≤ 20 sessions and samples sequences otherwise; here the set is
  enumerated exactly whenever it has at most ``exact_limit`` members (counted exactly by dynamic
  programming, as Python integers) and sampled uniformly otherwise (Monte Carlo with the observed
  sequence added, p = (count + 1)/(n_random + 1), as in randomization.randomization_test).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from sced.stats.randomization import (
    DEFAULT_N_RANDOM,
    ERR_IMPROVEMENT,
    ERR_SEED,
    EXACT_LIMIT,
    TIE_TOLERANCE,
    Improvement,
    Method,
    RandomizationResult,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

CONDITIONS = ("A", "B")

# The exact count and the uniform draw recurse once per session. 200 sessions is far beyond any
# alternating-treatments study a clinic runs (the study limit is checked again by sced.limits).
MAX_SESSIONS = 200
ERR_TOO_MANY = "An alternating-treatments sequence can have at most {max} sessions (got {n})."

ERR_CONDITION = "Each session's condition must be A or B (session {session} is {got!r})."
ERR_MAX_RUN = (
    "The largest number of consecutive sessions of one condition must be at least 1 (got {k})."
)
ERR_BOTH = "An alternating-treatments comparison needs at least one A and one B session."
ERR_RUN = (
    "The sequence has {run} consecutive {condition} sessions from session {start}, more than the "
    "{k} declared before data collection; the randomization test is only valid for a sequence "
    "drawn under that rule."
)
ERR_LENGTH = "There are {n_values} values for {n_sessions} sessions; give one value per session."
ERR_NO_VALUES = "Condition {condition} has no recorded value, so the means cannot be compared."
ERR_EMPTY_SET = "No sequence of {n_a} A and {n_b} B sessions keeps every run at {k} or fewer."


@dataclass(frozen=True)
class AtdPlan:
    """The sequence drawn before data collection, with what it was drawn from (store all of it)."""

    sequence: tuple[str, ...]
    seed: int
    max_consecutive: int
    n_admissible: int


def _check_max_run(max_consecutive: int) -> None:
    if isinstance(max_consecutive, bool) or not isinstance(max_consecutive, int):
        raise TypeError(ERR_MAX_RUN.format(k=max_consecutive))
    if max_consecutive < 1:
        raise ValueError(ERR_MAX_RUN.format(k=max_consecutive))


def _normalise(sequence: Sequence[str]) -> tuple[str, ...]:
    out = []
    for i, c in enumerate(sequence, start=1):
        label = str(c).strip().upper()
        if label not in CONDITIONS:
            raise ValueError(ERR_CONDITION.format(session=i, got=c))
        out.append(label)
    return tuple(out)


def longest_run(sequence: Sequence[str]) -> tuple[int, str, int]:
    """(length, condition, first session) of the longest run of one condition (1-based)."""
    best = (0, "", 0)
    run, start = 0, 1
    for i, c in enumerate(sequence, start=1):
        if i > 1 and c == sequence[i - 2]:
            run += 1
        else:
            run, start = 1, i
        if run > best[0]:
            best = (run, c, start)
    return best


def check_sequence(sequence: Sequence[str], *, max_consecutive: int) -> tuple[str, ...]:
    """The sequence as A/B labels, or ValueError saying which run breaks the declared rule."""
    _check_max_run(max_consecutive)
    seq = _normalise(sequence)
    if "A" not in seq or "B" not in seq:
        raise ValueError(ERR_BOTH)
    run, condition, start = longest_run(seq)
    if run > max_consecutive:
        raise ValueError(
            ERR_RUN.format(run=run, condition=condition, start=start, k=max_consecutive)
        )
    return seq


# [condition][a][b] -> count
_Table = tuple[tuple[tuple[int, ...], ...], ...]


def _frozen(table: list[list[list[int]]]) -> _Table:
    return tuple(tuple(tuple(row) for row in by_a) for by_a in table)


@lru_cache(maxsize=16)
def _after_run_tables(k: int) -> tuple[_Table, _Table]:
    """``after[c][a][b]``: the admissible completions with a A's and b B's left right after a
    run of condition ``c`` (0 = A, 1 = B) has ended, so the next session is the other
    condition (1 when nothing is left). Built once per k for up to MAX_SESSIONS of each, with
    prefix sums, in O(MAX_SESSIONS²) exact integer additions (a recursion memoised in a small
    cache thrashed: k = 5 over 200 sessions took over half a minute).
    """
    n = MAX_SESSIONS
    # start[c][a][b]: orderings of a A's and b B's that begin with a run of c (runs <= k).
    after = [[[0] * (n + 1) for _ in range(n + 1)] for _ in range(2)]
    start = [[[0] * (n + 1) for _ in range(n + 1)] for _ in range(2)]
    for total in range(n + 1):
        for a in range(total + 1):
            b = total - a
            if total == 0:
                after[0][0][0] = after[1][0][0] = 1
                continue
            # a run of A of length r = 1..min(k, a), then the completions after an A run
            start[0][a][b] = sum(after[0][a - r][b] for r in range(1, min(k, a) + 1))
            start[1][a][b] = sum(after[1][a][b - r] for r in range(1, min(k, b) + 1))
            after[0][a][b] = start[1][a][b]
            after[1][a][b] = start[0][a][b]
    return _frozen(after), _frozen(start)


def _completions(n_a: int, n_b: int, last: int, run: int, k: int) -> int:
    """How many ways to place n_a more A's and n_b more B's after a run of ``run`` × ``last``.

    ``last`` is 0 for A, 1 for B, -1 at the start. Exact Python integers (no overflow).
    """
    if n_a == 0 and n_b == 0:
        return 1
    k = min(k, MAX_SESSIONS)
    after, start = _after_run_tables(k)
    if last == -1:
        return start[0][n_a][n_b] + start[1][n_a][n_b]
    if last == 0:  # end the A run now, or extend it by e = 1 .. k - run sessions first
        return sum(after[0][n_a - e][n_b] for e in range(min(k - run, n_a) + 1))
    return sum(after[1][n_a][n_b - e] for e in range(min(k - run, n_b) + 1))


def count_admissible(n_a: int, n_b: int, *, max_consecutive: int) -> int:
    """Number of A/B orderings with n_a A's, n_b B's and no run longer than ``max_consecutive``."""
    _check_max_run(max_consecutive)
    if n_a < 0 or n_b < 0:
        raise ValueError("Session counts cannot be negative.")
    if n_a + n_b > MAX_SESSIONS:
        raise ValueError(ERR_TOO_MANY.format(max=MAX_SESSIONS, n=n_a + n_b))
    return _completions(n_a, n_b, -1, 0, max_consecutive)


def iter_admissible(n_a: int, n_b: int, *, max_consecutive: int) -> Iterator[tuple[str, ...]]:
    """Every admissible sequence, in lexicographic order (A before B)."""
    _check_max_run(max_consecutive)
    k = max_consecutive
    prefix: list[str] = []

    def walk(a: int, b: int, last: int, run: int) -> Iterator[tuple[str, ...]]:
        if a == 0 and b == 0:
            yield tuple(prefix)
            return
        for cond, code in (("A", 0), ("B", 1)):
            left = a if code == 0 else b
            if left == 0 or (last == code and run >= k):
                continue
            prefix.append(cond)
            yield from walk(a - (code == 0), b - (code == 1), code, run + 1 if last == code else 1)
            prefix.pop()

    yield from walk(n_a, n_b, -1, 0)


def _admissible_matrix(n_a: int, n_b: int, k: int) -> npt.NDArray[np.bool_]:
    """All admissible sequences as a boolean matrix (True = B), one row per sequence."""
    rows = [[c == "B" for c in seq] for seq in iter_admissible(n_a, n_b, max_consecutive=k)]
    return np.asarray(rows, dtype=bool).reshape(len(rows), n_a + n_b)


def _sample_one(n_a: int, n_b: int, k: int, rng: random.Random) -> list[str]:
    """One sequence drawn uniformly from the admissible set.

    Session by session, A is chosen with probability (admissible completions after A) / (all
    admissible completions), so every admissible sequence has the same probability.
    """
    seq: list[str] = []
    a, b, last, run = n_a, n_b, -1, 0
    while a or b:
        ways_a = (
            _completions(a - 1, b, 0, run + 1 if last == 0 else 1, k)
            if a and not (last == 0 and run >= k)
            else 0
        )
        ways_b = (
            _completions(a, b - 1, 1, run + 1 if last == 1 else 1, k)
            if b and not (last == 1 and run >= k)
            else 0
        )
        if rng.random() * (ways_a + ways_b) < ways_a:
            seq.append("A")
            run = run + 1 if last == 0 else 1
            last, a = 0, a - 1
        else:
            seq.append("B")
            run = run + 1 if last == 1 else 1
            last, b = 1, b - 1
    return seq


def draw_sequence(
    n_sessions: int, *, max_consecutive: int, seed: int, n_a: int | None = None
) -> AtdPlan:
    """Draw the condition sequence before data collection, reproducibly from ``seed``.

    Equal numbers of A and B sessions unless ``n_a`` says otherwise (an odd ``n_sessions`` then
    needs ``n_a``). Every admissible sequence is equally likely. Uses ``random.Random(seed)``,
    whose ``random()`` stream Python keeps stable across versions, so the plan can be re-derived.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(ERR_SEED.format(seed=seed))
    _check_max_run(max_consecutive)
    if n_a is None:
        if n_sessions % 2:
            raise ValueError(
                f"{n_sessions} sessions cannot be split equally between A and B; "
                "give an even number or say how many A sessions."
            )
        n_a = n_sessions // 2
    n_b = n_sessions - n_a
    if n_a < 1 or n_b < 1:
        raise ValueError(ERR_BOTH)
    n_admissible = count_admissible(n_a, n_b, max_consecutive=max_consecutive)
    if n_admissible == 0:
        raise ValueError(ERR_EMPTY_SET.format(n_a=n_a, n_b=n_b, k=max_consecutive))
    sequence = _sample_one(n_a, n_b, max_consecutive, random.Random(seed))
    return AtdPlan(
        sequence=tuple(sequence),
        seed=seed,
        max_consecutive=max_consecutive,
        n_admissible=n_admissible,
    )


def _oriented_values(values: Sequence[float | None], improvement: str) -> npt.NDArray[np.float64]:
    if improvement not in ("increase", "decrease"):
        raise ValueError(ERR_IMPROVEMENT.format(improvement=improvement))
    x = np.asarray([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    if np.any(np.isinf(x)):
        raise ValueError("Values must be finite numbers.")
    return x if improvement == "increase" else -x


def _mean_differences(
    x: npt.NDArray[np.float64], is_b: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """mean(B) − mean(A) of oriented values for each row of ``is_b``; NaN sessions left out."""
    present = ~np.isnan(x)
    filled = np.where(present, x, 0.0)
    b_mask = is_b & present
    a_mask = ~is_b & present
    n_b = b_mask.sum(axis=1)
    n_a = a_mask.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_b = (b_mask * filled).sum(axis=1) / n_b
        mean_a = (a_mask * filled).sum(axis=1) / n_a
    # A reference sequence with no recorded value in one condition has no statistic: SCRT counts
    # such NaN entries as "at least as extreme" (is.na(distribution) | ...), and so do we.
    difference: npt.NDArray[np.float64] = mean_b - mean_a
    return difference


def atd_randomization_test(
    conditions: Sequence[str],
    values: Sequence[float | None],
    *,
    max_consecutive: int,
    improvement: Improvement,
    method: Method = "auto",
    n_random: int = DEFAULT_N_RANDOM,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
) -> RandomizationResult:
    """Randomization test of an alternating-treatments design (SCRT ``"ATD"``).

    ``conditions`` is the sequence actually run (one A/B per session, in session order),
    ``values`` the measurement of each session (None or NaN for a missed session).
    """
    seq = check_sequence(conditions, max_consecutive=max_consecutive)
    if len(values) != len(seq):
        raise ValueError(ERR_LENGTH.format(n_values=len(values), n_sessions=len(seq)))
    x = _oriented_values(values, improvement)
    observed_b = np.asarray([[c == "B" for c in seq]], dtype=bool)
    for condition, mask in (("A", ~observed_b[0]), ("B", observed_b[0])):
        if not np.any(mask & ~np.isnan(x)):
            raise ValueError(ERR_NO_VALUES.format(condition=condition))
    observed = float(_mean_differences(x, observed_b)[0])

    n_a, n_b = seq.count("A"), seq.count("B")
    n_admissible = count_admissible(n_a, n_b, max_consecutive=max_consecutive)
    if method not in ("auto", "exact", "monte_carlo"):
        raise ValueError(f"Unknown method {method!r}; choose auto, exact or monte_carlo.")
    use_exact = method == "exact" or (method == "auto" and n_admissible <= exact_limit)
    tolerance = TIE_TOLERANCE * max(1.0, abs(observed))

    if use_exact:
        dist = _mean_differences(x, _admissible_matrix(n_a, n_b, max_consecutive))
        count = int(np.sum(np.isnan(dist) | (dist >= observed - tolerance)))
        return RandomizationResult(
            p_value=count / len(dist),
            observed=observed,
            n_assignments=len(dist),
            n_admissible=n_admissible,
            method="exact",
            statistic="mean_difference",
            improvement=improvement,
            design="ATD",
            distribution=tuple(float(v) for v in dist if not math.isnan(v)),
            seed=None,
        )

    if n_random < 1:
        raise ValueError("n_random must be at least 1.")
    rng = random.Random(seed)
    sampled_rows = [
        [c == "B" for c in _sample_one(n_a, n_b, max_consecutive, rng)] for _ in range(n_random)
    ]
    sampled = _mean_differences(x, np.asarray(sampled_rows, dtype=bool))
    count = int(np.sum(np.isnan(sampled) | (sampled >= observed - tolerance)))
    dist = np.concatenate(([observed], sampled[~np.isnan(sampled)]))
    return RandomizationResult(
        p_value=(count + 1) / (n_random + 1),
        observed=observed,
        n_assignments=n_random + 1,
        n_admissible=n_admissible,
        method="monte_carlo",
        statistic="mean_difference",
        improvement=improvement,
        design="ATD",
        distribution=tuple(float(v) for v in dist),
        seed=seed,
    )
