"""Randomization tests for single-case designs (AB, ABA/ABAB, multiple baseline).

Pure: stdlib and numpy only, no Django.

Conventions (shared/reference/sced.md §2.13; Edgington & Onghena 2007, *Randomization Tests*;
Onghena 1992; Bulté & Onghena 2008):

* A *start point* is the 1-based session number of the first measurement of the new phase, as
  in SCRT's ``starts`` files and scan's ``startpoints``: with start point 7 the baseline is
  sessions 1–6. An AB assignment is one start point, an ABA/ABAB assignment is the tuple of the
  start points of phases 2..k, an MBD assignment is one start point per tier (in tier order).
* The statistic is oriented so that larger = improvement (mean B − A for "increase", A − B for
  "decrease"), and p = #{assignments with T ≥ T_obs} / #assignments with the observed
  assignment in the reference set, so an exact p is a multiple of 1/#assignments and ≥ that.
* Ties are counted with a tolerance, T ≥ T_obs − 1e-9·max(1, |T_obs|), because mathematically
  equal mean differences can differ in their last bits and a plain ``>=`` (SCRT, scan) then
  misses them (sced.md §5 P6; the oracle's ``oracle_randomization_tie_tolerant`` uses the same
  rule).
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

Improvement = Literal["increase", "decrease"]
Statistic = Literal["mean_difference", "phase_means_difference", "nap"]
Method = Literal["auto", "exact", "monte_carlo"]

STATISTICS: tuple[str, ...] = ("mean_difference", "phase_means_difference", "nap")

# Above this many admissible assignments "auto" switches to Monte Carlo. 10^5 assignments are
# still enumerated in well under a second (sced.md §6 asks for ≪ 1 s up to about 10^4).
EXACT_LIMIT = 100_000
DEFAULT_N_RANDOM = 10_000

# Regulated MBD: tier orders are listed (for decoding an index) only up to this many tiers
# (8! = 40,320 orders); larger designs are tested by sampling, never by listing.
_MAX_LISTED_PERMUTATION_TIERS = 8

# Monte Carlo draws an index into the admissible set while it fits numpy's int64 (so a stored
# seed reproduces the same draw as before); past that, each tier is drawn on its own.
_INDEX_DRAW_LIMIT = 2**62

# sced.md §5 P6: relative tolerance for "at least as extreme" (the oracle's 1e-9).
TIE_TOLERANCE = 1e-9

ERR_TOO_SHORT = "{n} measurements cannot hold {k} phases of at least {L} measurements each."
ERR_MIN_LENGTH = "The minimum phase length must be at least 1 (got {L})."
ERR_NOT_ADMISSIBLE = (
    "The actual assignment {actual} is not among the admissible assignments declared before "
    "data collection; the randomization test is only valid for a start point drawn from that set "
    "(sced.md §5 P12)."
)
ERR_EMPTY = "There are no admissible assignments."
ERR_STATISTIC = "Unknown statistic {statistic!r}; choose one of {choices}."
ERR_IMPROVEMENT = "improvement must be 'increase' or 'decrease' (got {improvement!r})."
ERR_START_RANGE = (
    "Start point {start} of tier {tier} is outside 2..{n} (the tier has {n} sessions)."
)
ERR_SHAPE = "Every admissible assignment must have {k} start point(s); got {got}."
ERR_ORDER = "Start points must increase: {starts}."
ERR_TOO_MANY_ORDERS = (
    "{t} tiers have too many orders to enumerate every assignment; use the Monte Carlo method."
)
ERR_SEED = "The seed must be an int (got {seed!r}) so that the draw is reproducible."


# ---------------------------------------------------------------------------------------------
# Admissible assignments
# ---------------------------------------------------------------------------------------------


def _check_min_length(min_phase_length: int) -> None:
    if min_phase_length < 1:
        raise ValueError(ERR_MIN_LENGTH.format(L=min_phase_length))


def admissible_start_points(n_measurements: int, *, min_phase_length: int) -> tuple[int, ...]:
    """AB design: every session where B may start, leaving ≥ L points in each phase.

    B starts at L+1 .. N−L+1, so there are N − 2L + 1 assignments (SCRT ``"AB"`` with
    ``limit = L``; scan ``rand_test(limit = L)``; sced.md §2.13).
    """
    _check_min_length(min_phase_length)
    if n_measurements < 2 * min_phase_length:
        raise ValueError(ERR_TOO_SHORT.format(n=n_measurements, k=2, L=min_phase_length))
    return tuple(range(min_phase_length + 1, n_measurements - min_phase_length + 2))


def admissible_change_points(
    n_measurements: int, *, n_phases: int, min_phase_length: int
) -> tuple[tuple[int, ...], ...]:
    """ABA (3 phases), ABAB (4 phases), …: every tuple of phase start points with each phase ≥ L.

    Count C(N − kL + k − 1, k − 1) for k phases (SCRT ``"ABA"``/``"ABAB"``, sced.md §2.13):
    the N − kL spare sessions are spread over the k phases (stars and bars).
    """
    _check_min_length(min_phase_length)
    if n_phases < 2:
        raise ValueError("A phase-change design needs at least 2 phases.")
    spare = n_measurements - n_phases * min_phase_length
    if spare < 0:
        raise ValueError(ERR_TOO_SHORT.format(n=n_measurements, k=n_phases, L=min_phase_length))
    out: list[tuple[int, ...]] = []
    for bars in itertools.combinations(range(spare + n_phases - 1), n_phases - 1):
        starts: list[int] = []
        session = 1
        previous = -1
        for bar in bars:
            extra = bar - previous - 1  # spare sessions given to the phase before this bar
            session += min_phase_length + extra
            starts.append(session)
            previous = bar
        out.append(tuple(starts))
    return tuple(out)


def admissible_abab_start_points(
    n_measurements: int, *, min_phase_length: int
) -> tuple[tuple[int, ...], ...]:
    """ABAB: start points of B1, A2 and B2 with every phase ≥ L (SCRT ``"ABAB"``)."""
    return admissible_change_points(n_measurements, n_phases=4, min_phase_length=min_phase_length)


class _AssignmentSet(Sequence[tuple[int, ...]]):
    """A lazily indexed set of MBD assignments (can be far too large to list)."""

    n_tiers: int

    @property
    def size(self) -> int:
        """How many assignments, as an exact Python int (``len()`` cannot pass ``sys.maxsize``,
        and a file of 14 or more AB cases already has more assignments than that)."""
        raise NotImplementedError

    def __len__(self) -> int:
        return self.size  # OverflowError past sys.maxsize: callers use ``assignment_count``

    def decode(self, indices: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        """``n`` assignments drawn uniformly with replacement, one row each."""
        raise NotImplementedError

    def as_array(self) -> npt.NDArray[np.int64]:
        """Every assignment, one row each (shape: len × n_tiers)."""
        return self.decode(np.arange(len(self), dtype=np.int64))

    @overload
    def __getitem__(self, index: int) -> tuple[int, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, ...]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        row = self.decode(np.array([index], dtype=np.int64))[0]
        return tuple(int(v) for v in row)

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, tuple | list) or len(value) != self.n_tiers:
            return False
        try:
            target = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            return False
        return self._contains(target)

    def _contains(self, target: tuple[int, ...]) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class IndependentStartPoints(_AssignmentSet):
    """MBD, scan scheme: each tier's start point ranges over its own set, independently.

    Every combination, Π|S_i| assignments; no staggering is enforced and tiers are not permuted
    (scan ``rand_test`` on a multi-case scdf; sced.md §2.13).
    """

    per_tier: tuple[tuple[int, ...], ...]

    @property
    def n_tiers(self) -> int:  # type: ignore[override]
        return len(self.per_tier)

    @property
    def size(self) -> int:
        return math.prod(len(s) for s in self.per_tier)  # Python int: exact at any size

    def _contains(self, target: tuple[int, ...]) -> bool:
        # A product set: the tuple belongs to it when every tier's start point belongs to that
        # tier's set (one set look-up per tier, not a scan of the Π|S_i| combinations).
        return all(v in frozenset(s) for v, s in zip(target, self.per_tier, strict=True))

    def decode(self, indices: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        out = np.empty((len(indices), self.n_tiers), dtype=np.int64)
        rest = np.asarray(indices, dtype=np.int64)
        for t in range(self.n_tiers - 1, -1, -1):  # last tier varies fastest
            options = np.asarray(self.per_tier[t], dtype=np.int64)
            out[:, t] = options[rest % len(options)]
            rest = rest // len(options)
        return out

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        # Uniform over the product = one independent uniform draw per tier.
        out = np.empty((n, self.n_tiers), dtype=np.int64)
        for t, options in enumerate(self.per_tier):
            out[:, t] = np.asarray(options, dtype=np.int64)[rng.integers(0, len(options), size=n)]
        return out


@dataclass(frozen=True, eq=False)
class RegulatedStartPoints(_AssignmentSet):
    """MBD, SCRT scheme (Koehler & Levin 1998 regulated randomization).

    Each start-point set is declared before data collection; an assignment picks one start point
    from every set and assigns the sets to the tiers in any order: Π|S_i| · T! assignments
    (162 for three sets of three points and three tiers). SCRT ``pvalue.systematic("MBD")``
    with a ``starts`` file; sced.md §2.13. Assignments are counted by position in the sets, as
    SCRT does, so overlapping sets count a coinciding tuple more than once.
    """

    start_sets: tuple[tuple[int, ...], ...]
    _perms: tuple[tuple[int, ...], ...] = field(init=False, repr=False)

    @property
    def n_tiers(self) -> int:  # type: ignore[override]
        return len(self.start_sets)

    def __post_init__(self) -> None:
        # The T! tier orders are listed only while small enough to index (decode); membership
        # and sampling never list them.
        perms: tuple[tuple[int, ...], ...] = ()
        if len(self.start_sets) <= _MAX_LISTED_PERMUTATION_TIERS:
            perms = tuple(itertools.permutations(range(len(self.start_sets))))
        object.__setattr__(self, "_perms", perms)

    @property
    def size(self) -> int:
        return math.prod(len(s) for s in self.start_sets) * math.factorial(len(self.start_sets))

    def _contains(self, target: tuple[int, ...]) -> bool:
        # Some order of the sets over the tiers puts every tier's start point in its set: a
        # perfect matching of tiers to sets (augmenting paths, O(T^3) at worst; Kuhn 1955).
        sets = [frozenset(s) for s in self.start_sets]
        owner: list[int | None] = [None] * len(sets)  # set j -> tier

        def place(tier: int, seen: set[int]) -> bool:
            for j, allowed in enumerate(sets):
                if j in seen or target[tier] not in allowed:
                    continue
                seen.add(j)
                current = owner[j]
                if current is None or place(current, seen):
                    owner[j] = tier
                    return True
            return False

        return all(place(t, set()) for t in range(len(target)))

    def sample(self, rng: np.random.Generator, n: int) -> npt.NDArray[np.int64]:
        # Uniform over (one point per set) x (tier order) = independent uniform draws of each.
        chosen = np.empty((n, self.n_tiers), dtype=np.int64)
        for j, options in enumerate(self.start_sets):
            chosen[:, j] = np.asarray(options, dtype=np.int64)[rng.integers(0, len(options), n)]
        perms = np.argsort(rng.random((n, self.n_tiers)), axis=1)
        return np.take_along_axis(chosen, perms, axis=1)

    def decode(self, indices: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        if not self._perms:
            raise ValueError(ERR_TOO_MANY_ORDERS.format(t=self.n_tiers))
        indices = np.asarray(indices, dtype=np.int64)
        n_combos = math.prod(len(s) for s in self.start_sets)
        perm_idx = indices // n_combos
        rest = indices % n_combos
        chosen = np.empty((len(indices), self.n_tiers), dtype=np.int64)  # per *set*
        for j in range(self.n_tiers - 1, -1, -1):
            options = np.asarray(self.start_sets[j], dtype=np.int64)
            chosen[:, j] = options[rest % len(options)]
            rest = rest // len(options)
        perms = np.asarray(self._perms, dtype=np.int64)[perm_idx]  # tier t gets set perms[:, t]
        return np.take_along_axis(chosen, perms, axis=1)


def admissible_mbd_start_points(
    n_measurements: Sequence[int], *, min_phase_length: int
) -> IndependentStartPoints:
    """MBD, scan scheme: per tier L+1 .. N_i−L+1, combined independently (Π(N_i − 2L + 1))."""
    return IndependentStartPoints(
        tuple(admissible_start_points(n, min_phase_length=min_phase_length) for n in n_measurements)
    )


def regulated_mbd_start_points(start_sets: Sequence[Sequence[int]]) -> RegulatedStartPoints:
    """MBD, SCRT / Koehler–Levin scheme from the start-point sets declared in the plan."""
    if not start_sets or any(len(s) == 0 for s in start_sets):
        raise ValueError(ERR_EMPTY)
    return RegulatedStartPoints(tuple(tuple(int(v) for v in s) for s in start_sets))


# ---------------------------------------------------------------------------------------------
# Drawing the start point before data collection
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draw:
    """The start point drawn for the clinical record, with what it was drawn from."""

    start: int | tuple[int, ...]
    seed: int
    admissible: Sequence[int] | Sequence[tuple[int, ...]]


def draw_seed() -> int:
    """A fresh seed from the OS (so nobody picks a 'convenient' one); store it with the plan."""
    import secrets

    return secrets.randbelow(2**32)


def draw_start_point(admissible: Sequence[Any], *, seed: int) -> Draw:
    """Draw one admissible assignment, reproducibly from ``seed``.

    Uses ``random.Random(seed).random()``: the Python docs guarantee that ``random()`` yields the
    same sequence for the same int seed across Python versions (unlike numpy's Generator streams
    or ``randrange``), so the recorded draw can be re-derived years later.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(ERR_SEED.format(seed=seed))
    n = len(admissible)
    if n == 0:
        raise ValueError(ERR_EMPTY)
    index = min(int(random.Random(seed).random() * n), n - 1)
    chosen = admissible[index]
    start: int | tuple[int, ...] = (
        int(chosen) if isinstance(chosen, int | np.integer) else tuple(int(v) for v in chosen)
    )
    return Draw(start=start, seed=seed, admissible=admissible)


