"""The effect-size result type every index returns, and the helpers that build it."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from ..phases import Improvement

Values = Sequence[float] | np.ndarray


@dataclass(frozen=True)
class EffectSize:
    """One effect size for one comparison.

    ``estimate``/``se``/``ci_*`` are None where the reference package gives no value or where the
    statistic is undefined; ``not_defined_reason`` then says why. ``ci_reference`` is the
    reference package's interval where ours differs by method (NAP, Tau, Tau-BC at NAP = 0 or 1:
    ``NAP_CI_METHODS``), kept so it can still be checked against SingleCaseES.  ``options`` spells out every
    choice that changes the number (like the R call the SingleCaseES app prints, sced.md §7);
    ``details`` holds package extras (S, D, Z, p, slope, percent change, …).
    """

    name: str
    estimate: float | None
    se: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    improvement: Improvement = "increase"
    options: Mapping[str, object] = field(default_factory=dict)
    details: Mapping[str, object] = field(default_factory=dict)
    not_defined_reason: str | None = None
    ci_reference: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["options"] = dict(self.options)
        out["details"] = {k: _json_number(v) for k, v in self.details.items()}
        return out


def _json_number(v: object) -> object:
    if isinstance(v, float | np.floating):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, np.integer):
        return int(v)
    return v


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def make_effect(
    name: str,
    estimate: float | None,
    *,
    improvement: Improvement,
    se: float | None = None,
    ci: tuple[float | None, float | None] | None = None,
    options: Mapping[str, object] | None = None,
    details: Mapping[str, object] | None = None,
    reason: str | None = None,
    ci_reference: tuple[float, float] | None = None,
) -> EffectSize:
    """Build an EffectSize, turning non-finite numbers into None with a reason (sced.md §5 P2)."""
    est = None if reason else _finite(estimate)
    if reason is None and est is None:
        reason = f"{name} is not finite for these data (value {estimate})"
    lo, hi = ci if ci is not None else (None, None)
    return EffectSize(
        name=name,
        estimate=est,
        se=None if reason else _finite(se),
        ci_lower=None if reason else _finite(lo),
        ci_upper=None if reason else _finite(hi),
        improvement=improvement,
        options=dict(options or {}),
        details=dict(details or {}),
        not_defined_reason=reason,
        ci_reference=None if reason else ci_reference,
    )


def undefined(name: str, reason: str, improvement: Improvement, **options: object) -> EffectSize:
    return EffectSize(
        name=name,
        estimate=None,
        improvement=improvement,
        options=options,
        not_defined_reason=reason,
    )


@functools.lru_cache(maxsize=64)
def z_crit(confidence: float) -> float:
    """z = Φ⁻¹(1 − (1 − conf)/2) (sced.md §2, notation); cached, scipy's ppf is slow."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))
