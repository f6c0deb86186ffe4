"""Goal Attainment Scaling (GAS): the Kiresuk-Sherman T-score.

Pure: stdlib only (STYLE.md §3.2). Rules and sources: shared/reference/instruments.md §22.

- Each goal is scored -2 much less than expected, -1 somewhat less, 0 as expected, +1 somewhat more,
  +2 much more than expected (§22 [S:1][S:2]).
- T = 50 + 10·Σ(wᵢxᵢ) / √((1−ρ)·Σwᵢ² + ρ·(Σwᵢ)²), ρ = 0.3 by default, the assumed correlation
  between goal scales (Kiresuk & Sherman 1968, formula as corrected in the Turner-Stokes 2009
  erratum; §22 [S:1][S:2]). T = 50 when every goal is attained as expected; a single goal gives
  T = 50 + 10x whatever its weight.
- Weights: Kiresuk allows any positive weight; Turner-Stokes uses importance × difficulty, each
  rated 0-3 (§22, UNVERIFIED detail), see ``turner_stokes_weight``.

"Cannot score" is a value (``Unscorable``), not an exception (STYLE.md §3.3). Malformed input
to the scorer itself (a level of 3, a weight that is not a number) raises ``ValueError``: a form
or the payload parser must never let that through.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assessment.instruments.base import Unscorable
from painclinic.numbers import parse_float

KEY = "gas"
SOURCE = (
    "Kiresuk & Sherman 1968, doi:10.1007/BF01530764; formula as corrected in the "
    "Turner-Stokes 2009 erratum, doi:10.1177/0269215508101742 (instruments.md §22 [S:1][S:2])"
)

LEVELS = (-2, -1, 0, 1, 2)  # §22 [S:1][S:2]
DEFAULT_RHO = 0.3  # assumed inter-goal correlation, Kiresuk & Sherman 1968 (§22 [S:1][S:2])

# Turner-Stokes' GAS-light convention: a goal starts at -1 at baseline, or -2 when the patient
# is as bad as they could possibly be on that goal. UNVERIFIED: general knowledge of Turner-Stokes
# 2009; instruments.md §22 does not state the baseline rule.
TURNER_STOKES_DEFAULT_BASELINE = -1

# Reasons shown to the clinician verbatim (STYLE.md §3.10: message constants that tests assert).
REASON_NO_GOALS = "No goals: GAS needs at least one scaled goal."
REASON_NOT_REVIEWED = "Goal {number} has not been reviewed yet (no attained level)."
REASON_NO_BASELINE = "Goal {number} has no baseline level."
REASON_WEIGHT_NOT_POSITIVE = (
    "Goal {number} has weight {weight}: weights must be greater than 0 "
    "(a goal rated 0 for importance or difficulty cannot be weighted)."
)
REASON_RHO_OUT_OF_RANGE = (
    "rho = {rho} is outside 0-1: it is the assumed correlation between goal scales (usually 0.3)."
)

ERROR_LEVEL = "level must be one of -2, -1, 0, +1, +2 (got {value!r})"
ERROR_WEIGHT_TYPE = "weight must be a finite number (got {value!r})"


def _check_level(value: object) -> None:
    if value is None:  # not reviewed yet / no baseline recorded: the scorer reports it
        return
    # bool is an int in Python; True must not pass as +1.
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise ValueError(ERROR_LEVEL.format(value=value))


@dataclass(frozen=True)
class GasGoal:
    """One scaled goal at review.

    ``attained_level`` is ``None`` until the goal has been reviewed. ``weight`` is checked by the
    scorer, not here, so that a non-positive weight gives an ``Unscorable`` the clinician can read.
    """

    attained_level: int | None
    weight: float = 1.0
    baseline_level: int | None = None

    def __post_init__(self) -> None:
        _check_level(self.attained_level)
        _check_level(self.baseline_level)
        if isinstance(self.weight, bool) or not isinstance(self.weight, int | float):
            raise ValueError(ERROR_WEIGHT_TYPE.format(value=self.weight))
        if not math.isfinite(self.weight):
            raise ValueError(ERROR_WEIGHT_TYPE.format(value=self.weight))


@dataclass(frozen=True)
class GasResult:
    t_score: float
    n_goals: int
    levels: tuple[int, ...]
    weights: tuple[float, ...]
    rho: float
    source: str = SOURCE


def turner_stokes_weight(importance: int, difficulty: int) -> int:
    """Weight = importance × difficulty, each rated 0-3 (Turner-Stokes 2009; §22, UNVERIFIED detail)."""
    for name, value in (("importance", importance), ("difficulty", difficulty)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            raise ValueError(f"{name} must be an integer 0-3 (got {value!r})")
    return importance * difficulty


def kiresuk_sherman_t(levels: Sequence[int], weights: Sequence[float], rho: float) -> float:
    """The bare formula (§22). Callers validate; ``gas_t_score`` is the checked entry point."""
    weighted_sum = math.fsum(w * x for w, x in zip(weights, levels, strict=True))
    sum_w = math.fsum(weights)
    sum_w2 = math.fsum(w * w for w in weights)
    denominator = math.sqrt((1 - rho) * sum_w2 + rho * sum_w * sum_w)
    return 50 + 10 * weighted_sum / denominator


def _score(goals: Sequence[GasGoal], *, rho: float, baseline: bool) -> GasResult | Unscorable:
    if not goals:
        return Unscorable(KEY, REASON_NO_GOALS)
    # rho in [0, 1] keeps the denominator positive for any positive weights; rho = 1 reduces T to
    # 50 + 10 × the weighted mean level, rho = 0 to independent goals.
    if isinstance(rho, bool) or not isinstance(rho, int | float) or not 0 <= rho <= 1:
        return Unscorable(KEY, REASON_RHO_OUT_OF_RANGE.format(rho=rho))
    levels: list[int] = []
    for number, goal in enumerate(goals, start=1):
        level = goal.baseline_level if baseline else goal.attained_level
        if level is None:
            reason = REASON_NO_BASELINE if baseline else REASON_NOT_REVIEWED
            return Unscorable(KEY, reason.format(number=number))
        if goal.weight <= 0:
            return Unscorable(
                KEY, REASON_WEIGHT_NOT_POSITIVE.format(number=number, weight=goal.weight)
            )
        levels.append(level)
    weights = tuple(float(goal.weight) for goal in goals)
    return GasResult(
        t_score=kiresuk_sherman_t(levels, weights, float(rho)),
        n_goals=len(goals),
        levels=tuple(levels),
        weights=weights,
        rho=float(rho),
    )


def gas_t_score(goals: Sequence[GasGoal], *, rho: float = DEFAULT_RHO) -> GasResult | Unscorable:
    """Kiresuk-Sherman T-score of the attained levels (§22).

    Unscorable when there are no goals, a goal has not been reviewed, a weight is not positive,
    or rho is outside 0-1.
    """
    return _score(goals, rho=rho, baseline=False)


def gas_baseline_t_score(
    goals: Sequence[GasGoal], *, rho: float = DEFAULT_RHO
) -> GasResult | Unscorable:
    """The same T-score computed on each goal's ``baseline_level``.

    Turner-Stokes reports the change in T from baseline (usually every goal at -1, see
    ``TURNER_STOKES_DEFAULT_BASELINE``, UNVERIFIED). Unscorable when a baseline level is missing.
    """
    return _score(goals, rho=rho, baseline=True)


# --- CLI payload ------------------------------------------------------------------------------


class PayloadError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _number(value: object, field: str) -> float:
    if not isinstance(value, int | float) or parse_float(value) is None:
        raise PayloadError(f"{field} must be a finite number (got {value!r})", field)
    return float(value)


def _payload_level(value: object, field: str) -> int | None:
    if value is None:
        return None
    # JSON tools often write 1.0 for 1; accept integral floats, refuse 0.5.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise PayloadError(
            f"{field} must be one of -2, -1, 0, 1, 2, or null for a goal not yet reviewed "
            f"(got {value!r})",
            field,
        )
    return value


def _parse_goals(payload: Mapping[str, Any]) -> list[GasGoal]:
    raw_goals = payload.get("goals")
    if not isinstance(raw_goals, list):
        raise PayloadError("goals must be a list of {weight, attained} objects", "goals")
    goals = []
    for index, raw in enumerate(raw_goals):
        prefix = f"goals[{index}]"
        if not isinstance(raw, Mapping):
            raise PayloadError(f"{prefix} must be an object", prefix)
        if "attained" not in raw:
            raise PayloadError(
                f"{prefix}.attained is required (null for a goal not yet reviewed)",
                f"{prefix}.attained",
            )
        attained = _payload_level(raw["attained"], f"{prefix}.attained")
        baseline = _payload_level(raw.get("baseline"), f"{prefix}.baseline")
        weight = _number(raw.get("weight", 1), f"{prefix}.weight")
        goals.append(GasGoal(attained_level=attained, weight=weight, baseline_level=baseline))
    return goals


def _result_dict(result: GasResult) -> dict[str, Any]:
    return {
        "t_score": result.t_score,
        "n_goals": result.n_goals,
        "levels": list(result.levels),
        "weights": list(result.weights),
        "rho": result.rho,
        "source": result.source,
    }


def gas_payload(payload: object) -> dict[str, Any]:
    """JSON in, JSON out, for the command line.

    ``{"goals": [{"weight": 1, "attained": 0, "baseline": -1}, ...], "rho": 0.3}`` gives
    ``{"method": "gas", "scorable": true, "t_score": ..., ...}`` (plus ``baseline_t_score`` and
    ``change`` when every goal has a baseline), ``{"method": "gas", "scorable": false, "reason": ...}``,
    or ``{"error": ..., "field": ...}`` for a malformed payload.
    """
    try:
        if not isinstance(payload, Mapping):
            raise PayloadError("payload must be a JSON object", "")
        goals = _parse_goals(payload)
        rho = _number(payload.get("rho", DEFAULT_RHO), "rho")
    except PayloadError as error:
        return {"error": str(error), "field": error.field}

    result = gas_t_score(goals, rho=rho)
    if isinstance(result, Unscorable):
        return {"method": KEY, "scorable": False, "reason": result.reason}
    out: dict[str, Any] = {"method": KEY, "scorable": True, **_result_dict(result)}
    if goals and all(goal.baseline_level is not None for goal in goals):
        baseline = gas_baseline_t_score(goals, rho=rho)
        if isinstance(baseline, GasResult):
            out["baseline_t_score"] = baseline.t_score
            out["change"] = result.t_score - baseline.t_score
    return out
