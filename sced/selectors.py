"""Reads for SCED pages: studies of a patient, the phase plan, the latest analysis.

The phase of a session is derived here, never stored: from the drawn start points when the study
was randomized, otherwise from the planned phase lengths.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from painclinic import tokens
from painclinic.i18n import supported_language
from sced.models import (
    NO_DATA_TO_ANALYSE,
    AnalysisPlot,
    AnalysisRun,
    AnalysisState,
    DiaryLink,
    Measure,
    Measurement,
    Study,
)
from sced.stats.inputs import (
    DEFAULTS,
    AtdInputs,
    DrawInputs,
    MeasureInputs,
    PhaseInputs,
    StudyInputs,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from patients.models import Patient


def studies_of(patient: Patient) -> QuerySet[Study]:
    """A patient's studies with their measures counted (one query; the patient is access-checked
    by the view that asks)."""
    return (
        Study.objects.filter(episode__patient=patient)
        .select_related("episode")
        .annotate(n_measures=Count("measures", distinct=True))
        .order_by("-created_at", "-id")
    )


def phase_starts(study: Study) -> tuple[int, ...]:
    """1-based start sessions of phases 2..k (the drawn ones, else from the planned lengths)."""
    draw = getattr(study, "draw", None) if _has_draw(study) else None
    if draw is not None:
        return draw.starts
    return _planned_starts(study)


def _planned_starts(study: Study) -> tuple[int, ...]:
    lengths = [int(study.planned_phase_lengths.get(label, 0)) for label in study.phase_labels]
    return tuple(int(s) + 1 for s in itertools.accumulate(lengths[:-1]))


def phase_starts_for(study: Study, measure_id: int) -> tuple[int, ...]:
    """The phase starts of one measure: its own tier's start in a randomized multiple-baseline
    study (tiers are staggered), otherwise the study's."""
    draw = draw_of(study)
    if draw is not None and study.is_mbd:
        start = draw.tier_start(measure_id)
        if start is not None:
            return (start,)
    return phase_starts(study)


def tier_starts(study: Study, measures) -> list[tuple[Measure, int]]:
    """(measure, intervention start) per tier of a randomized multiple-baseline study."""
    draw = draw_of(study)
    if draw is None or not study.is_mbd:
        return []
    return [(m, s) for m in measures if (s := draw.tier_start(m.pk)) is not None]


def _has_draw(study: Study) -> bool:
    try:
        study.draw  # noqa: B018 (a reverse one-to-one raises when absent)
    except Study.draw.RelatedObjectDoesNotExist:
        return False
    return True


def draw_of(study: Study):
    return study.draw if _has_draw(study) else None


# An alternating-treatments session past the drawn sequence has no planned condition.
NOT_PLANNED = "—"


def phase_of_session(
    session: int, starts: tuple[int, ...], labels: tuple[str, ...], sequence: str = ""
) -> str:
    """The phase label of a session; in an alternating-treatments study (``sequence``, the
    drawn conditions) the session's planned condition."""
    if sequence:
        return sequence[session - 1] if 1 <= session <= len(sequence) else NOT_PLANNED
    index = sum(1 for s in starts if session >= s)
    return labels[min(index, len(labels) - 1)]


def phase_in_words(label: str) -> str:
    """'baseline (A1)', 'intervention (B)': the phase as the clinic says it, with its label."""
    if label == NOT_PLANNED:
        return "not in the plan"
    kind = "baseline" if label.startswith("A") else "intervention"
    return f"{kind} ({label})"


def phase_spans(study: Study, measure_id: int | None = None) -> list[tuple[str, int, int]]:
    """(label, first session, last session) of every phase, from the same starts the data table
    and the analysis use (the drawn ones, else the plan), so the design card and the draw always
    agree (issue #9: "starts at session 8, 17, 20" beside "A1: 6 · B1: 6 · …")."""
    if measure_id is not None:
        starts = phase_starts_for(study, measure_id)
    elif study.is_mbd:
        starts = _planned_starts(study)  # tiers have their own starts: the plan is common
    else:
        starts = phase_starts(study)
    firsts = [1, *starts]
    lasts = [s - 1 for s in starts] + [study.planned_sessions]
    return list(zip(study.phase_labels, firsts, lasts, strict=True))


@dataclass(frozen=True)
class NextSession:
    """The session a new value of one measure is expected for, with its phase in words
    (``None`` when the phase is concealed)."""

    measure: Measure
    session: int
    phase: str | None
    planned: bool  # False: every planned session has a value; this one is an extra

    @property
    def label(self) -> str:
        if self.phase is None:
            return f"Session {self.session}"
        return f"Session {self.session} — {self.phase}"


