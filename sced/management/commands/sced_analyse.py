"""``manage.py sced_analyse FILE.csv``: the JSON report of a scan long-format file.

A thin shell over the pure ``sced.stats.report.analyse_scan_csv`` (issue #4): researchers use it
for batch analysis, tests and audits to check the numbers against the reference packages.
Bad input exits with status 2 and a message naming the line and column.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sced.stats.changing_criterion import DEFAULT_MET_SHARE
from sced.stats.design_reports import analyse_atd_csv, analyse_criterion_csv
from sced.stats.inputs import DEFAULTS
from sced.stats.randomization import STATISTICS
from sced.stats.report import analyse_scan_csv, dumps_report
from sced.stats.scan_csv import ScanCsvError

MAX_N_RANDOM = 1_000_000
LRR_SCALES = ("count", "percentage", "proportion", "rate", "other")
DESIGNS = ("phases", "ATD", "changing_criterion")
TAU_U_VARIANTS = ("A vs B", "A vs B - trend A", "A vs B + trend B", "A vs B + trend B - trend A")


def _starts(text: str | None) -> list[int] | list[list[int]] | None:
    """``"5,6,7"`` (AB) or ``"5:10:14;6:11:15"`` (ABA/ABAB tuples) -> start points."""
    if text is None:
        return None
    try:
        if ";" in text or ":" in text:
            return [[int(v) for v in part.split(":")] for part in text.split(";") if part.strip()]
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CommandError(
            f"--admissible-starts {text!r}: give integers like 5,6,7 (AB) or 5:10:14;6:11:15",
            returncode=2,
        ) from None


class Command(BaseCommand):
    help = (
        "Analyse a scan long-format CSV (case, phase, values[, mt][, criterion]) and print a JSON "
        "report. --design phases (default): AB, ABA, ABAB and multiple baseline, read from where "
        "the phase changes. --design ATD --max-consecutive K: alternating treatments, the phase "
        "column holds each session's condition (A or B) in session order. --design "
        "changing_criterion: a criterion column holds each phase's criterion (empty in the "
        "baseline)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file in scan's long format; '-' reads stdin")
        parser.add_argument(
            "--improvement",
            choices=("increase", "decrease"),
            required=True,
            help="direction of improvement of the measure (every index flips with it)",
        )
        parser.add_argument(
            "--design",
            choices=DESIGNS,
            default="phases",
            help="phases (AB, ABA, ABAB, multiple baseline; default), ATD or changing_criterion",
        )
        parser.add_argument(
            "--max-consecutive",
            type=int,
            default=None,
            help="ATD: the largest number of consecutive sessions of one condition (k)",
        )
        parser.add_argument(
            "--met-share",
            type=float,
            default=DEFAULT_MET_SHARE,
            help="changing criterion: share of a phase's points that must meet its criterion "
            "(the clinic's convention is 0.8)",
        )
        parser.add_argument(
            "--tau-u-variant", default=DEFAULTS.tau_u_variant, choices=TAU_U_VARIANTS
        )
        parser.add_argument("--confidence", type=float, default=DEFAULTS.confidence)
        parser.add_argument(
            "--lrr-scale",
            choices=LRR_SCALES,
            default=DEFAULTS.lrr_scale,
            help="scale of the measure for the log response ratios (floor truncation depends "
            "on it, as in SingleCaseES)",
        )
        parser.add_argument(
            "--goal", type=float, default=DEFAULTS.goal, help="goal level: adds PoGO when given"
        )
        parser.add_argument(
            "--immediacy-k",
            type=int,
            default=DEFAULTS.immediacy_k,
            help="points on each side of a phase change for immediacy",
        )
        parser.add_argument("--min-phase-length", type=int, default=DEFAULTS.min_phase_length)
        parser.add_argument(
            "--admissible-starts",
            default=None,
            help="declared start points: 5,6,7 (AB) or 5:10:14;6:11:15 (ABA/ABAB)",
        )
        parser.add_argument("--statistic", choices=STATISTICS, default=DEFAULTS.statistic)
        parser.add_argument(
            "--method", choices=("auto", "exact", "monte_carlo"), default=DEFAULTS.method
        )
        parser.add_argument("--seed", type=int, default=DEFAULTS.seed, help="Monte Carlo seed")
        parser.add_argument("--n-random", type=int, default=DEFAULTS.n_random)
        parser.add_argument(
            "--independent-cases",
            action="store_true",
            help="the cases are separate studies: no multiple-baseline test across them",
        )
        parser.add_argument(
            "--no-distribution",
            action="store_true",
            help="leave the randomization distribution out of the JSON",
        )

    def handle(self, *args: object, **options: object) -> None:
        # A Monte Carlo draw per assignment is held in memory: 10^6 is far beyond the 10,000
        # the p value needs (Edgington & Onghena 2007) and keeps a run within a worker's memory.
        n_random = int(options["n_random"])  # type: ignore[call-overload]
        if not 1 <= n_random <= MAX_N_RANDOM:
            raise CommandError(
                f"--n-random {n_random}: give 1 to {MAX_N_RANDOM:,} random assignments.",
                returncode=2,
            )
        name = str(options["file"])
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{name}: cannot read the file ({exc}).", returncode=2) from exc
        try:
            report = self._report(text, options, n_random)
        except ScanCsvError as exc:
            raise CommandError(f"{name}: {exc}", returncode=2) from exc
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(dumps_report(report))

    def _report(self, text: str, options: dict, n_random: int) -> dict:
        design = options["design"]
        if design == "ATD":
            k = options["max_consecutive"]
            if k is None:
                raise CommandError(
                    "--design ATD needs --max-consecutive K (the largest number of consecutive "
                    "sessions of one condition in the randomization plan).",
                    returncode=2,
                )
            return analyse_atd_csv(
                text,
                improvement=options["improvement"],
                max_consecutive=int(k),
                confidence=float(options["confidence"]),
                lrr_scale=options["lrr_scale"],
                method=str(options["method"]),
                seed=int(options["seed"]),
                n_random=n_random,
                include_distribution=not options["no_distribution"],
            )
        if design == "changing_criterion":
            return analyse_criterion_csv(
                text, improvement=options["improvement"], met_share=float(options["met_share"])
            )
        if options["max_consecutive"] is not None:
            raise CommandError("--max-consecutive is for --design ATD only.", returncode=2)
        return analyse_scan_csv(
            text,
            improvement=options["improvement"],
            tau_u_variant=str(options["tau_u_variant"]),
            confidence=float(options["confidence"]),
            min_phase_length=int(options["min_phase_length"]),
            admissible_starts=_starts(options["admissible_starts"]),
            statistic=str(options["statistic"]),
            method=str(options["method"]),
            seed=int(options["seed"]),
            n_random=n_random,
            include_distribution=not options["no_distribution"],
            independent_cases=bool(options["independent_cases"]),
            analysis_options={
                "lrr_scale": options["lrr_scale"],
                "goal": options["goal"],
                "immediacy_k": int(options["immediacy_k"]),
            },
        )