# ---------------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RandomizationResult:
    """Outcome of a randomization test; ``distribution`` feeds the histogram plot."""

    p_value: float
    observed: float
    n_assignments: int  # size of the reference distribution actually used
    n_admissible: int  # size of the declared admissible set
    method: Literal["exact", "monte_carlo"]
    statistic: str
    improvement: str
    design: str
    distribution: tuple[float, ...]
    seed: int | None = None

    @property
    def smallest_possible_p(self) -> float:
        """1/#assignments: the test cannot reach below this (sced.md §4, §5 P12)."""
        return 1.0 / self.n_assignments

    def to_dict(self) -> dict[str, Any]:
        return {
            "p_value": self.p_value,
            "observed_statistic": self.observed,
            "n_assignments": self.n_assignments,
            "n_admissible": self.n_admissible,
            "smallest_possible_p": self.smallest_possible_p,
            "method": self.method,
            "statistic": self.statistic,
            "improvement": self.improvement,
            "design": self.design,
            "seed": self.seed,
            "distribution": list(self.distribution),
        }


def _oriented(values: Sequence[float], improvement: str) -> npt.NDArray[np.float64]:
    if improvement not in ("increase", "decrease"):
        raise ValueError(ERR_IMPROVEMENT.format(improvement=improvement))
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ValueError("Values must be a flat sequence of finite numbers (drop missing first).")
    # Orient so that larger = improvement (sced.md §2: "oriented" = × −1 for decrease).
    return -x if improvement == "decrease" else x