def next_expected_sessions(
    study: Study, measures, *, hidden: Concealment | None = None
) -> list[NextSession]:
    """Per measure, the first planned session without a value in force (struck-out values do
    not count). Uses the prefetched measurements of ``study_page``."""
    out = []
    for measure in measures:
        have = {m.session for m in measure.measurements.all() if m.struck_out_at is None}
        session = next(
            (s for s in range(1, study.planned_sessions + 1) if s not in have),
            max(have, default=study.planned_sessions) + 1,
        )
        label = phase_of_session(
            session, phase_starts_for(study, measure.pk), study.phase_labels, study.atd_sequence
        )
        phase: str | None = (
            f"condition {label}"
            if study.atd_sequence and label != NOT_PLANNED
            else phase_in_words(label)
        )
        if hidden is not None and hidden.concealed and session >= (hidden.until_session or 0):
            phase = None  # the start may already have passed: say nothing about the phase
        out.append(NextSession(measure, session, phase, session <= study.planned_sessions))
    return out


def session_for_date(study: Study, day: date) -> int | None:
    if study.start_date is None:
        return None
    return (day - study.start_date).days + 1


@dataclass(frozen=True)
class Concealment:
    concealed: bool
    until_session: int | None  # the earliest session at which the intervention may start


def concealment(study: Study, *, latest_session: int, today: date | None = None) -> Concealment:
    """A concealed start stays hidden until the earliest admissible start is reached: before it
    every session is baseline whatever was drawn, so nothing is given away (issue #4)."""
    draw = draw_of(study)
    if draw is None or not draw.concealed:
        return Concealment(concealed=False, until_session=None)
    if study.is_mbd:
        # Start-point sets, one per tier: the earliest start any tier could have.
        earliest = min(min(points) for points in draw.admissible)
    else:
        earliest = min(a if isinstance(a, int) else a[0] for a in draw.admissible)
    current = latest_session
    if today is not None and (by_date := session_for_date(study, today)) is not None:
        current = max(current, by_date)
    return Concealment(current < earliest, earliest)


def study_page(study_id: int, patient: Patient) -> Study:
    """The study with everything its page shows, in a constant number of queries."""
    measurements = (
        Measurement.objects.order_by("session", "id")
        .select_related("struck_out_by")
        .prefetch_related(Prefetch("amendments"))
    )
    return (
        Study.objects.select_related("episode", "draw", "draw__drawn_by", "created_by")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.prefetch_related(
                    Prefetch("measurements", queryset=measurements)
                ),
            )
        )
        .get(pk=study_id, episode__patient=patient)
    )


def diary_links_of(study: Study) -> list[DiaryLink]:
    return list(DiaryLink.objects.filter(study=study).select_related("created_by"))


def latest_run(study: Study) -> AnalysisRun | None:
    """The analysis of the data in force: the run of the study's current input hash (None when
    no value is left in force, e.g. every value struck out; the newest run when the study has
    never named one)."""
    # With its inputs: the results page's visual-analysis panel reads the values the run
    # analysed (issue #12), in this same query.
    runs = AnalysisRun.objects.filter(study=study)
    if study.analysis_input_hash == NO_DATA_TO_ANALYSE:
        return None
    if study.analysis_input_hash:
        return runs.filter(input_hash=study.analysis_input_hash).first()
    return runs.order_by("-created_at", "-id").first()


def run_is_stuck(run: AnalysisRun, now: datetime | None = None) -> bool:
    """Failed, never enqueued, queued longer than ANALYSIS_QUEUED_STALE_AFTER or running longer
    than the task time limit (the worker is gone: a hard time limit kills a job before that)."""
    now = now or timezone.now()
    if run.state in (AnalysisState.FAILED, AnalysisState.NOT_ENQUEUED):
        return True
    if run.state == AnalysisState.QUEUED:
        return run.queued_at < now - queued_stale_after()
    if run.state == AnalysisState.RUNNING:
        return run.started_at is None or run.started_at < now - running_stale_after()
    return False


def queued_stale_after() -> timedelta:
    return timedelta(seconds=settings.ANALYSIS_QUEUED_STALE_AFTER_SECONDS)


def running_stale_after() -> timedelta:
    # The hard time limit has killed the job by then; the grace covers clock skew and startup.
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def plots_of(run: AnalysisRun) -> list[AnalysisPlot]:
    """Plot rows without their image bytes (the images are fetched by the plot view)."""
    return list(AnalysisPlot.objects.filter(run=run).only("id", "run_id", "measure_id", "kind"))


def studies_with_data(patients) -> QuerySet[Study]:
    """The studies of ``patients`` (an access-scoped queryset) that hold at least one value in
    force, oldest first, with the episode (for the patient). For research exports (interop)."""
    return (
        Study.objects.filter(
            episode__patient__in=patients,
            measures__measurements__struck_out_at__isnull=True,
        )
        .distinct()
        .select_related("episode")
        .order_by("created_at", "id")
    )


