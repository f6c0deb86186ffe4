"""``manage.py sced_benchmark``: prints (never asserts) how long the SCED work takes.

Times: every statistic for one 60-point AB series (what the job computes per measure), the exact
randomization test for it, one plot as PNG and SVG, and 1,000 series analysed by 1 and by 2
worker processes (a multiprocessing pool running the same pure analysis the Celery job runs).
Anchors: shared/reference/sced.md §6 (R: 13-16 ms per 40-point series; 1,000 series 14 s).
"""

from __future__ import annotations

import statistics
import time
from multiprocessing import get_context

import numpy as np
from django.core.management.base import BaseCommand, CommandParser

from sced.plots import render_randomization_plot, render_sced_plot
from sced.stats import randomization as rt
from sced.stats.analysis import analyse_case
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


def _ms(fn, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


class Command(BaseCommand):
    help = "Time the SCED statistics, randomization test, plots and batch analysis (prints only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeats", type=int, default=30)
        parser.add_argument("--series", type=int, default=1000)
        parser.add_argument(
            "--cases-only",
            action="store_true",
            help="only the many-case file timings (multiple-baseline test, batch of 1,000)",
        )

    def handle(self, *args: object, **options: object) -> None:
        repeats = int(options["repeats"])  # type: ignore[call-overload]
        n_series = int(options["series"])  # type: ignore[call-overload]
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
