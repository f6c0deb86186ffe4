"""``manage.py sced_benchmark``: prints (never asserts) how long the SCED work takes.

Times: every statistic for one 60-point AB series (what the job computes per measure), the exact
randomization test for it, one plot as PNG and SVG, and 1,000 series analysed by 1 and by 2
worker processes (a multiprocessing pool running the same pure analysis the Celery job runs).
Anchors: shared/reference/sced.md §6 (R: 13-16 ms per 40-point series; 1,000 series 14 s).
"""

from __future__ import annotations

import os
import statistics
import time
from multiprocessing import get_context
from typing import Literal

import numpy as np
from django.core.management.base import BaseCommand, CommandParser

from sced import study_analysis
from sced.models import AnalysisPlot
from sced.plots import render_randomization_plot, render_sced_plot
from sced.stats import nonoverlap as no
from sced.stats import parametric as pa
from sced.stats import randomization as rt
from sced.stats.analysis import analyse_case
from sced.stats.inputs import DrawInputs, MeasureInputs, PhaseInputs, StudyInputs
from sced.stats.report import analyse_scan_csv
from sced.stats.scan_csv import write_scan_csv


def _series(seed: int, n: int = 60) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    a = np.clip(np.round(rng.normal(7, 1, n // 2)), 0, 10)
    b = np.clip(np.round(rng.normal(4, 1.2, n - n // 2)), 0, 10)
    return a.tolist(), b.tolist()


def _analyse(seed: int) -> float:
    a, b = _series(seed)
    result = analyse_case([("A", a), ("B", b)], improvement="decrease")
    values = a + b
    admissible = rt.admissible_start_points(len(values), min_phase_length=5)
    test = rt.randomization_test(values, len(a) + 1, admissible=admissible, improvement="decrease")
    return float(result["comparisons"]["A-B"]["effect_sizes"]["NAP"]["estimate"]) + test.p_value


# The effect-size and plot timings are CPU time of this process: on a shared machine the wall
# time follows the load, the CPU time does not (the command prints the load average).
CPU = time.process_time


def _since(start: float) -> float:
    return (CPU() - start) * 1000


def _study_inputs() -> StudyInputs:
    """A 60-point AB study with its start drawn at session 31 (L = 5), as a run stores it."""
    a, b = _series(0)
    values = a + b
    admissible = rt.admissible_start_points(len(values), min_phase_length=5)
    sessions = list(range(1, len(values) + 1))
    return StudyInputs(
        design="AB",
        phase_labels=("A", "B"),
        planned_sessions=len(values),
        min_phase_length=5,
        draw=DrawInputs(admissible=tuple(admissible), start=31, seed=1),
        measures=(
            MeasureInputs(
                id=1,
                name="Pain",
                unit="0-10",
                range=(0.0, 10.0),
                improvement="decrease",
                phases=(
                    PhaseInputs("A", tuple(sessions[:30]), tuple(a)),
                    PhaseInputs("B", tuple(sessions[30:]), tuple(b)),
                ),
            ),
        ),
    )


def _ms(fn, repeats: int, clock=time.perf_counter) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append((clock() - start) * 1000)
    return statistics.median(times), min(times)


class Command(BaseCommand):
    help = "Time the SCED statistics, randomization test, plots and batch analysis (prints only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeats", type=int, default=30)
        parser.add_argument("--series", type=int, default=1000)
        parser.add_argument(
            "--plots-only",
            action="store_true",
            help="only the effect sizes one by one and the plots per kind and format (issue #16)",
        )
        parser.add_argument(
            "--cases-only",
            action="store_true",
            help="only the many-case file timings (multiple-baseline test, batch of 1,000)",
        )

    def handle(self, *args: object, **options: object) -> None:
        repeats = int(options["repeats"])  # type: ignore[call-overload]
        n_series = int(options["series"])  # type: ignore[call-overload]
        if options["plots_only"]:
            self._effect_sizes(repeats)
            self._plots(max(3, repeats // 5))
            return
        self._many_cases()
        if options["cases_only"]:
            return
        a, b = _series(0)
        values = a + b
        admissible = rt.admissible_start_points(len(values), min_phase_length=5)
        out = self.stdout.write
        analyse_case([("A", a), ("B", b)], improvement="decrease")  # warm-up
        med, best = _ms(lambda: analyse_case([("A", a), ("B", b)], improvement="decrease"), repeats)
        out(
            f"all statistics, one 60-point AB series: median {med:.2f} ms (min {best:.2f}) over {repeats} runs"
        )
        med, best = _ms(
            lambda: rt.randomization_test(
                values, 31, admissible=admissible, improvement="decrease", method="exact"
            ),
            repeats,
        )
        out(
            f"exact randomization test, {len(admissible)} assignments (L = 5): median {med:.2f} ms "
            f"(min {best:.2f})"
        )
        render_sced_plot(
            [("A", a), ("B", b)], measure_name="Pain", y_range=(0, 10), improvement="decrease"
        )
        for fmt in ("png", "svg"):
            med, best = _ms(
                lambda fmt=fmt: render_sced_plot(
                    [("A", a), ("B", b)],
                    measure_name="Pain",
                    unit="0-10",
                    y_range=(0, 10),
                    improvement="decrease",
                    trend="ols",
                    formats=(fmt,),
                ),
                max(3, repeats // 5),
            )
            out(f"SCED plot, {fmt.upper()}: median {med:.1f} ms (min {best:.1f})")
        test = rt.randomization_test(values, 31, admissible=admissible, improvement="decrease")
        med, best = _ms(
            lambda: render_randomization_plot(test.distribution, test.observed, test.p_value),
            max(3, repeats // 5),
        )
        out(f"randomization plot, PNG + SVG: median {med:.1f} ms (min {best:.1f})")
        seeds = list(range(n_series))
        start = time.perf_counter()
        for s in seeds:
            _analyse(s)
        one = time.perf_counter() - start
        out(f"{n_series} series (statistics + exact test), 1 process: {one:.2f} s")
        ctx = get_context("fork")
        with ctx.Pool(2) as pool:
            pool.map(_analyse, range(4))  # start-up outside the timing
            start = time.perf_counter()
            pool.map(_analyse, seeds, chunksize=25)
            two = time.perf_counter() - start
        out(f"{n_series} series, 2 worker processes: {two:.2f} s (speed-up {one / two:.2f}x)")

    def _effect_sizes(self, repeats: int) -> None:
        """Each effect size of one 60-point AB series on its own (target: each ≤ 1 ms)."""
        out = self.stdout.write
        a, b = _series(0)
        imp: Literal["decrease"] = "decrease"
        cases = {
            "NAP": lambda: no.nap(a, b, improvement=imp),
            "PND": lambda: no.pnd(a, b, improvement=imp),
            "PEM": lambda: no.pem(a, b, improvement=imp),
            "PAND": lambda: no.pand(a, b, improvement=imp),
            "IRD": lambda: no.ird(a, b, improvement=imp),
            "Tau-U (one row, what the analysis asks)": lambda: no.tau_u(
                a, b, improvement=imp, variant="A vs B - trend A"
            ),
            "Tau-U (scan's whole table, six rows)": lambda: no.tau_u_table(a, b, improvement=imp),
            "Tau-U (SingleCaseES)": lambda: no.tau_u_singlecasees(a, b, improvement=imp),
            "Tau-BC": lambda: no.tau_bc(a, b, improvement=imp),
            "SMD (baseline SD)": lambda: pa.smd(a, b, improvement=imp),
            "SMD (pooled SD)": lambda: pa.smd(a, b, improvement=imp, std_dev="pool"),
            "LRRi": lambda: pa.lrri(a, b, improvement=imp),
            "LRRd": lambda: pa.lrrd(a, b, improvement=imp),
            "LRM": lambda: pa.lrm(a, b, improvement=imp),
        }
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        out(f"CPU time of this process (load average {load} on {os.cpu_count()} cores)")
        out("effect sizes, one 60-point AB series (median over runs):")
        for name, fn in cases.items():
            fn()  # warm-up
            med, best = _ms(fn, repeats, CPU)
            out(f"  {name}: {med:.3f} ms (min {best:.3f})")

    def _plots(self, repeats: int) -> None:
        """Each plot kind as PNG and as SVG, cold (the first in this process) and warm, a
        study's plots as the job draws them now (PNG only) and as before (PNG and SVG), and a
        stored plot read back (what a second request for the same input costs: no drawing)."""
        out = self.stdout.write
        inputs = _study_inputs()
        start = CPU()
        study_analysis.analyse_study(inputs, plot_formats=("png",))
        out(f"a study's statistics + plots, first in this process: {_since(start):.1f} ms")
        stats, _ = _ms(lambda: study_analysis.analyse_study(inputs, with_plots=False), repeats, CPU)
        out(f"a study's statistics only (what the page waits for now): {stats:.1f} ms")
        for label, formats in (
            ("PNG only (the job now)", ("png",)),
            ("PNG + SVG (before)", ("png", "svg")),
        ):
            med, best = _ms(
                lambda formats=formats: study_analysis.analyse_study(inputs, plot_formats=formats),
                repeats,
                CPU,
            )
            out(
                f"a study's plots, {label}: {med - stats:.1f} ms "
                f"(statistics + plots {med:.1f}, min {best:.1f})"
            )
        measure = inputs.measures[0]
        rand = rt.randomization_test(
            measure.values,
            31,
            admissible=rt.admissible_start_points(len(measure.values), min_phase_length=5),
            improvement="decrease",
        )
        kinds = {
            "SCED graph": lambda fmts: render_sced_plot(
                [(p.label, list(p.values), list(p.sessions)) for p in measure.phases],
                measure_name=measure.name,
                y_range=measure.range,
                improvement="decrease",
                level="mean",
                trend="ols",
                formats=fmts,
            ),
            "randomization plot": lambda fmts: render_randomization_plot(
                rand.distribution, rand.observed, rand.p_value, formats=fmts
            ),
        }
        for kind, draw in kinds.items():
            for fmt in ("png", "svg"):
                med, best = _ms(lambda draw=draw, fmt=fmt: draw((fmt,)), repeats, CPU)
                out(f"{kind}, {fmt.upper()} only: median {med:.1f} ms (min {best:.1f})")
        plot = AnalysisPlot.objects.only("id").order_by("-id").first()
        if plot is None:
            out("a stored plot read back: no plot in this database (run the demo seed first)")
            return
        med, best = _ms(
            lambda: bytes(AnalysisPlot.objects.only("id", "png").get(pk=plot.pk).png), repeats
        )
        out(f"a stored plot read back (a second request, nothing drawn): median {med:.2f} ms")

    def _many_cases(self) -> None:
        """A file of several AB cases (issue #16): the test across cases, then a batch."""
        out = self.stdout.write
        for n_cases in (5, 7, 14, 50):
            cases = [_series(100 + i, n=30 + i % 30) for i in range(n_cases)]
            text = write_scan_csv(
                [(f"c{i}", [("A", a), ("B", b)]) for i, (a, b) in enumerate(cases)]
            )
            start = time.perf_counter()
            report = analyse_scan_csv(text, improvement="decrease", include_distribution=False)
            took = time.perf_counter() - start
            mbd = report["multiple_baseline"]
            out(
                f"{n_cases} AB cases, each case + the test across cases ({mbd.get('method')}, "
                f"{mbd.get('n_assignments')} draws): {took:.2f} s"
            )
        cases = [_series(1000 + i, n=30 + i % 30) for i in range(1000)]
        text = write_scan_csv([(f"c{i}", [("A", a), ("B", b)]) for i, (a, b) in enumerate(cases)])
        start = time.perf_counter()
        analyse_scan_csv(
            text, improvement="decrease", include_distribution=False, independent_cases=True
        )
        out(
            f"1,000 independent AB cases (--independent-cases): {time.perf_counter() - start:.2f} s"
        )