def session_dates(study: Study) -> dict[int, dict[int, date]]:
    """Per measure id, the date of each session that has a value in force and a date."""
    out: dict[int, dict[int, date]] = {}
    for measure_id, session, day in Measurement.objects.filter(
        measure__study=study, struck_out_at__isnull=True, date__isnull=False
    ).values_list("measure_id", "session", "date"):
        out.setdefault(measure_id, {})[session] = day
    return out


# --- what an analysis reads ------------------------------------------------------------------


def measurements_in_force(measure: Measure) -> list[Measurement]:
    """The measure's values in force, by session: struck-out values are kept in the record but
    never analysed, plotted or exported (filtered in Python so a prefetch is used)."""
    return sorted(
        (m for m in measure.measurements.all() if m.struck_out_at is None),
        key=lambda m: m.session,
    )


def phase_runs(
    points: Sequence[Measurement],
    starts: tuple[int, ...],
    labels: tuple[str, ...],
    sequence: str = "",
) -> list[tuple[str, list[Measurement]]]:
    """The values grouped into consecutive runs of one phase each, in session order."""
    out: list[tuple[str, list[Measurement]]] = []
    for m in points:
        label = phase_of_session(m.session, starts, labels, sequence)
        if out and out[-1][0] == label:
            out[-1][1].append(m)
        else:
            out.append((label, [m]))
    return out


def analysis_inputs(study: Study) -> StudyInputs | None:
    """Everything an analysis reads (the task never re-reads measurements, so a run always
    analyses exactly the data its hash names). None when there is nothing to analyse.
    Prefetch ``measures__measurements`` and ``draw`` to read it in three queries."""
    draw = draw_of(study)
    measures = []
    total = 0
    for measure in study.measures.all():
        starts = phase_starts_for(study, measure.pk)
        points = measurements_in_force(measure)
        total += len(points)
        measures.append(
            MeasureInputs(
                id=measure.pk,
                name=measure.name,
                unit=measure.unit,
                range=(measure.range_min, measure.range_max),
                improvement=measure.improvement,
                role=measure.role,
                phases=_atd_phases(study, points)
                if study.is_atd
                else tuple(
                    PhaseInputs(
                        label=label,
                        sessions=tuple(m.session for m in group),
                        values=tuple(m.value for m in group),
                    )
                    for label, group in phase_runs(points, starts, study.phase_labels)
                ),
            )
        )
    if total == 0:
        return None
    return StudyInputs(
        design=study.design,
        phase_labels=tuple(study.phase_labels),
        planned_sessions=study.planned_sessions,
        min_phase_length=study.min_phase_length,
        draw=None
        if draw is None
        else DrawInputs(
            admissible=tuple(_tupled(a) for a in draw.admissible),
            start=_tupled(draw.start),
            seed=draw.seed,
            tiers=tuple(draw.tiers or ()),
        ),
        measures=tuple(measures),
        options=replace(DEFAULTS, min_phase_length=study.min_phase_length),
        atd=AtdInputs(
            sequence=study.atd_sequence,
            max_consecutive=int(study.atd_max_consecutive or 1),
            seed=int(study.atd_seed or 0),
        )
        if study.is_atd and study.atd_sequence
        else None,
        criteria=tuple((str(c["label"]), float(c["criterion"])) for c in study.criteria)
        if study.is_changing_criterion
        else (),
    )


def _atd_phases(study: Study, points: Sequence[Measurement]) -> tuple[PhaseInputs, ...]:
    """An alternating-treatments series as its two conditions, each with its sessions (they
    interleave); values past the drawn sequence have no condition and are left out."""
    out = []
    for condition in ("A", "B"):
        group = [
            m
            for m in points
            if phase_of_session(m.session, (), (), study.atd_sequence) == condition
        ]
        if group:
            out.append(
                PhaseInputs(
                    label=condition,
                    sessions=tuple(m.session for m in group),
                    values=tuple(m.value for m in group),
                )
            )
    return tuple(out)


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list | tuple) else value


def diary_link_language(token: str) -> str:
    """The language the diary pages of ``token`` are shown in: the patient's preferred language
    where the patient pages speak it, else English. Read before the link is redeemed, so that
    the page and the messages of a link that can no longer be used (expired, closed) are in the
    patient's language too; an unknown token gets the default language."""
    preferred = (
        DiaryLink.objects.filter(token_hash=tokens.token_hash(token))
        .values_list("study__episode__patient__preferred_language", flat=True)
        .first()
    )
    return supported_language(preferred)
