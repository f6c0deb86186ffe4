"""Page-shaped reads for PMP pages. Every read starts from ``painclinic.access.programmes_run_by``;
queries do not grow with the number of participants or sessions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from painclinic.access import programmes_run_by
from patients.review import mean_t_interval
from programmes import outcomes, standards
from programmes.models import (
    Attendance,
    Cohort,
    Enrolment,
    EnrolmentState,
    EnrolmentStateChange,
    GroupClimateRating,
    OutcomeScore,
    OutcomeTimePoint,
    Programme,
    ProgrammeMeasure,
    SuitabilityScreening,
)

if TYPE_CHECKING:
    from painclinic.models import User

PARTICIPANTS = (EnrolmentState.ENROLLED, EnrolmentState.COMPLETED, EnrolmentState.WITHDRAWN)


def programmes_for(user: User) -> QuerySet[Programme]:
    return (
        programmes_run_by(user)
        .select_related("team")
        .prefetch_related(
            Prefetch(
                "cohorts",
                queryset=Cohort.objects.annotate(
                    n_enrolled=Count(
                        "enrolments",
                        filter=Q(enrolments__state__in=("enrolled", "completed")),
                    )
                ),
            )
        )
        .annotate(
            n_waiting=Count(
                "enrolments",
                filter=Q(enrolments__state__in=("referred", "screened"), enrolments__cohort=None),
                distinct=True,
            )
        )
    )


def programme_for(user: User, programme_id: int) -> Programme:
    return get_object_or_404(programmes_run_by(user), pk=programme_id)


def cohort_for(user: User, cohort_id: int) -> Cohort:
    return get_object_or_404(
        Cohort.objects.select_related("programme", "programme__team"),
        pk=cohort_id,
        programme__in=programmes_run_by(user),
    )


def enrolment_for(user: User, enrolment_id: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("patient", "programme", "cohort"),
        pk=enrolment_id,
        programme__in=programmes_run_by(user),
    )


def _session_input(session) -> standards.SessionInput:
    return standards.SessionInput(length=session.length, hours=float(session.hours))


@dataclass(frozen=True)
class ParticipantRow:
    enrolment: Enrolment
    dose: standards.Dose
    attended_ids: frozenset[int]


def cohort_overview(cohort: Cohort) -> dict[str, Any]:
    sessions = list(cohort.sessions.all())
    staff = list(cohort.staff.all())
    participants = list(
        cohort.enrolments.filter(state__in=(*PARTICIPANTS, EnrolmentState.OFFERED)).select_related(
            "patient"
        )
    )
    attended: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, session_id in Attendance.objects.filter(
        session__cohort=cohort, attended=True
    ).values_list("enrolment_id", "session_id"):
        attended[enrolment_id].add(session_id)
    offered = [_session_input(s) for s in sessions]
    rows = [
        ParticipantRow(
            enrolment=e,
            dose=standards.dose(
                [_session_input(s) for s in sessions if s.pk in attended[e.pk]], offered
            ),
            attended_ids=frozenset(attended[e.pk]),
        )
        for e in participants
    ]
    waiting = list(
        Enrolment.objects.filter(
            programme=cohort.programme_id,
            cohort=None,
            state__in=(EnrolmentState.REFERRED, EnrolmentState.SCREENED),
        ).select_related("patient")
    )
    half_days, hours = standards.programme_input(offered)
    return {
        "sessions": sessions,
        "staff": staff,
        "rows": rows,
        "waiting": waiting,
        "standards": standards.standards_check(offered, [m.discipline for m in staff]),
        "half_days": half_days,
        "hours": hours,
        "n_enrolled": sum(e.state in ("enrolled", "completed") for e in participants),
        "climate": (climate := climate_series(cohort, sessions)),
        "chart": climate_chart(climate),
    }


def climate_series(cohort: Cohort, sessions=None) -> list[dict[str, Any]]:
    """GCQ-S session-by-session means per cohort (instruments.md §20), with n."""
    sessions = sessions if sessions is not None else list(cohort.sessions.all())
    by_session: dict[int, list[GroupClimateRating]] = defaultdict(list)
    for rating in GroupClimateRating.objects.filter(session__cohort=cohort):
        by_session[rating.session_id].append(rating)
    series = []
    for number, session in enumerate(sessions, start=1):
        ratings = by_session.get(session.pk, [])
        if not ratings:
            continue
        series.append(
            {
                "number": number,
                "session": session,
                "n": len(ratings),
                **{
                    scale: mean_t_interval([getattr(r, scale) for r in ratings]).value
                    for scale in ("engaged", "avoiding", "conflict")
                },
            }
        )
    return series


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = (
    420,
    200,
    30,
    410,
    10,
    175,
)
GCQS_MAX = 6


def climate_chart(series: list[dict[str, Any]]) -> dict[str, Any]:
    """SVG coordinates for the GCQ-S session means (0–6 on the y axis). No inline styles: the
    strokes are classes in static/css/programmes.css (CSP)."""
    span = CHART_RIGHT - CHART_LEFT
    count = max(len(series) - 1, 1)

    def x(i: int) -> float:
        return round(CHART_LEFT + (span * i / count if len(series) > 1 else span / 2), 1)

    def y(v: float) -> float:
        return round(CHART_BOTTOM - (CHART_BOTTOM - CHART_TOP) * v / GCQS_MAX, 1)

    lines = []
    for key in ("engaged", "avoiding", "conflict"):
        dots = [(x(i), y(p[key])) for i, p in enumerate(series)]
        lines.append({"key": key, "dots": dots, "points": " ".join(f"{a},{b}" for a, b in dots)})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT + 10,
        "left": CHART_LEFT,
        "right": CHART_RIGHT,
        "ticks": [{"value": v, "y": y(v)} for v in range(0, GCQS_MAX + 1, 2)],
        "lines": lines,
        "labels": [{"x": x(i), "text": p["number"]} for i, p in enumerate(series)],
    }


def enrolment_detail(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "changes": list(
            EnrolmentStateChange.objects.filter(enrolment=enrolment).select_related("changed_by")
        ),
        "screening": SuitabilityScreening.objects.filter(enrolment=enrolment)
        .select_related("screened_by")
        .first(),
        "outcomes": list(
            OutcomeScore.objects.filter(enrolment=enrolment).select_related("measure")
        ),
    }


def _spec(measure: ProgrammeMeasure) -> outcomes.MeasureSpec:
    return outcomes.MeasureSpec(
        key=measure.instrument_key,
        label=measure.label,
        direction=measure.direction,
        sd=measure.sd,
        reliability=measure.reliability,
    )


def cohort_outcomes(cohort: Cohort) -> dict[str, Any]:
    """Per measure: each participant's pre/post/follow-up and reliable change (pre → post and
    pre → follow-up), and the counts and rates for all enrolled and for completers."""
    measures = list(cohort.programme.measures.all())
    participants = list(cohort.enrolments.filter(state__in=PARTICIPANTS).select_related("patient"))
    values: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for s in OutcomeScore.objects.filter(enrolment__cohort=cohort):
        values[(s.enrolment_id, s.measure_id)][s.time_point] = s.value
    tables = []
    for measure in measures:
        spec = _spec(measure)
        rows = []
        for e in participants:
            v = values.get((e.pk, measure.pk), {})
            post = outcomes.participant_change(spec, v.get("pre"), v.get("post"))
            follow = outcomes.participant_change(spec, v.get("pre"), v.get("follow_up"))
            rows.append({"enrolment": e, "values": v, "post": post, "follow_up": follow})
        everyone = outcomes.count_changes(r["post"].classification for r in rows)
        completers = outcomes.count_changes(
            r["post"].classification for r in rows if r["enrolment"].state == "completed"
        )
        tables.append(
            {
                "measure": measure,
                "rows": rows,
                "groups": [
                    _group("All enrolled", everyone),
                    _group("Completers", completers),
                ],
                "follow_up": outcomes.count_changes(r["follow_up"].classification for r in rows),
                "beside_published": outcomes.deterioration_beside_published(everyone),
            }
        )
    return {"measures": measures, "tables": tables, "participants": participants}


def _group(name: str, counts: outcomes.ChangeCounts) -> dict[str, Any]:
    return {
        "name": name,
        "counts": counts,
        "rates": [
            (outcomes.CLASS_LABELS[key], counts.rate(key))
            for key in (
                outcomes.RELIABLY_IMPROVED,
                outcomes.NO_RELIABLE_CHANGE,
                outcomes.RELIABLY_DETERIORATED,
            )
        ],
    }


TIME_POINTS = list(OutcomeTimePoint)
