"""Estimates with their 95% intervals, as the pages show them: a rate (Wilson score interval) and
a mean (t interval), each with its method named and a plain small-n warning.

PURE: numbers in, numbers and words out; imports nothing from Django or any app of the project
(only the standard library and scipy for the t quantile). Used by the team review (review/) and
the programme outcomes (programmes/).

Sources:
- Wilson score interval: Wilson EB (1927) Probable inference, the law of succession, and
  statistical inference. J Am Stat Assoc 22:209-212, doi:10.1080/01621459.1927.10502953;
  recommended over the Wald interval for small n by Newcombe RG (1998) Two-sided confidence
  intervals for the single proportion, Stat Med 17:857-872 (method 3),
  doi:10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E.
- t interval of a mean: mean ± t(0.975, n − 1)·s/√n with s the sample SD (n − 1 divisor),
  Student (1908) The probable error of a mean, Biometrika 6:1-25, doi:10.1093/biomet/6.1.1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scipy import stats

if TYPE_CHECKING:
    from collections.abc import Sequence

SMALL_N = 10
SMALL_N_WARNING = "n = {n}: too few to read anything into."
NO_DATA = "No data yet."
TOO_FEW = "too few to estimate"
CLIPPED_NOTE = "Interval limited to the scale's range ({low}–{high})."
# z(0.975) of the standard normal, for the two-sided 95% Wilson interval.
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """A mean or a rate with its 95% interval and the method, and a plain small-n warning.

    ``low``/``high`` are None when the interval cannot be estimated (n < 2 for a mean, or a t
    interval wider than the whole scale); ``clipped`` says the interval was limited to the
    scale's range (``bounds``)."""

    kind: str  # "mean" | "rate"
    n: int
    value: float | None
    low: float | None
    high: float | None
    method: str
    successes: int | None = None
    bounds: tuple[float, float] | None = None
    clipped: bool = False

    @property
    def percent(self) -> str:
        return "" if self.value is None else f"{self.value:.0%}"

    @property
    def value_text(self) -> str:
        """The estimate as a page shows it: a rate as a percentage with its count, a mean to one
        decimal; never a raw float."""
        if self.value is None:
            return "—"
        if self.kind == "rate":
            return f"{self.value:.0%} ({self.successes} of {self.n})"
        return f"{self.value:.1f}"

    @property
    def interval_text(self) -> str:
        if self.n == 0:
            return "—"
        if self.low is None or self.high is None:
            return TOO_FEW
        if self.kind == "rate":
            return f"{self.low:.0%}–{self.high:.0%}"
        return f"{self.low:.1f}–{self.high:.1f}"

    @property
    def warning(self) -> str:
        if self.n == 0:
            return NO_DATA
        parts = []
        if self.n < SMALL_N:
            parts.append(SMALL_N_WARNING.format(n=self.n))
        if self.clipped and self.bounds is not None:
            parts.append(CLIPPED_NOTE.format(low=_num(self.bounds[0]), high=_num(self.bounds[1])))
        return " ".join(parts)


def _num(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


WILSON = "Wilson score 95% interval"
T_INTERVAL = "t 95% interval (mean ± t·s/√n)"


def wilson_interval(successes: int, n: int, z: float = Z_95) -> Estimate:
    """Wilson score interval of successes/n (Wilson 1927; Newcombe 1998 method 3):
    centre = (p + z²/2n) / (1 + z²/n), half-width = z·√(p(1 − p)/n + z²/4n²) / (1 + z²/n)."""
    if n <= 0:
        return Estimate("rate", 0, None, None, None, WILSON, successes=0)
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return Estimate(
        "rate", n, p, max(0.0, centre - half), min(1.0, centre + half), WILSON, successes
    )


def mean_t_interval(
    values: Sequence[float], *, bounds: tuple[float, float] | None = None
) -> Estimate:
    """t interval of the mean of ``values`` (Student 1908): mean ± t(0.975, n − 1)·s/√n."""
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return Estimate("mean", 0, None, None, None, T_INTERVAL, bounds=bounds)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return mean_t_interval_from_summary(n, mean, sd, bounds=bounds)


def sample_sd_from_sums(n: int, total: float | None, sum_of_squares: float | None) -> float | None:
    """Sample SD (n − 1) from SQL SUM(x) and SUM(x²): portable where STDDEV_SAMP is not (Django's
    SQLite StdDev raises for n = 1; PostgreSQL answers NULL). None for n < 2."""
    if n < 2 or total is None or sum_of_squares is None:
        return None
    variance = (float(sum_of_squares) - float(total) ** 2 / n) / (n - 1)
    return math.sqrt(max(variance, 0.0))  # rounding can make a zero variance slightly negative


def mean_t_interval_from_summary(
    n: int, mean: float | None, sd: float | None, *, bounds: tuple[float, float] | None = None
) -> Estimate:
    """The same interval from n, mean and sample SD (n − 1), e.g. SQL AVG and STDDEV_SAMP.

    With ``bounds`` (the scale's range, e.g. WAI-SR 12–60) the interval is limited to the scale,
    and an interval that would cover the whole scale is not shown (too few to estimate): with
    n = 2, t(0.975, 1) = 12.7 and "−116.5–188.5" on a 12–60 scale says nothing."""
    if n == 0 or mean is None:
        return Estimate("mean", 0, None, None, None, T_INTERVAL, bounds=bounds)
    mean = float(mean)
    if n == 1 or sd is None:
        return Estimate("mean", n, mean, None, None, T_INTERVAL, bounds=bounds)
    sd = float(sd)
    # Student (1908): the 97.5th percentile of t with n − 1 degrees of freedom.
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    low, high = mean - half, mean + half
    clipped = False
    if bounds is not None:
        floor, ceiling = bounds
        if low <= floor and high >= ceiling:
            return Estimate("mean", n, mean, None, None, T_INTERVAL, bounds=bounds)
        clipped = low < floor or high > ceiling
        low, high = max(low, floor), min(high, ceiling)
    return Estimate("mean", n, mean, low, high, T_INTERVAL, bounds=bounds, clipped=clipped)