def _series_statistics(
    x: npt.NDArray[np.float64], starts: npt.NDArray[np.int64], statistic: str
) -> npt.NDArray[np.float64]:
    """Statistic for every assignment of one series, vectorised.

    ``x`` is oriented, ``starts`` has shape (M, k−1) with 1-based phase start points; phases
    alternate A, B, A, B … Cumulative sums make each phase sum O(1), and a 2-D prefix sum of
    the pair-comparison matrix makes each NAP O(#A phases · #B phases).
    """
    n = len(x)
    m = starts.shape[0]
    bounds = np.empty((m, starts.shape[1] + 2), dtype=np.int64)
    bounds[:, 0] = 0
    bounds[:, 1:-1] = starts - 1  # 0-based index of each phase's first point
    bounds[:, -1] = n
    k = bounds.shape[1] - 1
    a_phases = range(0, k, 2)
    b_phases = range(1, k, 2)
    lengths = np.diff(bounds, axis=1).astype(np.float64)
    n_a = lengths[:, list(a_phases)].sum(axis=1)
    n_b = lengths[:, list(b_phases)].sum(axis=1)

    if statistic in ("mean_difference", "phase_means_difference"):
        cs = np.concatenate(([0.0], np.cumsum(x)))
        sums = cs[bounds[:, 1:]] - cs[bounds[:, :-1]]
        if statistic == "mean_difference":
            # Pooled means: SCRT "A-B"/"B-A", scan "Mean A-B"/"Mean B-A".
            return (
                sums[:, list(b_phases)].sum(axis=1) / n_b
                - sums[:, list(a_phases)].sum(axis=1) / n_a
            )
        # Mean of the phase means: SCRT "PA-PB"/"PB-PA".
        means = sums / lengths
        return means[:, list(b_phases)].mean(axis=1) - means[:, list(a_phases)].mean(axis=1)

    # NAP (Parker & Vannest 2009): share of (A, B) pairs where B is better, ties ½ (sced.md §2.1;
    # scan's rand_test "NAP" reports the same × 100).
    rows: list[npt.NDArray[np.int64]] = []
    cols: list[npt.NDArray[np.int64]] = []
    for pa in a_phases:
        a0, a1 = bounds[:, pa], bounds[:, pa + 1]
        for pb in b_phases:
            b0, b1 = bounds[:, pb], bounds[:, pb + 1]
            rows += [a1, a0, a1, a0]
            cols += [b1, b1, b0, b0]
    c = _pair_prefix(x, np.concatenate(rows), np.concatenate(cols)).reshape(len(rows), m)
    total = np.zeros(m)
    for k in range(0, len(rows), 4):  # c[a1, b1] − c[a0, b1] − c[a1, b0] + c[a0, b0]
        total += c[k] - c[k + 1] - c[k + 2] + c[k + 3]
    return total / (n_a * n_b)


