"""``manage.py sced_benchmark_long``: time and peak memory of one very long study (prints only).

Runs what the analysis job computes for one measure (every statistic, and the randomization test
with the NAP statistic, whose pair table was the quadratic part) on an A phase of ``--a`` and a B
phase of ``--b`` points (default 4,000 + 4,000, the series of issue #15), each in a fresh
process so that the peak resident memory is that of a worker doing only this.

``--compare-with REV`` also runs the ``sced/stats`` of a git revision (e.g. the commit before
the rank-based statistics) the same way, to print before → after. The study limits
(``sced/stats/limits.py``) keep real studies far below these lengths; the pure statistics have
no limit, so the benchmark can measure them.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _measure(package: str, root: str, a_len: int, b_len: int, statistic: str) -> tuple:
    """(seconds for the statistics, seconds for the randomization test, peak RSS in MiB)."""
    import importlib

    import numpy as np

    sys.path.insert(0, root)
    rt = importlib.import_module(f"{package}.stats.randomization")
    analyse_case = importlib.import_module(f"{package}.stats.analysis").analyse_case

    rng = np.random.default_rng(15)
    a = np.round(rng.normal(7, 1, a_len)).tolist()
    b = np.round(rng.normal(4, 1.2, b_len)).tolist()
    start = time.perf_counter()
    analyse_case([("A", a), ("B", b)], improvement="decrease")
    stats_s = time.perf_counter() - start
    admissible = rt.admissible_start_points(a_len + b_len, min_phase_length=3)
    start = time.perf_counter()
    rt.randomization_test(
        a + b, a_len + 1, admissible=admissible, improvement="decrease", statistic=statistic
    )
    test_s = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return stats_s, test_s, peak_mib


class Command(BaseCommand):
    help = "Time and peak memory of the SCED statistics on one very long series (prints only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--a", type=int, default=4000, help="points in the A phase")
        parser.add_argument("--b", type=int, default=4000, help="points in the B phase")
        parser.add_argument("--statistic", default="nap", help="randomization test statistic")
        parser.add_argument(
            "--compare-with", default=None, help="git revision whose sced/stats is 'before'"
        )

    def handle(self, *args: object, **options: object) -> None:
        a_len, b_len = int(options["a"]), int(options["b"])  # type: ignore[call-overload]
        statistic = str(options["statistic"])
        base = Path(settings.BASE_DIR)
        runs = [("now", "sced", str(base))]
        with tempfile.TemporaryDirectory() as tmp:
            rev = options["compare_with"]
            if rev:
                try:
                    archive = subprocess.run(
                        [
                            "git",
                            "-C",
                            str(base),
                            "archive",
                            str(rev),
                            "sced/__init__.py",
                            "sced/stats",
                        ],
                        check=True,
                        capture_output=True,
                    ).stdout
                except (OSError, subprocess.CalledProcessError) as exc:
                    raise CommandError(f"cannot read sced/stats at {rev!r}: {exc}") from exc
                subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
                # another package name: the child has already imported this tree's sced
                (Path(tmp) / "sced").rename(Path(tmp) / "sced_before")
                runs.insert(0, (f"at {rev}", "sced_before", tmp))
            context = get_context("spawn")
            for label, package, root in runs:
                with context.Pool(1, maxtasksperchild=1) as pool:
                    stats_s, test_s, peak = pool.apply(
                        _measure, (package, root, a_len, b_len, statistic)
                    )
                self.stdout.write(
                    f"{label}: {a_len:,} + {b_len:,} points: statistics {stats_s:.2f} s, "
                    f"randomization test ({statistic}, {a_len + b_len - 5:,} assignments) "
                    f"{test_s:.2f} s, peak memory {peak:,.0f} MiB"
                )
