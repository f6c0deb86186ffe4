"""De-identified single-case research packages. Pure: stdlib and the scan CSV writer, no Django.

What leaves (issue #17 "Research exports"; sced.md for scan's long format):
- ``data.csv``: scan's long format (``case, phase, values, mt``; ``scan::read_scdf`` /
  ``readSC`` read it, and so does ``sced.stats.scan_csv.read_scan_csv``), one case per measure
  of a study, ``mt`` = the session number (sessions are kept: the randomization and the
  statistics need them);
- ``design.json``: the sidecar with, per case, the design, phase labels, the direction of
  improvement, the scale range, the randomization (admissible starts, drawn start, seed) and
  shifted dates, and the analysis options the clinic uses;
- ``README.txt``: how the package was made.

What never leaves: names, record numbers, NHS numbers, any free text (clinical questions,
measure names and units, notes: a clinician may have typed a name into any of them), real dates.
Participants are numbered P01, P02 ... in a random order drawn for each export, so two exports
cannot be joined on the label. Dates move by a whole number of days per participant, derived
from a server secret (HMAC), the same in every export and never written into the package, so
intervals within a participant stay true and weekdays are scrambled only by the shift.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sced.stats import scan_csv

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_SHIFT_DAYS = 365  # shift within ±1 year, never 0 (HIPAA-style date shifting; safety.md consent)
FORMAT_NOTE = (
    "scan long format: one row per measurement; case, phase, values, mt (mt = session number)."
)


def date_shift_days(patient_key: str, secret: str) -> int:
    """The participant's shift in days: from HMAC-SHA256(secret, key), in ±1..365."""
    digest = hmac.new(
        secret.encode(), f"research-date-shift/{patient_key}".encode(), hashlib.sha256
    )
    n = int.from_bytes(digest.digest()[:8], "big") % (2 * MAX_SHIFT_DAYS)
    return n - MAX_SHIFT_DAYS if n < MAX_SHIFT_DAYS else n - MAX_SHIFT_DAYS + 1


@dataclass(frozen=True)
class StudyData:
    """One study as the analysis reads it (``sced.selectors.analysis_inputs(...).to_json()``), with its dates."""

    patient_key: str  # never written out; keys the date shift and the grouping
    inputs: dict[str, Any]  # analysis_inputs(study)
    start_date: date | None = None
    session_dates: dict[int, dict[int, date]] = field(default_factory=dict)  # measure id -> ...


@dataclass(frozen=True)
class Package:
    content: bytes
    participants: int
    cases: int


def _shift(day: date | None, days: int) -> str | None:
    return None if day is None else (day + timedelta(days=days)).isoformat()


def build_package(
    studies: Sequence[StudyData],
    *,
    secret: str,
    excluded_without_consent: int,
    created_on: date,
    rng: random.Random | None = None,
) -> Package:
    rng = rng or random.SystemRandom()
    keys = list(dict.fromkeys(s.patient_key for s in studies))
    rng.shuffle(keys)
    labels = {key: f"P{i:02d}" for i, key in enumerate(keys, start=1)}
    study_counts: dict[str, int] = {}
    cases: list[scan_csv.Case] = []
    sidecar_cases: list[dict[str, Any]] = []
    single_phase = 0
    for study in studies:
        participant = labels[study.patient_key]
        study_counts[participant] = study_counts.get(participant, 0) + 1
        study_label = f"{participant}-S{study_counts[participant]}"
        shift = date_shift_days(study.patient_key, secret)
        inputs = study.inputs
        for m_index, measure in enumerate(inputs["measures"], start=1):
            phases = [
                scan_csv.Phase(
                    label=phase["label"],
                    values=tuple(float(v) for v in phase["values"]),
                    mt=tuple(float(s) for s in phase["sessions"]),
                )
                for phase in measure["phases"]
                if phase["values"]
            ]
            if len(phases) < 2:
                # Baseline only (no intervention yet): nothing to compare, and scan's reader
                # refuses a one-phase case. Counted in the sidecar.
                single_phase += 1
                continue
            name = f"{study_label}-M{m_index}"
            cases.append(scan_csv.Case(name=name, phases=tuple(phases)))
            dates = study.session_dates.get(measure["id"], {})
            sidecar_cases.append(
                {
                    "case": name,
                    "participant": participant,
                    "study": study_label,
                    "measure": f"M{m_index}",
                    "design": inputs["design"],
                    "phase_labels": inputs["phase_labels"],
                    "planned_sessions": inputs["planned_sessions"],
                    "min_phase_length": inputs["min_phase_length"],
                    "improvement": measure["improvement"],
                    "scale_range": measure["range"],
                    "randomization": inputs.get("draw"),
                    "study_start_date_shifted": _shift(study.start_date, shift),
                    "session_dates_shifted": {
                        str(session): _shift(day, shift) for session, day in sorted(dates.items())
                    },
                }
            )
    csv_text = scan_csv.write_scan_csv(cases) if cases else "case,phase,values,mt\n"
    options = studies[0].inputs["settings"] if studies else {}
    sidecar = {
        "format": FORMAT_NOTE,
        "columns": {
            "case": "participant-study-measure label (P01-S1-M1)",
            "phase": "phase label of the design (A = baseline, B = intervention)",
            "values": "the value in force for the session",
            "mt": "session number (measurement time)",
        },
        "created_on": created_on.isoformat(),
        "participants": len(keys),
        "excluded_without_research_consent": excluded_without_consent,
        "cases_left_out_with_one_phase": single_phase,
        "analysis_options": options,
        "date_shift": (
            "All dates of a participant are moved by the same whole number of days (between "
            f"{MAX_SHIFT_DAYS} days back and {MAX_SHIFT_DAYS} forward, never zero); the shift is "
            "not in this package."
        ),
        "cases": sidecar_cases,
    }
    readme = (
        "De-identified single-case data of patients who consented to research use.\n"
        f"{FORMAT_NOTE}\n"
        "Read in R: scan::read_scdf('data.csv'); effect sizes: SingleCaseES::batch_calc_ES on the\n"
        "same table (grouping = case, condition = phase, outcome = values, session_number = mt).\n"
        "design.json holds the design, randomization and analysis options of each case.\n"
        "No names, record numbers, free text or real dates are included.\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.csv", csv_text)
        archive.writestr("design.json", json.dumps(sidecar, indent=2, sort_keys=False))
        archive.writestr("README.txt", readme)
    return Package(buffer.getvalue(), participants=len(keys), cases=len(cases))
