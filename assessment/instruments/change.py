"""Individual change: reliable change index, clinical significance, minimal important change.

Pure: stdlib only (STYLE.md §3.2). Rules and sources: shared/reference/instruments.md §23 (RCI and
clinical significance, Jacobson & Truax 1991) and the per-instrument change rules that the
instrument modules declare as ``base.ChangeRule`` data (e.g. §7 PSEQ, §10 NRS, §17 PSFS, §18 PHODA).

- SE_measurement = SD·√(1 − r_xx); S_diff = √(2·SE²) = SD·√2·√(1 − r_xx); RC = (x₂ − x₁) / S_diff;
  |RC| > 1.96 is reliable change (p < .05). SD is the pre-treatment or normative SD, r_xx the
  reliability (§23 [S:1][S:2]). Where a source gives only the SEM (TSK, §4), S_diff = √2·SEM.
- Cut-offs a, b, c and the four-way classification recovered / improved / unchanged /
  deteriorated (§23 [S:1][S:3]).
- Only the Jacobson & Truax S_diff is implemented; the result names it in ``method`` because other
  S_diff formulas exist (Temkin, Maassen, Hageman-Arrindell; §23 [S:4][S:5]) and SCED reports must
  say which one was used.

Invalid or missing clinical inputs (a score, SD, reliability, norms) give ``Unscorable``.
A direction string that is not one of the two constants is a programming error (``ValueError``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, TypeGuard

from assessment.instruments.base import (
    BandResult,
    ChangeRule,
    Instrument,
    Norm,
    ReliableChangeParameters,
    Unscorable,
    as_number,
    to_data,
)
from assessment.instruments.scoring import band_for
from painclinic.numbers import parse_float

KEY = "rci"
HIGHER_IS_BETTER = "higher_is_better"
HIGHER_IS_WORSE = "higher_is_worse"
DIRECTIONS = (HIGHER_IS_BETTER, HIGHER_IS_WORSE)
Direction = Literal["higher_is_better", "higher_is_worse"]

RCI_SOURCE = (
    "Jacobson & Truax 1991, doi:10.1037/0022-006X.59.1.12; S_diff = SD·√2·√(1−r) "
    "(Christensen & Mendoza 1986) (instruments.md §23 [S:1][S:2])"
)
CLINICAL_SIGNIFICANCE_SOURCE = (
    "Jacobson & Truax 1991 cut-offs a, b, c and classification (instruments.md §23 [S:1][S:3])"
)
METHOD_JACOBSON_TRUAX = "jacobson_truax_1991"

# |RC| > 1.96: two-tailed p < .05 (§23 [S:1]). Strictly greater: RC = 1.96 is not reliable.
RELIABLE_CHANGE_CRITERION = 1.96

RELIABLY_IMPROVED = "reliably_improved"
NO_RELIABLE_CHANGE = "no_reliable_change"
RELIABLY_DETERIORATED = "reliably_deteriorated"

RECOVERED = "recovered"
IMPROVED = "improved"
UNCHANGED = "unchanged"
DETERIORATED = "deteriorated"

REASON_MISSING_BASELINE = "No baseline score."
REASON_MISSING_FOLLOW_UP = "No follow-up score."
REASON_NO_ERROR_TERM = (
    "No measurement error: give the SD and the reliability, or the SEM, of this instrument."
)
REASON_SD = "The SD must be a number greater than 0 (got {value})."
REASON_RELIABILITY = "The reliability must be a number strictly between 0 and 1 (got {value})."
REASON_SEM = "The SEM must be a number greater than 0 (got {value})."
REASON_NO_CUTOFF = (
    "No clinical cut-off: give a cut-off value, or the mean and SD of a dysfunctional and/or "
    "functional population."
)
REASON_CUTOFF = "The cut-off must be a finite number (got {value})."
REASON_CRITERION_NEEDS = "Cut-off {criterion} needs the mean and SD of the {needs} population(s)."
REASON_NORM_MEAN = "The {population} mean must be a finite number (got {value})."
REASON_NORM_SD = "The {population} SD must be a number greater than 0 (got {value})."
REASON_NORMS_REVERSED = (
    "The dysfunctional mean ({dys}) is not on the worse side of the functional mean ({func}) "
    "for a {direction} measure: check the norms and the direction."
)

ERROR_DIRECTION = "direction must be 'higher_is_better' or 'higher_is_worse' (got {value!r})"
ERROR_SEM_AND_SD = "give either sd and reliability, or sem, not both"


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(ERROR_DIRECTION.format(value=direction))


def _is_number(value: object) -> TypeGuard[float]:
    # parse_float also refuses an int too large for a float (math.isfinite raises on it).
    return isinstance(value, int | float) and parse_float(value) is not None


def _toward_better(difference: float, direction: str) -> float:
    """The change with the sign flipped so that positive always means better."""
    return difference if direction == HIGHER_IS_BETTER else -difference


def _beyond(value: float, limit: float) -> bool:
    """value > limit, with float noise at the boundary counted as "not beyond".

    RC is a quotient of user inputs: 19.6 / 10 may come out a hair above or below 1.96.
    The 1991 rule is a strict inequality, so a value equal to the limit up to rounding is not
    beyond it.
    """
    return value > limit and not math.isclose(value, limit, rel_tol=1e-9, abs_tol=1e-12)


# --- reliable change index --------------------------------------------------------------------


@dataclass(frozen=True)
class ReliableChange:
    baseline: float
    follow_up: float
    difference: float  # follow_up − baseline, raw units
    sd: float | None  # None when the SEM was given directly
    reliability: float | None
    se_measurement: float
    s_diff: float
    rc: float  # (x₂ − x₁) / S_diff, Jacobson & Truax's sign: positive = the score went up
    smallest_reliable_change: float  # 1.96·S_diff, raw units (§23)
    direction: str
    classification: str
    method: str = METHOD_JACOBSON_TRUAX
    criterion: float = RELIABLE_CHANGE_CRITERION
    source: str = RCI_SOURCE

    @property
    def rc_toward_better(self) -> float:
        """RC with positive meaning improvement, whatever the direction of the scale."""
        return _toward_better(self.rc, self.direction)


def reliable_change_index(
    baseline: float | None,
    follow_up: float | None,
    *,
    sd: float | None = None,
    reliability: float | None = None,
    sem: float | None = None,
    direction: Direction,
) -> ReliableChange | Unscorable:
    """Jacobson & Truax reliable change index, classified by direction (§23).

    The error term is SD and reliability (SEm = SD·√(1 − r)) or, where the source publishes only
    that, the SEM itself. Unscorable for a missing score, SD ≤ 0, reliability outside (0, 1),
    SEM ≤ 0, or no error term at all.
    """
    _check_direction(direction)
    if sem is not None and (sd is not None or reliability is not None):
        raise ValueError(ERROR_SEM_AND_SD)
    if baseline is None or not _is_number(baseline):
        return Unscorable(KEY, REASON_MISSING_BASELINE)
    if follow_up is None or not _is_number(follow_up):
        return Unscorable(KEY, REASON_MISSING_FOLLOW_UP)
    if sem is not None:
        if not _is_number(sem) or sem <= 0:
            return Unscorable(KEY, REASON_SEM.format(value=sem))
        se_measurement = float(sem)
        s_diff = math.sqrt(2) * se_measurement
    else:
        if sd is None and reliability is None:
            return Unscorable(KEY, REASON_NO_ERROR_TERM)
        if sd is None or not _is_number(sd) or sd <= 0:
            return Unscorable(KEY, REASON_SD.format(value=sd))
        if reliability is None or not _is_number(reliability) or not 0 < reliability < 1:
            return Unscorable(KEY, REASON_RELIABILITY.format(value=reliability))
        se_measurement = sd * math.sqrt(1 - reliability)
        # Algebraically √2·SEm; computed as SD·√(2(1−r)) so that round inputs (r = .5) give an
        # exact S_diff and the 1.96 boundary is not blurred by an extra rounding step.
        s_diff = sd * math.sqrt(2 * (1 - reliability))

    difference = follow_up - baseline
    rc = difference / s_diff
    better = _toward_better(rc, direction)
    if _beyond(better, RELIABLE_CHANGE_CRITERION):
        classification = RELIABLY_IMPROVED
    elif _beyond(-better, RELIABLE_CHANGE_CRITERION):
        classification = RELIABLY_DETERIORATED
    else:
        classification = NO_RELIABLE_CHANGE
    return ReliableChange(
        baseline=float(baseline),
        follow_up=float(follow_up),
        difference=difference,
        sd=None if sd is None else float(sd),
        reliability=None if reliability is None else float(reliability),
        se_measurement=se_measurement,
        s_diff=s_diff,
        rc=rc,
        smallest_reliable_change=RELIABLE_CHANGE_CRITERION * s_diff,
        direction=direction,
        classification=classification,
    )


def reliable_change_from_parameters(
    baseline: float | None,
    follow_up: float | None,
    parameters: ReliableChangeParameters,
    *,
    direction: Direction,
) -> ReliableChange | Unscorable:
    """RCI with an instrument's stored parameters: SD and reliability when both are given
    (the §23 formula), else the SEM."""
    if parameters.sd is not None and parameters.reliability is not None:
        return reliable_change_index(
            baseline,
            follow_up,
            sd=parameters.sd,
            reliability=parameters.reliability,
            direction=direction,
        )
    if parameters.sem is not None:
        return reliable_change_index(baseline, follow_up, sem=parameters.sem, direction=direction)
    return reliable_change_index(
        baseline,
        follow_up,
        sd=parameters.sd,
        reliability=parameters.reliability,
        direction=direction,
    )


# --- clinical significance --------------------------------------------------------------------


def cutoff_a(dysfunctional_mean: float, dysfunctional_sd: float, direction: Direction) -> float:
    """Two SDs beyond the dysfunctional mean, toward function (§23 [S:1])."""
    _check_direction(direction)
    sign = 1 if direction == HIGHER_IS_BETTER else -1
    return dysfunctional_mean + sign * 2 * dysfunctional_sd


def cutoff_b(functional_mean: float, functional_sd: float, direction: Direction) -> float:
    """Two SDs from the functional mean, toward dysfunction (§23 [S:1])."""
    _check_direction(direction)
    sign = 1 if direction == HIGHER_IS_BETTER else -1
    return functional_mean - sign * 2 * functional_sd


def cutoff_c(
    dysfunctional_mean: float,
    dysfunctional_sd: float,
    functional_mean: float,
    functional_sd: float,
) -> float:
    """(SD_func·M_dys + SD_dys·M_func) / (SD_func + SD_dys): equally far, in SD units, from both
    means (§23 [S:1]). Needs no direction."""
    return (functional_sd * dysfunctional_mean + dysfunctional_sd * functional_mean) / (
        functional_sd + dysfunctional_sd
    )


@dataclass(frozen=True)
class ClinicalSignificance:
    reliable_change: ReliableChange
    cutoff: float
    cutoff_criterion: str  # "a", "b", "c" or "given"
    baseline_functional: bool
    follow_up_functional: bool
    crossed_cutoff: bool  # dysfunctional side at baseline, functional side at follow-up
    classification: str  # recovered / improved / unchanged / deteriorated
    source: str = CLINICAL_SIGNIFICANCE_SOURCE

    @property
    def rc(self) -> float:
        return self.reliable_change.rc


def _is_functional(score: float, cutoff: float, direction: str) -> bool:
    # Strictly on the better side of the cut-off: a score exactly at the cut-off is not (yet)
    # functional. UNVERIFIED: §23 and, as far as we know, Jacobson & Truax do not discuss ties at
    # the cut-off; the conservative reading is ours.
    return _beyond(_toward_better(score, direction), _toward_better(cutoff, direction))


def _check_norm(norm: Norm | None, population: str) -> Unscorable | None:
    if norm is None:
        return None
    if not _is_number(norm.mean):
        return Unscorable(KEY, REASON_NORM_MEAN.format(population=population, value=norm.mean))
    if norm.sd is None or not _is_number(norm.sd) or norm.sd <= 0:
        return Unscorable(KEY, REASON_NORM_SD.format(population=population, value=norm.sd))
    return None


def _choose_cutoff(
    *,
    cutoff: float | None,
    dysfunctional: Norm | None,
    functional: Norm | None,
    criterion: str | None,
    direction: Direction,
) -> tuple[float, str] | Unscorable:
    if cutoff is not None and criterion is not None:
        raise ValueError("give either an explicit cutoff or a criterion (a, b, c), not both")
    if criterion not in (None, "a", "b", "c"):
        raise ValueError(f"criterion must be 'a', 'b' or 'c' (got {criterion!r})")
    if cutoff is not None:
        if not _is_number(cutoff):
            return Unscorable(KEY, REASON_CUTOFF.format(value=cutoff))
        return float(cutoff), "given"
    for norm, population in ((dysfunctional, "dysfunctional"), (functional, "functional")):
        problem = _check_norm(norm, population)
        if problem is not None:
            return problem
    if (
        dysfunctional is not None
        and functional is not None
        and not _beyond(
            _toward_better(functional.mean, direction),
            _toward_better(dysfunctional.mean, direction),
        )
    ):
        # Norms the wrong way round make every cut-off meaningless: say so, do not score.
        return Unscorable(
            KEY,
            REASON_NORMS_REVERSED.format(
                dys=dysfunctional.mean, func=functional.mean, direction=direction
            ),
        )
    # "Prefer c when both norms exist" (§23 [S:1]); otherwise use the population we have.
    if criterion is None:
        if dysfunctional is not None and functional is not None:
            criterion = "c"
        elif dysfunctional is not None:
            criterion = "a"
        elif functional is not None:
            criterion = "b"
        else:
            return Unscorable(KEY, REASON_NO_CUTOFF)
    if criterion == "a":
        if dysfunctional is None or dysfunctional.sd is None:
            return Unscorable(
                KEY, REASON_CRITERION_NEEDS.format(criterion="a", needs="dysfunctional")
            )
        return cutoff_a(dysfunctional.mean, dysfunctional.sd, direction), "a"
    if criterion == "b":
        if functional is None or functional.sd is None:
            return Unscorable(KEY, REASON_CRITERION_NEEDS.format(criterion="b", needs="functional"))
        return cutoff_b(functional.mean, functional.sd, direction), "b"
    if (
        dysfunctional is None
        or functional is None
        or dysfunctional.sd is None
        or functional.sd is None
    ):
        return Unscorable(
            KEY, REASON_CRITERION_NEEDS.format(criterion="c", needs="dysfunctional and functional")
        )
    return cutoff_c(dysfunctional.mean, dysfunctional.sd, functional.mean, functional.sd), "c"


def clinically_significant_change(
    baseline: float | None,
    follow_up: float | None,
    *,
    sd: float | None = None,
    reliability: float | None = None,
    sem: float | None = None,
    direction: Direction,
    cutoff: float | None = None,
    dysfunctional: Norm | None = None,
    functional: Norm | None = None,
    criterion: Literal["a", "b", "c"] | None = None,
) -> ClinicalSignificance | Unscorable:
    """Jacobson & Truax's two criteria: reliable change and crossing a clinical cut-off (§23).

    The cut-off is either ``cutoff`` (a published value, e.g. an instrument's band edge) or derived
    from norms (``base.Norm`` with mean and SD): ``criterion`` a, b or c; by default c when both
    populations are given, else a (dysfunctional only) or b (functional only).

    recovered = reliable improvement AND moved from the dysfunctional to the functional side;
    improved = reliable improvement only; deteriorated = reliable worsening; else unchanged
    (crossing the cut-off without reliable change is still "unchanged").
    """
    rci = reliable_change_index(
        baseline, follow_up, sd=sd, reliability=reliability, sem=sem, direction=direction
    )
    if isinstance(rci, Unscorable):
        return rci
    chosen = _choose_cutoff(
        cutoff=cutoff,
        dysfunctional=dysfunctional,
        functional=functional,
        criterion=criterion,
        direction=direction,
    )
    if isinstance(chosen, Unscorable):
        return chosen
    value, used = chosen
    baseline_functional = _is_functional(rci.baseline, value, direction)
    follow_up_functional = _is_functional(rci.follow_up, value, direction)
    crossed = not baseline_functional and follow_up_functional
    if rci.classification == RELIABLY_DETERIORATED:
        classification = DETERIORATED
    elif rci.classification == RELIABLY_IMPROVED:
        classification = RECOVERED if crossed else IMPROVED
    else:
        classification = UNCHANGED
    return ClinicalSignificance(
        reliable_change=rci,
        cutoff=value,
        cutoff_criterion=used,
        baseline_functional=baseline_functional,
        follow_up_functional=follow_up_functional,
        crossed_cutoff=crossed,
        classification=classification,
    )


# --- minimal important change: apply an instrument's ChangeRule -------------------------------

IMPORTANT_IMPROVEMENT = "improved"
NO_IMPORTANT_CHANGE = "no_important_change"
IMPORTANT_WORSENING = "worsened"

REASON_RULE_NEEDS_BANDS = "The rule {rule} needs the band at baseline and at follow-up."
REASON_PERCENT_OF_ZERO = "The rule {rule} is a percent change, undefined from a baseline of 0."
REASON_BASELINE_OUTSIDE = "The rule {rule} applies only to baselines {interval} (baseline {value})."

_IMPROVEMENT_TO_DIRECTION = {"decrease": HIGHER_IS_WORSE, "increase": HIGHER_IS_BETTER}


@dataclass(frozen=True)
class MinimalChange:
    baseline: float
    follow_up: float
    improvement: float  # toward better, raw units (negative = worse)
    improvement_percent: float | None  # of |baseline|; None when the baseline is 0
    points_met: bool | None  # None when the rule has no points criterion
    percent_met: bool | None
    band_changed: bool | None  # None when the rule does not ask for a band change
    target_met: bool | None  # None when the rule has no target interval
    classification: str  # improved / no_important_change / worsened
    rule_id: str
    source: str


def _meets(magnitude: float, threshold: float, *, inclusive: bool) -> bool:
    if math.isclose(magnitude, threshold, rel_tol=1e-9, abs_tol=1e-12):
        return inclusive
    return magnitude > threshold


def _thresholds_met(
    magnitude: float, percent: float | None, rule: ChangeRule
) -> tuple[bool | None, bool | None, bool | None]:
    """(met, points_met, percent_met); met is None when the rule has neither points nor percent."""
    points_met = (
        None if rule.points is None else _meets(magnitude, rule.points, inclusive=rule.inclusive)
    )
    percent_met = None
    if rule.percent is not None:
        percent_met = percent is not None and _meets(
            percent, rule.percent, inclusive=rule.inclusive
        )
    checks = [check for check in (points_met, percent_met) if check is not None]
    if not checks:
        return None, points_met, percent_met
    met = all(checks) if rule.combine == "both" else any(checks)
    return met, points_met, percent_met


def mcid_change(
    baseline: float | None,
    follow_up: float | None,
    *,
    rule: ChangeRule,
    baseline_band: str | None = None,
    follow_up_band: str | None = None,
) -> MinimalChange | Unscorable:
    """Apply one instrument change rule (``base.ChangeRule``) to a pair of scores.

    The rule carries its direction (``improvement``: "decrease" | "increase"), points and/or
    percent thresholds combined "either" or "both", ``inclusive`` (≥ vs >), an optional band-change
    requirement (ePPOC, §7 [S:2]), an optional baseline interval the rule is restricted to and an
    optional target interval for the follow-up (remission). Per-item rules (PSFS) are applied by
    the caller to each item's pair.

    "worsened" applies the same points/percent thresholds in the other direction. UNVERIFIED: the
    published thresholds are improvement thresholds; their symmetric use for worsening is common
    practice but not stated in instruments.md. Rules with a target interval are never "worsened".
    """
    direction = _IMPROVEMENT_TO_DIRECTION.get(rule.improvement)
    if direction is None:
        raise ValueError(
            f"rule {rule.id}: improvement must be 'decrease' or 'increase' (got {rule.improvement!r})"
        )
    if baseline is None or not _is_number(baseline):
        return Unscorable(KEY, REASON_MISSING_BASELINE)
    if follow_up is None or not _is_number(follow_up):
        return Unscorable(KEY, REASON_MISSING_FOLLOW_UP)
    if rule.baseline is not None and not rule.baseline.contains(baseline):
        return Unscorable(
            KEY,
            REASON_BASELINE_OUTSIDE.format(
                rule=rule.id, interval=rule.baseline.describe(), value=baseline
            ),
        )
    band_changed: bool | None = None
    if rule.requires_band_change:
        if baseline_band is None or follow_up_band is None:
            return Unscorable(KEY, REASON_RULE_NEEDS_BANDS.format(rule=rule.id))
        band_changed = baseline_band != follow_up_band
    improvement = _toward_better(follow_up - baseline, direction)
    percent = None if baseline == 0 else 100 * improvement / abs(baseline)
    if rule.percent is not None and rule.points is None and percent is None:
        return Unscorable(KEY, REASON_PERCENT_OF_ZERO.format(rule=rule.id))
    target_met = None if rule.target is None else rule.target.contains(follow_up)

    up, points_up, percent_up = _thresholds_met(improvement, percent, rule)
    down, points_down, percent_down = _thresholds_met(
        -improvement, None if percent is None else -percent, rule
    )
    has_criterion = up is not None or target_met is not None
    improved = (
        has_criterion and up is not False and target_met is not False and band_changed is not False
    )
    worsened = not improved and down is True and target_met is None and band_changed is not False
    if improved:
        classification, points_met, percent_met = IMPORTANT_IMPROVEMENT, points_up, percent_up
    elif worsened:
        classification, points_met, percent_met = IMPORTANT_WORSENING, points_down, percent_down
    else:
        classification, points_met, percent_met = NO_IMPORTANT_CHANGE, points_up, percent_up
    return MinimalChange(
        baseline=float(baseline),
        follow_up=float(follow_up),
        improvement=improvement,
        improvement_percent=percent,
        points_met=points_met,
        percent_met=percent_met,
        band_changed=band_changed,
        target_met=target_met,
        classification=classification,
        rule_id=rule.id,
        source=rule.source,
    )


# --- CLI payload ------------------------------------------------------------------------------


class PayloadError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _optional_number(payload: Mapping[str, Any], field: str, prefix: str = "") -> float | None:
    """Absent or null = missing (gives Unscorable later); a string or NaN is malformed."""
    value = payload.get(field)
    if value is None:
        return None
    if not _is_number(value):
        raise PayloadError(
            f"{prefix}{field} must be a finite number (got {value!r})", prefix + field
        )
    return float(value)


def _parse_norm(norms: Mapping[str, Any], population: str) -> Norm | None:
    raw = norms.get(population)
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise PayloadError(
            f"norms.{population} must be an object {{mean, sd}}", f"norms.{population}"
        )
    mean = _optional_number(raw, "mean", f"norms.{population}.")
    sd = _optional_number(raw, "sd", f"norms.{population}.")
    if mean is None or sd is None:
        raise PayloadError(f"norms.{population} needs both mean and sd", f"norms.{population}")
    return Norm(
        score="total",
        population=population,
        mean=mean,
        sd=sd,
        source=str(raw.get("source", "given in the request")),
        evidence="unverified",
    )


def _rci_dict(rci: ReliableChange) -> dict[str, Any]:
    return {
        "baseline": rci.baseline,
        "follow_up": rci.follow_up,
        "difference": rci.difference,
        "sd": rci.sd,
        "reliability": rci.reliability,
        "direction": rci.direction,
        "se_measurement": rci.se_measurement,
        "s_diff": rci.s_diff,
        "rc": rci.rc,
        "smallest_reliable_change": rci.smallest_reliable_change,
        "criterion": rci.criterion,
        "classification": rci.classification,
        "s_diff_method": rci.method,
        "source": rci.source,
    }


def rci_payload(payload: object) -> dict[str, Any]:
    """JSON in, JSON out, for the command line.

    ``{"baseline": 40, "follow_up": 30, "sd": 7.5, "reliability": 0.85,
    "direction": "higher_is_worse"}`` (or ``"sem"`` instead of sd and reliability) plus,
    optionally, ``"clinical_cutoff": 32`` or ``"norms": {"dysfunctional": {"mean": .., "sd": ..},
    "functional": {"mean": .., "sd": ..}}`` with an optional ``"criterion": "a" | "b" | "c"``.

    Returns ``{"method": "rci", "scorable": true, ...}`` (with ``"clinical_significance"`` when a
    cut-off or norms were given), ``{"method": "rci", "scorable": false, "reason": ...}`` for
    missing or invalid values, or ``{"error": ..., "field": ...}`` for a malformed payload.
    """
    try:
        if not isinstance(payload, Mapping):
            raise PayloadError("payload must be a JSON object", "")
        direction = payload.get("direction")
        if direction not in DIRECTIONS:
            raise PayloadError(ERROR_DIRECTION.format(value=direction), "direction")
        baseline = _optional_number(payload, "baseline")
        follow_up = _optional_number(payload, "follow_up")
        sd = _optional_number(payload, "sd")
        reliability = _optional_number(payload, "reliability")
        sem = _optional_number(payload, "sem")
        if sem is not None and (sd is not None or reliability is not None):
            raise PayloadError(ERROR_SEM_AND_SD, "sem")
        cutoff = _optional_number(payload, "clinical_cutoff")
        criterion = payload.get("criterion")
        if criterion not in (None, "a", "b", "c"):
            raise PayloadError(
                f"criterion must be 'a', 'b' or 'c' (got {criterion!r})", "criterion"
            )
        if cutoff is not None and criterion is not None:
            raise PayloadError("give clinical_cutoff or criterion, not both", "criterion")
        raw_norms = payload.get("norms")
        if raw_norms is not None and not isinstance(raw_norms, Mapping):
            raise PayloadError("norms must be an object {dysfunctional, functional}", "norms")
        dysfunctional = _parse_norm(raw_norms, "dysfunctional") if raw_norms else None
        functional = _parse_norm(raw_norms, "functional") if raw_norms else None
    except PayloadError as error:
        return {"error": str(error), "field": error.field}

    rci = reliable_change_index(
        baseline, follow_up, sd=sd, reliability=reliability, sem=sem, direction=direction
    )
    if isinstance(rci, Unscorable):
        return {"method": KEY, "scorable": False, "reason": rci.reason}
    out: dict[str, Any] = {"method": KEY, "scorable": True, **_rci_dict(rci)}
    if any(v is not None for v in (cutoff, dysfunctional, functional, criterion)):
        significance = clinically_significant_change(
            baseline,
            follow_up,
            sd=sd,
            reliability=reliability,
            sem=sem,
            direction=direction,
            cutoff=cutoff,
            dysfunctional=dysfunctional,
            functional=functional,
            criterion=criterion,
        )
        if isinstance(significance, Unscorable):
            out["clinical_significance"] = {"scorable": False, "reason": significance.reason}
        else:
            out["clinical_significance"] = {
                "scorable": True,
                "cutoff": significance.cutoff,
                "cutoff_criterion": significance.cutoff_criterion,
                "baseline_functional": significance.baseline_functional,
                "follow_up_functional": significance.follow_up_functional,
                "crossed_cutoff": significance.crossed_cutoff,
                "classification": significance.classification,
                "source": significance.source,
            }
    return out


# --- change between two administrations of one instrument -------------------------------------

CHANGE_KEY = "change"
RELIABLE_CHANGE_RULE = "reliable_change"

ERROR_INSTRUMENT = "instrument must be an instrument key such as 'odi' (got {value!r})"
ERROR_SCORE = "score {value!r} is not a score of {name}; its scores are {known}"
ERROR_VALUE = "{field} must be a number (got {value!r})"
ERROR_RANGE = "{field} {value} is outside the {name} {label} range {low}-{high}"
REASON_PER_ITEM = (
    "This rule applies to each item's own rating (e.g. each PSFS activity), not to the {label}."
)
REASON_NO_DIRECTION = "{name} {label} has no direction of improvement, so no change rule applies."


def _exact(value: float) -> Fraction:
    """A JSON number as the decimal it was written as (0.1 stays 0.1)."""
    return Fraction(str(value)) if isinstance(value, float) else Fraction(value)


def _rule_result(
    rule: ChangeRule,
    baseline: float,
    follow_up: float,
    baseline_band: BandResult | None,
    follow_up_band: BandResult | None,
    label: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "kind": rule.kind,
        "improvement": rule.improvement,
        "points": rule.points,
        "percent": rule.percent,
        "combine": rule.combine,
        "inclusive": rule.inclusive,
        "requires_band_change": rule.requires_band_change,
        "baseline_interval": None if rule.baseline is None else rule.baseline.describe(),
        "target": None if rule.target is None else rule.target.describe(),
        "note": rule.note,
        "source": rule.source,
        "evidence": rule.evidence,
    }
    if rule.per_item:
        return {**out, "applies": False, "met": None, "reason": REASON_PER_ITEM.format(label=label)}
    result = mcid_change(
        baseline,
        follow_up,
        rule=rule,
        baseline_band=None if baseline_band is None else baseline_band.name,
        follow_up_band=None if follow_up_band is None else follow_up_band.name,
    )
    if isinstance(result, Unscorable):
        return {**out, "applies": False, "met": None, "reason": result.reason}
    return {
        **out,
        "applies": True,
        "met": result.classification == IMPORTANT_IMPROVEMENT,
        "classification": result.classification,
        "points_met": result.points_met,
        "percent_met": result.percent_met,
        "band_changed": result.band_changed,
        "target_met": result.target_met,
    }


def _reliable_change_result(
    params: ReliableChangeParameters, baseline: float, follow_up: float, direction: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": RELIABLE_CHANGE_RULE,
        "kind": RELIABLE_CHANGE_RULE,
        "criterion": f"|RC| > {RELIABLE_CHANGE_CRITERION}",
        "source": f"{RCI_SOURCE}; parameters: {params.source}",
        "evidence": params.evidence,
        "note": params.note,
    }
    result = reliable_change_from_parameters(
        baseline,
        follow_up,
        params,
        direction=direction,  # type: ignore[arg-type]
    )
    if isinstance(result, Unscorable):
        return {**out, "applies": False, "met": None, "reason": result.reason}
    return {
        **out,
        "applies": True,
        "met": result.classification == RELIABLY_IMPROVED,
        "classification": result.classification,
        "rc": result.rc,
        "s_diff": result.s_diff,
        "smallest_reliable_change": result.smallest_reliable_change,
        "s_diff_method": result.method,
    }


def instrument_change(
    instrument: Instrument, score_id: str, baseline: float, follow_up: float
) -> dict[str, Any]:
    """Change from ``baseline`` to ``follow_up`` on one score of ``instrument``, judged by every
    change rule the definition declares for that score (MCID/MIC/MDC/response/remission/tiers,
    each with its source) and by the reliable change index where the definition gives its
    parameters (instruments.md §23). Both values must already be checked against the range.

    ``change`` is follow-up minus baseline (raw units); ``percent_change`` is that change as a
    percentage of the baseline (None from a baseline of 0). A rule is ``met`` when it shows an
    important improvement; ``applies`` is False (with a ``reason``) where a rule cannot be used.
    """
    rule = instrument.score_rule(score_id)
    assert rule is not None  # the payload parser checks the score id
    label = rule.label
    direction = instrument.score_direction(score_id)
    low, high = _exact(baseline), _exact(follow_up)
    difference = high - low
    baseline_band = band_for(rule, low)
    follow_up_band = band_for(rule, high)
    rules: list[dict[str, Any]] = []
    if direction not in DIRECTIONS:
        reason = REASON_NO_DIRECTION.format(name=instrument.short_name, label=label)
        rules = [
            {"id": r.id, "kind": r.kind, "applies": False, "met": None, "reason": reason}
            for r in instrument.change
            if r.score == score_id
        ]
    else:
        rules = [
            _rule_result(r, baseline, follow_up, baseline_band, follow_up_band, label)
            for r in instrument.change
            if r.score == score_id
        ]
        rules += [
            _reliable_change_result(params, baseline, follow_up, direction)
            for params in instrument.rci
            if params.score == score_id
        ]
    notes = []
    if not rules:
        notes.append(
            f"No change threshold or reliable-change parameters are published for the "
            f"{instrument.short_name} {label}: report the change and the bands only."
        )
    return {
        "method": CHANGE_KEY,
        "instrument": instrument.key,
        "version": instrument.version,
        "score": score_id,
        "score_label": label,
        "direction": direction,
        "baseline": as_number(low),
        "follow_up": as_number(high),
        "change": as_number(difference),
        "percent_change": None if low == 0 else as_number(difference / abs(low) * 100),
        "baseline_band": None if baseline_band is None else to_data(baseline_band),
        "follow_up_band": None if follow_up_band is None else to_data(follow_up_band),
        "band_changed": None
        if baseline_band is None or follow_up_band is None
        else baseline_band.name != follow_up_band.name,
        "rules": rules,
        "notes": notes,
        "source": rule.source,
    }


def _score_value(
    payload: Mapping[str, Any], field: str, instrument: Instrument, rule_id: str
) -> float:
    value = payload.get(field)
    if not _is_number(value):
        raise PayloadError(ERROR_VALUE.format(field=field, value=value), field)
    rule = instrument.score_rule(rule_id)
    assert rule is not None
    low, high = rule.range
    if not low <= value <= high:
        raise PayloadError(
            ERROR_RANGE.format(
                field=field,
                value=value,
                name=instrument.short_name,
                label=rule.label,
                low=low,
                high=high,
            ),
            field,
        )
    return value


def change_payload(payload: object) -> dict[str, Any]:
    """JSON in, JSON out: ``manage.py score change`` (or ``score KEY --change``).

    ``{"instrument": "odi", "baseline": 46, "follow_up": 24}`` with an optional ``"score"``
    (a subscale or derived score id; default the instrument's total). Returns
    ``instrument_change``'s dict, or ``{"error": ..., "field": ...}`` naming the bad field.
    """
    from assessment.instruments import get  # the package imports the definitions

    try:
        if not isinstance(payload, Mapping):
            raise PayloadError("payload must be a JSON object", "payload")
        key = payload.get("instrument")
        if not isinstance(key, str):
            raise PayloadError(ERROR_INSTRUMENT.format(value=key), "instrument")
        try:
            instrument = get(key)
        except KeyError as exc:
            raise PayloadError(str(exc.args[0]), "instrument") from None
        score_id = payload.get("score", instrument.primary)
        if not isinstance(score_id, str) or instrument.score_rule(score_id) is None:
            known = ", ".join(rule.id for rule in instrument.scores)
            raise PayloadError(
                ERROR_SCORE.format(value=score_id, name=instrument.short_name, known=known),
                "score",
            )
        baseline = _score_value(payload, "baseline", instrument, score_id)
        follow_up = _score_value(payload, "follow_up", instrument, score_id)
    except PayloadError as error:
        return {"error": str(error), "field": error.field}
    return instrument_change(instrument, score_id, baseline, follow_up)