def _pair_prefix(
    x: npt.NDArray[np.float64], rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """c[rows[k], cols[k]] of the 2-D prefix sum c[i, j] = Σ_{p<i, q<j} w(x_p, x_q), where
    w = 1 when x_q > x_p and ½ when tied, without the (n+1)² table.

    One running column-sum vector (O(n) memory) is advanced row by row and cumulated only at
    the rows asked for: O(n²) time, O(n + queries) memory, and the same additions in the same
    order as ``wins.cumsum(axis=0).cumsum(axis=1)`` (all multiples of ½, so exact anyway).
    """
    n = len(x)
    out = np.empty(len(rows))
    order = np.argsort(rows, kind="stable")
    first = np.searchsorted(rows[order], np.arange(n + 2))
    column_sums = np.zeros(n)
    for i in range(n + 1):
        lo, hi = first[i], first[i + 1]
        if hi > lo:
            prefix = np.concatenate(([0.0], np.cumsum(column_sums)))
            asked = order[lo:hi]
            out[asked] = prefix[cols[asked]]
        if i < n:
            d = x - x[i]
            column_sums += (d > 0) + 0.5 * (d == 0)
    return out


def _count_at_least(distribution: npt.NDArray[np.float64], observed: float) -> int:
    # sced.md §5 P6: tolerant ">=" so that mathematically tied statistics are counted.
    return int(np.sum(distribution >= observed - TIE_TOLERANCE * max(1.0, abs(observed))))


def assignment_count(admissible: Sequence[Any]) -> int:
    """How many admissible assignments, as an exact Python int (no ``len()`` overflow)."""
    if isinstance(admissible, _AssignmentSet):
        return admissible.size
    return len(admissible)


def _as_assignment_array(
    admissible: Sequence[Any], indices: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64]:
    if isinstance(admissible, _AssignmentSet):
        if indices is None:
            indices = np.arange(admissible.size, dtype=np.int64)
        return admissible.decode(indices)
    arr = np.asarray(admissible, dtype=np.int64)
    if arr.ndim == 1:
        arr = arr[:, None]
    return arr if indices is None else arr[indices]


def _normalise_actual(actual: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(actual, int | np.integer):
        return (int(actual),)
    return tuple(int(v) for v in actual)


def randomization_test(  # noqa: PLR0915  (one design switch; the SCED issue splits it)
    data: Sequence[float] | Sequence[Sequence[float]],
    actual: int | Sequence[int],
    *,
    admissible: Sequence[int] | Sequence[tuple[int, ...]] | Sequence[Sequence[int]],
    improvement: Improvement,
    statistic: Statistic = "mean_difference",
    method: Method = "auto",
    n_random: int = DEFAULT_N_RANDOM,
    seed: int = 0,
    exact_limit: int = EXACT_LIMIT,
) -> RandomizationResult:
    """Randomization test of an AB, ABA/ABAB or multiple-baseline design.

    * AB: ``data`` = the series, ``actual`` = the session B started, ``admissible`` = start
      points (ints).
    * ABA/ABAB…: ``data`` = the series, ``actual`` = tuple of phase start points, ``admissible``
      = tuples of the same length (phases alternate A, B, A, B).
    * MBD: ``data`` = one series per tier, ``actual`` = one start point per tier,
      ``admissible`` = tuples with one start point per tier (``IndependentStartPoints`` or
      ``RegulatedStartPoints``). The statistic is the mean over tiers of the per-tier
      statistic (SCRT ``"MBD"``; scan ``rand_test``).

    ``method="exact"`` enumerates every admissible assignment; ``"monte_carlo"`` draws
    ``n_random`` of them with replacement (numpy PCG64 seeded with ``seed``) and adds the
    observed assignment, p = (count + 1)/(n_random + 1) (Edgington & Onghena 2007, §3.3;
    Phipson & Smyth 2010), so p is never 0 and the test stays valid. ``"auto"`` enumerates
    when there are at most ``exact_limit`` assignments.
    """
    if statistic not in STATISTICS:
        raise ValueError(ERR_STATISTIC.format(statistic=statistic, choices=", ".join(STATISTICS)))
    n_admissible = assignment_count(admissible)  # exact Python int, however large
    if n_admissible == 0:
        raise ValueError(ERR_EMPTY)
    actual_t = _normalise_actual(actual)

    is_mbd = len(data) > 0 and isinstance(data[0], Sequence | np.ndarray)
    if is_mbd:
        tiers = [_oriented(tier, improvement) for tier in data]  # type: ignore[arg-type]
        n_cols = len(tiers)
        design = "MBD"
    else:
        series = _oriented(data, improvement)  # type: ignore[arg-type]
        n_cols = len(actual_t)
        design = {1: "AB", 2: "ABA", 3: "ABAB"}.get(n_cols, f"{n_cols + 1}-phase")
    if len(actual_t) != n_cols:
        raise ValueError(ERR_SHAPE.format(k=n_cols, got=len(actual_t)))

    # Per-statistic precomputation, then one vectorised pass over the assignments.
    if is_mbd:
        per_tier: list[npt.NDArray[np.float64]] = []
        for t, x in enumerate(tiers):
            possible = np.arange(2, len(x) + 1, dtype=np.int64)  # every start leaving A, B ≥ 1
            stat = np.full(len(x) + 2, np.nan)
            stat[possible] = _series_statistics(x, possible[:, None], statistic)
            per_tier.append(stat)
            if not 2 <= actual_t[t] <= len(x):
                raise ValueError(ERR_START_RANGE.format(start=actual_t[t], tier=t + 1, n=len(x)))

        def evaluate(assign: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
            if assign.shape[1] != n_cols:
                raise ValueError(ERR_SHAPE.format(k=n_cols, got=assign.shape[1]))
            cols = []
            for t in range(n_cols):
                s = assign[:, t]
                if np.any((s < 2) | (s > len(tiers[t]))):
                    bad = int(s[(s < 2) | (s > len(tiers[t]))][0])
                    raise ValueError(ERR_START_RANGE.format(start=bad, tier=t + 1, n=len(tiers[t])))
                cols.append(per_tier[t][s])
            return np.mean(cols, axis=0)  # mean over tiers (SCRT MBD; scan aggregate = mean)

    else:

        def evaluate(assign: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
            if assign.shape[1] != n_cols:
                raise ValueError(ERR_SHAPE.format(k=n_cols, got=assign.shape[1]))
            full = np.concatenate(
                [
                    np.ones((len(assign), 1), dtype=np.int64),
                    assign,
                    np.full((len(assign), 1), len(series) + 1, dtype=np.int64),
                ],
                axis=1,
            )
            if np.any(np.diff(full, axis=1) <= 0):
                row = assign[np.any(np.diff(full, axis=1) <= 0, axis=1)][0]
                raise ValueError(ERR_ORDER.format(starts=tuple(int(v) for v in row)))
            return _series_statistics(series, assign, statistic)

    observed = float(evaluate(np.asarray([actual_t], dtype=np.int64))[0])
    if not math.isfinite(observed):
        raise ValueError("The observed statistic is not a finite number.")

    if method not in ("auto", "exact", "monte_carlo"):
        raise ValueError(f"Unknown method {method!r}; choose auto, exact or monte_carlo.")
    use_exact = method == "exact" or (method == "auto" and n_admissible <= exact_limit)

    if use_exact:
        assign = _as_assignment_array(admissible, None)
        # Validity needs the actual assignment in the declared set (sced.md §5 P12).
        if not np.any(np.all(assign == np.asarray(actual_t), axis=1)):
            raise ValueError(ERR_NOT_ADMISSIBLE.format(actual=_fmt(actual_t)))
        dist = evaluate(assign)
        count = _count_at_least(dist, observed)
        return RandomizationResult(
            p_value=count / len(dist),
            observed=observed,
            n_assignments=len(dist),
            n_admissible=n_admissible,
            method="exact",
            statistic=statistic,
            improvement=improvement,
            design=design,
            distribution=tuple(float(v) for v in dist),
            seed=None,
        )

    if n_random < 1:
        raise ValueError("n_random must be at least 1.")
    if tuple(actual_t) not in _membership_view(admissible):
        raise ValueError(ERR_NOT_ADMISSIBLE.format(actual=_fmt(actual_t)))
    rng = np.random.default_rng(seed)
    if n_admissible <= _INDEX_DRAW_LIMIT and (
        not isinstance(admissible, RegulatedStartPoints) or admissible._perms
    ):
        indices = rng.integers(0, n_admissible, size=n_random, dtype=np.int64)
        drawn = _as_assignment_array(admissible, indices)
    else:
        # Beyond int64 (e.g. 14+ tiers): draw each tier uniformly, the same distribution.
        drawn = admissible.sample(rng, n_random)  # type: ignore[union-attr]
    sampled = evaluate(drawn)
    count = _count_at_least(sampled, observed)
    # The observed assignment is part of the reference set: first element, +1 in both counts.
    dist = np.concatenate(([observed], sampled))
    return RandomizationResult(
        p_value=(count + 1) / (n_random + 1),
        observed=observed,
        n_assignments=n_random + 1,
        n_admissible=n_admissible,
        method="monte_carlo",
        statistic=statistic,
        improvement=improvement,
        design=design,
        distribution=tuple(float(v) for v in dist),
        seed=seed,
    )


def _membership_view(admissible: Sequence[Any]) -> Any:
    if isinstance(admissible, _AssignmentSet):
        return admissible
    return {
        (int(a),) if isinstance(a, int | np.integer) else tuple(int(v) for v in a)
        for a in admissible
    }


def _fmt(actual: tuple[int, ...]) -> str:
    return str(actual[0]) if len(actual) == 1 else str(actual)
