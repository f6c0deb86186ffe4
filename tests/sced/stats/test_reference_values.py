"""Every worked example in the SCED reference values, checked against our numbers.

The values are the repository's copy of shared/reference/sced_examples.json
(tests/sced/stats/fixtures/, provenance in its README); a missing file fails the run.

Expected values are the R packages' own output (SingleCaseES 0.7.4, scan 0.67.1) or the
oracle blocks the reference tells us to use; tolerances are those of sced.md §1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sced.stats import descriptives as de
from sced.stats import nonoverlap as no
from sced.stats import parametric as pa
from sced.stats import visual as vi
from sced.stats.phases import Phase
from tests.sced.reference import SHA256, load_reference, reference_sha256

# sced.md §1 tolerances: (kind, value)
COUNT = ("abs", 1e-12)  # counts and ratios of counts
CLOSED = ("rel", 1e-9)  # closed-form SEs/CIs, scan Z/p/Fisher-z CIs
UNIROOT = ("abs", 2e-4)  # SingleCaseES NAP/Tau CI limits (uniroot)
FORTRAN = ("abs", 1e-6)  # SingleCaseES Tau_BC(Kendall = TRUE), single precision


DATA = load_reference()


def _blocks() -> Iterator[tuple[str, str, list[float], list[float], str, dict, dict, int]]:
    """(dataset, comparison, A, B, improvement, results, options, first A session) per comparison."""
    assert DATA is not None
    for ds in DATA["datasets"]:
        imp, res, opts = ds["improvement"], ds["results"], ds["options"]
        if ds["design"] == "MBD":
            for tier in ds["tiers"]:
                a, b = (p["values"] for p in tier["phases"])
                yield ds["id"], tier["tier"], a, b, imp, res[tier["tier"]], opts, 1
            continue
        ph = [p["values"] for p in ds["phases"]]
        if len(ph) == 2:
            yield ds["id"], "A-B", ph[0], ph[1], imp, res["A-B"], opts, 1
        else:
            yield ds["id"], "A1-B1", ph[0], ph[1], imp, res["A1-B1"], opts, 1
            a2_start = len(ph[0]) + len(ph[1]) + 1
            yield ds["id"], "A2-B2", ph[2], ph[3], imp, res["A2-B2"], opts, a2_start
            a = ph[0] + ph[2]
            b = ph[1] + ph[3]
            yield ds["id"], "pooled_A_vs_B", a, b, imp, res["pooled_A_vs_B"], opts, 1


Check = tuple[str, Callable[[], Any], Any, tuple[str, float]]


def _es_checks(tag: str, fn: Callable[[], no.EffectSize], exp: dict, ci_tol=CLOSED) -> list[Check]:
    out: list[Check] = [(f"{tag}.est", lambda: fn().estimate, exp["est"], COUNT)]
    if "se" in exp:
        out.append((f"{tag}.se", lambda: fn().se, exp["se"], CLOSED))
    if "ci_lower" in exp and ci_tol == UNIROOT:
        # NAP/Tau/Tau-BC: we report Newcombe's interior root at NAP = 0 or 1 (sced.md §5 P3) and
        # keep SingleCaseES's interval as ci_reference; elsewhere the two are the same interval.
        def ref(i: int) -> Callable[[], float | None]:
            return lambda: (fn().ci_reference or (None, None))[i]

        out.append((f"{tag}.ci_reference_lower", ref(0), exp["ci_lower"], ci_tol))
        out.append((f"{tag}.ci_reference_upper", ref(1), exp["ci_upper"], ci_tol))
        out.append((f"{tag}.ci_lower", _ours_or_reference(fn, 0), exp["ci_lower"], ci_tol))
        out.append((f"{tag}.ci_upper", _ours_or_reference(fn, 1), exp["ci_upper"], ci_tol))
    elif "ci_lower" in exp:
        out.append((f"{tag}.ci_lower", lambda: fn().ci_lower, exp["ci_lower"], ci_tol))
        out.append((f"{tag}.ci_upper", lambda: fn().ci_upper, exp["ci_upper"], ci_tol))
    return out


def _ours_or_reference(fn: Callable[[], no.EffectSize], i: int) -> Callable[[], float | None]:
    """Our limit, which must equal SingleCaseES's wherever its interval has width; where it has
    none (NAP = 0 or 1) ours is deliberately wider and the tests in test_edge_cases check it."""

    def limit() -> float | None:
        res = fn()
        ref = res.ci_reference
        return ref[i] if ref is not None and ref[0] == ref[1] else (res.ci_lower, res.ci_upper)[i]

    return limit


def _singlecasees_checks(a, b, imp, se: dict, opts: dict, tag: str) -> list[Check]:
    checks: list[Check] = []
    for key, method in (("NAP", "unbiased"), ("NAP_SE_Hanley", "Hanley"), ("NAP_SE_null", "null")):
        fn = lambda m=method: no.nap(a, b, improvement=imp, se_method=m)  # noqa: E731
        checks += _es_checks(f"{tag}.{key}", fn, se[key], ci_tol=UNIROOT)
    checks += _es_checks(f"{tag}.Tau", lambda: no.tau(a, b, improvement=imp), se["Tau"], UNIROOT)
    checks.append(
        (
            f"{tag}.Tau_U",
            lambda: no.tau_u_singlecasees(a, b, improvement=imp).estimate,
            se["Tau_U"]["est"],
            COUNT,
        )
    )
    for key, fn in (("PND", no.pnd), ("PEM", no.pem), ("PAND", no.pand), ("IRD", no.ird)):
        checks.append(
            (f"{tag}.{key}", lambda f=fn: f(a, b, improvement=imp).estimate, se[key]["est"], COUNT)
        )
    tbc = lambda: no.tau_bc(a, b, improvement=imp)  # noqa: E731
    checks += _es_checks(f"{tag}.Tau_BC", tbc, se["Tau_BC"], ci_tol=UNIROOT)
    for k in ("slope", "intercept"):
        checks.append((f"{tag}.Tau_BC.{k}", lambda k=k: tbc().details[k], se["Tau_BC"][k], CLOSED))
    for key, alpha in (("Tau_BC_Kendall", None), ("Tau_BC_Kendall_pretest05", 0.05)):
        fn = lambda al=alpha: no.tau_bc(a, b, improvement=imp, kendall=True, pretest_alpha=al)  # noqa: E731
        for col, attr in (
            ("est", "estimate"),
            ("se", "se"),
            ("ci_lower", "ci_lower"),
            ("ci_upper", "ci_upper"),
        ):
            checks.append(
                (
                    f"{tag}.{key}.{col}",
                    lambda f=fn, at=attr: getattr(f(), at),
                    se[key][col],
                    FORTRAN,
                )
            )
        if alpha is not None:
            checks.append(
                (
                    f"{tag}.{key}.pval_slope_A",
                    lambda f=fn: f().details["pval_slope_A"],
                    se[key]["pval_slope_A"],
                    FORTRAN,
                )
            )
    scale = opts["lrr_scale"]
    parametric = {
        "SMD_baseline": lambda: pa.smd(a, b, improvement=imp),
        "SMD_baseline_no_bias_correction": lambda: pa.smd(
            a, b, improvement=imp, bias_correct=False
        ),
        "SMD_pool": lambda: pa.smd(a, b, improvement=imp, std_dev="pool"),
        "LRRd": lambda: pa.lrrd(a, b, improvement=imp, scale=scale),
        "LRRi": lambda: pa.lrri(a, b, improvement=imp, scale=scale),
        "LRRd_no_bias_correction": lambda: pa.lrrd(
            a, b, improvement=imp, scale=scale, bias_correct=False
        ),
        "LRRi_no_bias_correction": lambda: pa.lrri(
            a, b, improvement=imp, scale=scale, bias_correct=False
        ),
        "LRRd_scale_count": lambda: pa.lrrd(a, b, improvement=imp, scale="count"),
        "LRRi_scale_count": lambda: pa.lrri(a, b, improvement=imp, scale="count"),
        "LRM": lambda: pa.lrm(a, b, improvement=imp),
        "PoGO": lambda: pa.pogo(a, b, goal=opts["goal"], improvement=imp),
    }
    for key, fn in parametric.items():
        if key not in se:
            continue
        exp = dict(se[key])
        checks += [(n, f, e, CLOSED) for n, f, e, _ in _es_checks(f"{tag}.{key}", fn, exp)]
        for sd_key in ("baseline_SD", "pooled_SD"):
            if sd_key in exp:
                checks.append(
                    (
                        f"{tag}.{key}.{sd_key}",
                        lambda f=fn, k=sd_key: f().details[k],
                        exp[sd_key],
                        CLOSED,
                    )
                )
        for pk in ("Pct_Change_d", "Pct_Change_i"):
            if pk in exp:
                for col, det in (
                    ("est", "pct_change"),
                    ("ci_lower", "pct_change_ci_lower"),
                    ("ci_upper", "pct_change_ci_upper"),
                ):
                    checks.append(
                        (
                            f"{tag}.{key}.{pk}.{col}",
                            lambda f=fn, d=det: f().details[d],
                            exp[pk][col],
                            CLOSED,
                        )
                    )
    return checks


TAU_U_CALLS = {
    "tau_u_complete": {"method": "complete", "tau_method": "b"},
    "tau_u_parker": {"method": "parker"},
    "tau_u_tarlow": {"method": "tarlow"},
    "tau_u_complete_tau_a": {"method": "complete", "tau_method": "a"},
}


def _scan_checks(a, b, imp, sc: dict, tag: str) -> list[Check]:
    checks: list[Check] = []
    for key, kwargs in TAU_U_CALLS.items():
        table = lambda kw=kwargs: no.tau_u_table(a, b, improvement=imp, **kw)  # noqa: E731
        for row, cols in sc[key]["table"].items():
            for col, exp in cols.items():
                attr = {
                    "Tau": "estimate",
                    "CI lower": "ci_lower",
                    "CI upper": "ci_upper",
                    "SE_Tau": "se",
                }.get(col)
                if attr:
                    fn = lambda t=table, r=row, at=attr: getattr(t()[r], at)  # noqa: E731
                else:
                    fn = lambda t=table, r=row, c=col: t()[r].details[c]  # noqa: E731
                tol = COUNT if col in ("pairs", "pos", "neg", "ties", "S", "Tau", "n") else CLOSED
                checks.append((f"{tag}.{key}.{row}.{col}", fn, exp, tol))
    ct = lambda: no.corrected_tau_scan(a, b, improvement=imp)  # noqa: E731
    exp_ct = sc["corrected_tau"]
    checks.append((f"{tag}.corrected_tau.tau", lambda: ct()["tau"], exp_ct["tau"], CLOSED))
    checks.append(
        (
            f"{tag}.corrected_tau.applied",
            lambda: ct()["correction_applied"],
            exp_ct["correction_applied"],
            COUNT,
        )
    )
    for part in ("baseline_autocorrelation", "uncorrected_tau", "baseline_corrected_tau"):
        for col in ("tau", "z", "p"):
            checks.append(
                (
                    f"{tag}.corrected_tau.{part}.{col}",
                    lambda p=part, c=col: ct()[p][c],
                    exp_ct[part][col],
                    CLOSED,
                )
            )
    checks.append(
        (
            f"{tag}.nap%",
            lambda: no.nap(a, b, improvement=imp).details["percent"],
            sc["nap"]["NAP_percent"],
            COUNT,
        )
    )
    checks.append(
        (
            f"{tag}.pnd%",
            lambda: no.pnd(a, b, improvement=imp).details["percent"],
            sc["pnd"]["PND_percent"],
            COUNT,
        )
    )
    strict = lambda: no.pem(a, b, improvement=imp, ties="strict")  # noqa: E731
    checks.append(
        (f"{tag}.pem%", lambda: strict().details["percent"], sc["pem"]["PEM_percent"], COUNT)
    )
    checks.append(
        (f"{tag}.pem.binom_p", lambda: strict().details["binom_p"], sc["pem"]["binom_p"], CLOSED)
    )
    pand = lambda: no.pand(a, b, improvement=imp)  # noqa: E731
    checks.append(
        (
            f"{tag}.pand%",
            lambda: pand().details["percent"],
            sc["pand_minimum"]["PAND_percent"],
            COUNT,
        )
    )
    checks.append(
        (
            f"{tag}.pand.overlaps",
            lambda: pand().details["overlaps"],
            sc["pand_minimum"]["overlaps"],
            COUNT,
        )
    )
    checks.append(
        (f"{tag}.ird", lambda: no.ird(a, b, improvement=imp).estimate, sc["ird"]["IRD"], COUNT)
    )
    return checks


STABILITY_KEYS = {
    "stability_envelope_prop_within_20pct_of_median": "stability_within_20pct",
    "stability_envelope_prop_within_25pct_of_median": "stability_within_25pct",
}


def _visual_checks(a, b, imp, va: dict, a_start: int, tag: str) -> list[Check]:
    # visual_aids blocks are the oracle's base-R code on global session numbers (sced.md §3)
    checks: list[Check] = []
    for key, values, start in (("phase_A", a, a_start), ("phase_B", b, a_start + len(a))):
        desc = lambda v=values, s=start, k=key: de.describe_phase(  # noqa: E731
            Phase(k, tuple(v)), first_session=s
        ).to_dict()
        for name, exp in va[key].items():
            ours = STABILITY_KEYS.get(name, name)
            if isinstance(exp, dict):
                for part, e in exp.items():
                    checks.append(
                        (
                            f"{tag}.visual.{key}.{name}.{part}",
                            lambda d=desc, o=ours, p=part: d()[o][p],
                            e,
                            CLOSED,
                        )
                    )
            else:
                checks.append(
                    (f"{tag}.visual.{key}.{name}", lambda d=desc, o=ours: d()[o], exp, CLOSED)
                )
    adjacent = lambda: de.compare_adjacent(a, b, improvement=imp, a_start=a_start)  # noqa: E731
    for name, exp in va["A_vs_B"].items():
        checks.append((f"{tag}.visual.A_vs_B.{name}", lambda n=name: adjacent()[n], exp, CLOSED))
    return checks


def _cdc_checks(a, b, imp, sc: dict, tag: str) -> list[Check]:
    checks: list[Check] = []
    for key, method in (("cdc_OLS", "OLS"), ("cdc_bisplit", "bisplit")):
        if key not in sc:
            continue
        fn = lambda m=method: vi.cdc_lines(a, b, improvement=imp, trend_method=m)  # noqa: E731
        exp = sc[key]
        checks.append(
            (f"{tag}.{key}.exceeding", lambda f=fn: f().exceeding, exp["exceeding"], COUNT)
        )
        checks.append((f"{tag}.{key}.n_B", lambda f=fn: f().n_b, exp["n_B"], COUNT))
        checks.append((f"{tag}.{key}.binom_p", lambda f=fn: f().binom_p, exp["binom_p"], CLOSED))
        checks.append((f"{tag}.{key}.decision", lambda f=fn: f().decision, exp["decision"], COUNT))
    return checks


def _oracle_checks(a, b, imp, orc: dict, tag: str) -> list[Check]:
    # sced.md §5 P5: Tau-BC is compared with residuals rounded to 9 decimals (tie-robust oracle)
    exp, expk = orc["Tau_BC_rounded_residuals"], orc["Tau_BC_Kendall_rounded_residuals"]
    return [
        (
            f"{tag}.oracle.Tau_BC",
            lambda: no.tau_bc(a, b, improvement=imp).estimate,
            exp["est"],
            COUNT,
        ),
        (
            f"{tag}.oracle.Tau_BC_Kendall",
            lambda: no.tau_bc(a, b, improvement=imp, kendall=True).estimate,
            expk["est"],
            CLOSED,
        ),
        (
            f"{tag}.oracle.Tau_BC_Kendall.se",
            lambda: no.tau_bc(a, b, improvement=imp, kendall=True).se,
            expk["se"],
            CLOSED,
        ),
        (
            f"{tag}.oracle.theil_sen.slope",
            lambda: no.theil_sen(a).slope,
            orc["theil_sen"]["slope"],
            CLOSED,
        ),
        (
            f"{tag}.oracle.theil_sen.intercept",
            lambda: no.theil_sen(a).intercept,
            orc["theil_sen"]["intercept"],
            CLOSED,
        ),
    ]


def _across_checks(ds: dict) -> list[Check]:
    res = ds["results"]["across_tiers"]
    imp = ds["improvement"]
    cases = [tuple(p["values"] for p in t["phases"]) for t in ds["tiers"]]
    checks: list[Check] = []
    for key, method in (("tau_u_meta_complete", "complete"), ("tau_u_meta_parker", "parker")):
        for row, exp in res[key].items():
            if row == "call":
                continue

            def fn(r: str = row, m: str = method) -> no.EffectSize:
                rows = [no.tau_u_table(a, b, improvement=imp, method=m)[r] for a, b in cases]
                return no.tau_u_meta(rows)

            for col, attr in (
                ("tau_u", "estimate"),
                ("se", "se"),
                ("ci_lower", "ci_lower"),
                ("ci_upper", "ci_upper"),
            ):
                checks.append(
                    (
                        f"{ds['id']}.{key}.{row}.{col}",
                        lambda f=fn, at=attr: getattr(f(), at),
                        exp[col],
                        CLOSED,
                    )
                )
            for col in ("z", "p"):
                checks.append(
                    (
                        f"{ds['id']}.{key}.{row}.{col}",
                        lambda f=fn, c=col: f().details[c],
                        exp[col],
                        CLOSED,
                    )
                )
    pooled = lambda: no.pand_pooled(cases, improvement=imp)  # noqa: E731
    checks.append(
        (
            f"{ds['id']}.pand_pooled",
            lambda: pooled()[0].details["percent"],
            res["pand_minimum_pooled"]["PAND_percent"],
            COUNT,
        )
    )
    checks.append(
        (f"{ds['id']}.ird_pooled", lambda: pooled()[1].estimate, res["ird_pooled"]["IRD"], COUNT)
    )
    return checks


def _aggregate_checks(ds: dict) -> list[Check]:
    agg = ds["results"]["aggregated_over_phase_pairs"]["SingleCaseES"]
    imp = ds["improvement"]
    ph = [p["values"] for p in ds["phases"]]
    pairs = [(ph[0], ph[1]), (ph[2], ph[3])]
    scale = ds["options"]["lrr_scale"]
    makers: dict[str, Callable[[list[float], list[float]], no.EffectSize]] = {
        "NAP": lambda a, b: no.nap(a, b, improvement=imp),
        "Tau": lambda a, b: no.tau(a, b, improvement=imp),
        "Tau-BC": lambda a, b: no.tau_bc(a, b, improvement=imp),
        "SMD": lambda a, b: pa.smd(a, b, improvement=imp),
        "LRRd": lambda a, b: pa.lrrd(a, b, improvement=imp, scale=scale),
        "LRRi": lambda a, b: pa.lrri(a, b, improvement=imp, scale=scale),
        "LRM": lambda a, b: pa.lrm(a, b, improvement=imp),
        "PND": lambda a, b: no.pnd(a, b, improvement=imp),
        "PEM": lambda a, b: no.pem(a, b, improvement=imp),
        "PAND": lambda a, b: no.pand(a, b, improvement=imp),
        "IRD": lambda a, b: no.ird(a, b, improvement=imp),
        "Tau-U": lambda a, b: no.tau_u_singlecasees(a, b, improvement=imp),
    }
    checks: list[Check] = []
    for weighting, block in agg.items():
        for key, exp in block.items():
            if key == "call":
                continue
            if weighting == "nA*nB":
                w: Any = [len(a) * len(b) for a, b in pairs]
            else:
                w = weighting

            def fn(k: str = key, wt: Any = w) -> no.EffectSize:
                return pa.aggregate([makers[k](a, b) for a, b in pairs], weighting=wt)

            # the NAP/Tau pair CIs enter only through the SEs, so all aggregated values are closed
            for col, attr in (
                ("est", "estimate"),
                ("se", "se"),
                ("ci_lower", "ci_lower"),
                ("ci_upper", "ci_upper"),
            ):
                checks.append(
                    (
                        f"{ds['id']}.aggregate[{weighting}].{key}.{col}",
                        lambda f=fn, at=attr: getattr(f(), at),
                        exp[col],
                        CLOSED,
                    )
                )
    return checks


def _all_checks() -> list[Any]:
    checks: list[Check] = []
    for dsid, comp, a, b, imp, res, opts, a_start in _blocks():
        tag = f"{dsid}.{comp}"
        if "SingleCaseES" in res:
            checks += _singlecasees_checks(a, b, imp, res["SingleCaseES"], opts, tag)
        if "scan" in res:
            checks += _scan_checks(a, b, imp, res["scan"], tag)
            checks += _cdc_checks(a, b, imp, res["scan"], tag)
        if "oracle_tie_robust" in res:
            checks += _oracle_checks(a, b, imp, res["oracle_tie_robust"], tag)
        if "visual_aids" in res:
            checks += _visual_checks(a, b, imp, res["visual_aids"], a_start, tag)
    for ds in DATA["datasets"]:
        if "across_tiers" in ds["results"]:
            checks += _across_checks(ds)
        if "aggregated_over_phase_pairs" in ds["results"]:
            checks += _aggregate_checks(ds)
    return [pytest.param(fn, exp, tol, name, id=name) for name, fn, exp, tol in checks]


def _expected_number(exp: Any) -> float | None:
    # JSON writes non-finite numbers as strings; we report them as None (not estimable)
    if exp is None or exp in ("Inf", "-Inf", "NaN"):
        return None
    return float(exp)


@pytest.mark.parametrize(("compute", "expected", "tolerance", "name"), _all_checks())
def test_our_value_agrees_with_the_reference_packages(compute, expected, tolerance, name) -> None:
    got = compute()
    if isinstance(expected, bool) or expected in ("systematic change", "no change"):
        assert got == expected, name
        return
    exp = _expected_number(expected)
    if exp is None:
        assert got is None or (isinstance(got, float) and math.isnan(got)), (name, got, expected)
        return
    assert got is not None, (name, expected)
    kind, tol = tolerance
    if kind == "abs":
        assert abs(got - exp) <= tol, (name, got, exp)
    else:
        assert abs(got - exp) <= tol * max(1.0, abs(exp)), (name, got, exp)


def test_the_reference_covers_every_public_data_set() -> None:
    ids = {ds["id"] for ds in DATA["datasets"]}
    assert {"sced02", "sced07", "sced13", "sced21", "sced24"} <= ids
    assert len(_all_checks()) > 3000


def test_the_fixture_is_the_recorded_copy_of_the_shared_reference() -> None:
    # An edit to the expected values must be deliberate (fixtures/README.md): the hash says so.
    assert reference_sha256() == SHA256
    assert DATA["generated_with"]["SingleCaseES"] == "0.7.4"
    assert DATA["generated_with"]["scan"] == "0.67.1"
