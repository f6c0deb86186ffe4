"""The JSON report of ``manage.py sced_analyse FILE.csv``. Pure: no Django.

One report per scan long-format file (``sced.stats.scan_csv``): for every case the descriptives,
visual aids and effect sizes of ``sced.stats.analysis.analyse_case`` plus a randomization test;
for a file with several AB cases also the multiple-baseline randomization test across them.

A statistic that cannot be computed is a value with a reason (``{"error": …}``), not an
exception, so one odd case does not hide the others (STYLE.md §3.5).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sced.stats import randomization as rt
from sced.stats.analysis import analyse_case
from sced.stats.inputs import DEFAULTS
from sced.stats.scan_csv import Case, read_scan_csv

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

REPORT_FORMAT = "painclinic.sced_report"
REPORT_VERSION = 1

MSG_DESIGN = (
    "No randomization test for the phase sequence {labels}: tests are defined for AB, ABA and "
    "ABAB designs and for AB multiple-baseline designs (sced.md §2.13)."
)
MSG_POWER = (
    "Only {n} admissible assignments: the smallest attainable p is {p:.3g}, above alpha = "
    "{alpha:.3g}, so this test cannot show an effect whatever the data (sced.md §5 P12)."
)
MSG_VALIDITY = (
    "Valid only if the start point was drawn at random from the declared admissible set before "
    "the data were seen (sced.md §5 P12)."
)
MSG_INDEPENDENT = (
    "Cases analysed as independent series: no randomization test across cases was run."
)
MSG_MBD_TIERS = (
    "The multiple-baseline test needs every case to be an AB series; {case!r} is {design}."
)


def _letters(case: Case) -> str:
    # Design from the phase letters, case-insensitively (A, a1, B2 … -> "ABAB"; sced.md §7).
    return "".join(p.label.strip()[:1].upper() for p in case.phases)


def _design(case: Case) -> str:
    letters = _letters(case)
    return letters if letters in ("AB", "ABA", "ABAB") else "other"


def _phase_starts(case: Case) -> tuple[int, ...]:
    """1-based start point of phases 2..k, counted over observed values."""
    starts: list[int] = []
    session = 1
    for phase in case.phases[:-1]:
        session += len(phase.values)
        starts.append(session)
    return tuple(starts)


def _analysis(
    case: Case,
    *,
    improvement: str,
    tau_u_variant: str,
    confidence: float,
    design: str,
    analysis_options: Mapping[str, Any],
) -> dict[str, Any]:
    try:
        return analyse_case(
            case.phase_pairs(),
            improvement=improvement,  # type: ignore[arg-type]
            tau_u_variant=tau_u_variant,
            confidence=confidence,
            design=design if design != "other" else None,  # type: ignore[arg-type]
            **analysis_options,
        )
    except ValueError as exc:
        return {"error": str(exc)}


def _warnings(result: rt.RandomizationResult, confidence: float) -> list[str]:
    alpha = 1.0 - confidence
    out = [MSG_VALIDITY]
    if result.smallest_possible_p > alpha:
        # The reference set actually used (its size is a small int even when the declared set
        # is astronomically large and was sampled).
        out.append(
            MSG_POWER.format(n=result.n_assignments, p=result.smallest_possible_p, alpha=alpha)
        )
    return out


def _result_dict(
    result: rt.RandomizationResult,
    *,
    actual: tuple[int, ...],
    admissible: Sequence[Any],
    scheme: str,
    confidence: float,
    include_distribution: bool,
) -> dict[str, Any]:
    out = result.to_dict()
    if not include_distribution:
        out.pop("distribution")
    out["actual_start"] = actual[0] if result.design == "AB" else list(actual)
    out["scheme"] = scheme
    if rt.assignment_count(admissible) <= 10_000:
        if isinstance(admissible, rt.IndependentStartPoints | rt.RegulatedStartPoints):
            out["admissible"] = admissible.as_array().tolist()
        else:
            out["admissible"] = [a if isinstance(a, int) else list(a) for a in admissible]
    out["warnings"] = _warnings(result, confidence)
    return out


def _case_randomization(
    case: Case,
    *,
    design: str,
    improvement: str,
    confidence: float,
    min_phase_length: int,
    admissible_starts: Sequence[int] | Sequence[Sequence[int]] | None,
    statistic: str,
    method: str,
    seed: int,
    n_random: int,
    include_distribution: bool,
) -> dict[str, Any]:
    if design == "other":
        return {"error": MSG_DESIGN.format(labels=[p.label for p in case.phases])}
    values = case.values
    actual = _phase_starts(case)
    try:
        if admissible_starts is not None:
            admissible: Sequence[Any] = (
                tuple(int(a) for a in admissible_starts)  # type: ignore[arg-type]
                if design == "AB"
                else tuple(tuple(int(v) for v in a) for a in admissible_starts)  # type: ignore[union-attr]
            )
            scheme = "declared start points"
        elif design == "AB":
            admissible = rt.admissible_start_points(len(values), min_phase_length=min_phase_length)
            scheme = f"AB random start point, each phase >= {min_phase_length} (SCRT 'AB')"
        else:
            admissible = rt.admissible_change_points(
                len(values), n_phases=len(case.phases), min_phase_length=min_phase_length
            )
            scheme = (
                f"{design} random phase changes, each phase >= {min_phase_length} (SCRT '{design}')"
            )
        if statistic == "phase_means_difference" and design == "AB":
            statistic = "mean_difference"  # identical for two phases
        result = rt.randomization_test(
            values,
            actual if design != "AB" else actual[0],
            admissible=admissible,
            improvement=improvement,  # type: ignore[arg-type]
            statistic=statistic,  # type: ignore[arg-type]
            method=method,  # type: ignore[arg-type]
            n_random=n_random,
            seed=seed,
        )
    except ValueError as exc:
        return {"error": str(exc)}
    return _result_dict(
        result,
        actual=actual,
        admissible=admissible,
        scheme=scheme,
        confidence=confidence,
        include_distribution=include_distribution,
    )


def _mbd_randomization(
    cases: Sequence[Case],
    *,
    improvement: str,
    confidence: float,
    min_phase_length: int,
    mbd_start_sets: Sequence[Sequence[int]] | None,
    statistic: str,
    method: str,
    seed: int,
    n_random: int,
    include_distribution: bool,
) -> dict[str, Any]:
    tiers = [case.values for case in cases]
    actual = tuple(_phase_starts(case)[0] for case in cases)
    try:
        admissible: rt.IndependentStartPoints | rt.RegulatedStartPoints
        if mbd_start_sets is not None:
            admissible = rt.regulated_mbd_start_points(mbd_start_sets)
            scheme = (
                "regulated: one start point from each declared set, sets permuted over tiers "
                "(Koehler & Levin 1998; SCRT 'MBD')"
            )
        else:
            admissible = rt.admissible_mbd_start_points(
                [len(t) for t in tiers], min_phase_length=min_phase_length
            )
            scheme = (
                f"independent start points per tier, each phase >= {min_phase_length} "
                "(scan rand_test); no staggering enforced"
            )
        result = rt.randomization_test(
            tiers,
            actual,
            admissible=admissible,
            improvement=improvement,  # type: ignore[arg-type]
            statistic="nap" if statistic == "nap" else "mean_difference",
            method=method,  # type: ignore[arg-type]
            n_random=n_random,
            seed=seed,
        )
    except ValueError as exc:
        return {"error": str(exc)}
    out = _result_dict(
        result,
        actual=actual,
        admissible=admissible,
        scheme=scheme,
        confidence=confidence,
        include_distribution=include_distribution,
    )
    out["tiers"] = [case.name for case in cases]
    return out


def analyse_cases(
    cases: Sequence[Case],
    *,
    improvement: Literal["increase", "decrease"],
    tau_u_variant: str = DEFAULTS.tau_u_variant,
    confidence: float = DEFAULTS.confidence,
    min_phase_length: int = DEFAULTS.min_phase_length,
    admissible_starts: Sequence[int] | Sequence[Sequence[int]] | None = None,
    mbd_start_sets: Sequence[Sequence[int]] | None = None,
    statistic: str = DEFAULTS.statistic,
    method: str = DEFAULTS.method,
    seed: int = DEFAULTS.seed,
    n_random: int = DEFAULTS.n_random,
    include_distribution: bool = True,
    analysis_options: Mapping[str, Any] | None = None,
    independent_cases: bool = False,
) -> dict[str, Any]:
    """The report for already parsed cases (see ``analyse_scan_csv``).

    ``independent_cases``: the cases are separate studies (e.g. a batch of patients), so no
    multiple-baseline test across them is run; each case keeps its own test.
    """
    if improvement not in ("increase", "decrease"):
        raise ValueError(rt.ERR_IMPROVEMENT.format(improvement=improvement))
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1 (got {confidence!r}).")
    if statistic not in rt.STATISTICS:
        raise ValueError(
            rt.ERR_STATISTIC.format(statistic=statistic, choices=", ".join(rt.STATISTICS))
        )
    report_cases: list[dict[str, Any]] = []
    for case in cases:
        design = _design(case)
        report_cases.append(
            {
                "case": case.name,
                "design": design,
                "phases": [
                    {"label": p.label, "n": len(p.values), "values": list(p.values)}
                    for p in case.phases
                ],
                "n_missing": case.n_missing,
                "analysis": _analysis(
                    case,
                    improvement=improvement,
                    tau_u_variant=tau_u_variant,
                    confidence=confidence,
                    design=design,
                    analysis_options=analysis_options or {},
                ),
                "randomization": _case_randomization(
                    case,
                    design=design,
                    improvement=improvement,
                    confidence=confidence,
                    min_phase_length=min_phase_length,
                    admissible_starts=admissible_starts,
                    statistic=statistic,
                    method=method,
                    seed=seed,
                    n_random=n_random,
                    include_distribution=include_distribution,
                ),
            }
        )

    multiple_baseline: dict[str, Any] | None = None
    if len(cases) >= 2 and independent_cases:
        multiple_baseline = {"skipped": MSG_INDEPENDENT}
    elif len(cases) >= 2:
        not_ab = [(c.name, _design(c)) for c in cases if _design(c) != "AB"]
        if not_ab:
            multiple_baseline = {
                "error": MSG_MBD_TIERS.format(case=not_ab[0][0], design=not_ab[0][1])
            }
        else:
            multiple_baseline = _mbd_randomization(
                cases,
                improvement=improvement,
                confidence=confidence,
                min_phase_length=min_phase_length,
                mbd_start_sets=mbd_start_sets,
                statistic=statistic,
                method=method,
                seed=seed,
                n_random=n_random,
                include_distribution=include_distribution,
            )

    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "options": {
            "improvement": improvement,
            "tau_u_variant": tau_u_variant,
            "confidence": confidence,
            "min_phase_length": min_phase_length,
            "admissible_starts": None
            if admissible_starts is None
            else [a if isinstance(a, int) else list(a) for a in admissible_starts],
            "mbd_start_sets": None if mbd_start_sets is None else [list(s) for s in mbd_start_sets],
            "statistic": statistic,
            "method": method,
            "seed": seed,
            "n_random": n_random,
            "analysis_options": dict(analysis_options or {}),
            "independent_cases": independent_cases,
        },
        "cases": report_cases,
        "multiple_baseline": multiple_baseline,
    }


def analyse_scan_csv(
    text: str,
    *,
    improvement: Literal["increase", "decrease"],
    tau_u_variant: str = DEFAULTS.tau_u_variant,
    confidence: float = DEFAULTS.confidence,
    min_phase_length: int = DEFAULTS.min_phase_length,
    admissible_starts: Sequence[int] | Sequence[Sequence[int]] | None = None,
    mbd_start_sets: Sequence[Sequence[int]] | None = None,
    statistic: str = DEFAULTS.statistic,
    method: str = DEFAULTS.method,
    seed: int = DEFAULTS.seed,
    n_random: int = DEFAULTS.n_random,
    include_distribution: bool = True,
    analysis_options: Mapping[str, Any] | None = None,
    independent_cases: bool = False,
) -> dict[str, Any]:
    """Analyse a scan long-format CSV text (``sced.stats.scan_csv``) into a JSON-ready dict.

    Per case: ``analyse_case`` output plus a randomization test whose observed assignment is
    where the file's phases change (start points count observed values, missing ones dropped,
    as scan's ``rand_test`` does). The admissible set is ``admissible_starts`` when given (the
    set declared in the plan: ints for AB, tuples of phase start points for ABA/ABAB) or every
    assignment with phases of at least ``min_phase_length``. With several AB cases the file is
    read as a multiple-baseline design across cases: ``mbd_start_sets`` (one declared set per
    tier) gives the SCRT/Koehler–Levin test, otherwise scan's independent start points are used.
    ``analysis_options`` go to ``analyse_case`` unchanged (e.g. ``lrr_scale``, ``goal``).
    Raises ``ScanCsvError`` for an unreadable file.
    """
    return analyse_cases(
        read_scan_csv(text, batch=independent_cases),
        improvement=improvement,
        tau_u_variant=tau_u_variant,
        confidence=confidence,
        min_phase_length=min_phase_length,
        admissible_starts=admissible_starts,
        mbd_start_sets=mbd_start_sets,
        statistic=statistic,
        method=method,
        seed=seed,
        n_random=n_random,
        include_distribution=include_distribution,
        analysis_options=analysis_options,
        independent_cases=independent_cases,
    )


# Python refuses to print an int of more than 4,300 digits (sys.int_info.str_digits_check_threshold
# default); an admissible count that large is written as a power of ten instead.
_MAX_JSON_INT_DIGITS = 4000


def _json_safe(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value.bit_length() > _MAX_JSON_INT_DIGITS * 3.32
    ):
        return f"about 10^{math.log10(abs(value)):.0f}"
    # JSON has no Inf/NaN: write them as the reference file does ("Inf", "-Inf", "NaN"; sced.md §1).
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Inf" if value > 0 else "-Inf")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def dumps_report(report: dict[str, Any], *, indent: int | None = 2) -> str:
    """Strict JSON text of a report (non-finite numbers as strings, never bare NaN)."""
    return json.dumps(_json_safe(report), indent=indent, allow_nan=False, ensure_ascii=False)
