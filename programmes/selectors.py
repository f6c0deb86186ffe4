"""Page-shaped reads for PMP pages. Every read starts from ``programmes.policy.programmes_run_by``;
queries do not grow with the number of participants or sessions."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from assessment import instruments
from assessment import selectors as assessment_selectors
from assessment.instruments import change
from painclinic.charts import position, runs
from painclinic.estimates import mean_t_interval
from programmes import outcomes, policy, standards
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
from programmes.policy import programmes_run_by

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
        "completion_needed": standards.sessions_needed(
            len(sessions), cohort.programme.completion_min_percent
        ),
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
    """SVG coordinates for the GCQ-S session means (0–6 on the y axis). Each mean sits at its
    session number on a linear axis (sessions 1, 2, 4 are not evenly spaced) and the line breaks
    where a session has no ratings, as in every session chart (painclinic/charts.py). No inline
    styles: the strokes are classes in static/css/programmes.css (CSP)."""
    numbers = [p["number"] for p in series]
    first, last = (min(numbers), max(numbers)) if numbers else (1, 1)

    def x(number: int) -> float:
        return round(position(number, first, last, CHART_LEFT, CHART_RIGHT), 1)

    def y(v: float) -> float:
        return round(CHART_BOTTOM - (CHART_BOTTOM - CHART_TOP) * v / GCQS_MAX, 1)

    lines = []
    for key in ("engaged", "avoiding", "conflict"):
        dots = [(x(p["number"]), y(p[key])) for p in series]
        by_number = dict(zip(numbers, dots, strict=True))
        segments = [
            " ".join(f"{a},{b}" for a, b in (by_number[n] for n in run))
            for run, _ in runs(numbers, numbers)
            if len(run) > 1
        ]
        lines.append({"key": key, "dots": dots, "segments": segments})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT + 10,
        "left": CHART_LEFT,
        "right": CHART_RIGHT,
        "ticks": [{"value": v, "y": y(v)} for v in range(0, GCQS_MAX + 1, 2)],
        "lines": lines,
        "labels": [{"x": x(p["number"]), "text": p["number"]} for p in series],
    }


def enrolment_detail(enrolment: Enrolment, *, clinical: bool) -> dict[str, Any]:
    """The enrolment page's reads. ``clinical``: the viewer may see the patient's clinical
    record; without it no score is read (programmes.policy)."""
    return {
        "changes": list(
            EnrolmentStateChange.objects.filter(enrolment=enrolment).select_related("changed_by")
        ),
        "screening": SuitabilityScreening.objects.filter(enrolment=enrolment)
        .select_related("screened_by")
        .first(),
        "outcomes": list(OutcomeScore.objects.filter(enrolment=enrolment).select_related("measure"))
        if clinical
        else [],
    }


SIGNED, ENTERED = "signed", "entered"


@dataclass(frozen=True)
class Point:
    """One participant's score at one time point, with where it came from."""

    value: float
    day: date
    kind: str  # SIGNED (a signed assessment) | ENTERED (typed in on the enrolment page)
    by: str = ""
    amended: bool = False
    result_id: int | None = None

    @property
    def source(self) -> str:
        if self.kind == SIGNED:
            amended = " (amended)" if self.amended else ""
            return f"Signed assessment on {self.day:%d %b %Y}{amended}"
        return f"Entered by {self.by} on {self.day:%d %b %Y}"


def _definition(key: str):
    try:
        return instruments.get(key)
    except KeyError:
        return None


# A definition's source names its section of shared/reference/instruments.md and a source tag
# ("instruments.md §4 [S:3]: Woby 2005, …"): provenance for the code, not for the page.
_INTERNAL_REFERENCE = re.compile(r"^\s*instruments\.md\s*§\s*[\d.]+\s*(\[[^\]]*\])?\s*:?\s*")


def _plain_source(source: str) -> str:
    return _INTERNAL_REFERENCE.sub("", source).strip()


def _instrument_rci(definition) -> Any:
    """The instrument's RCI parameters for its primary score (as assessment.selectors does)."""
    wanted = definition.primary or "total"
    return next((p for p in definition.rci if p.score == wanted), None)


def _spec(measure: ProgrammeMeasure) -> outcomes.MeasureSpec:
    """The programme's own SD and reliability first; else the instrument's parameters; else
    'not available' with the reason (instruments.md §23: never guessed)."""
    base = {"key": measure.instrument_key, "label": measure.label}
    if measure.sd is not None and measure.reliability is not None:
        return outcomes.MeasureSpec(
            **base,
            direction=measure.direction,
            sd=measure.sd,
            reliability=measure.reliability,
            parameters_source=(
                f"SD {measure.sd:g} and reliability {measure.reliability:g} entered for this "
                f"programme ({measure.source or 'no source given'})"
            ),
        )
    definition = _definition(measure.instrument_key)
    parameters = _instrument_rci(definition) if definition is not None else None
    if parameters is not None and definition.direction in change.DIRECTIONS:
        if parameters.sd is not None and parameters.reliability is not None:
            inputs = f"SD {parameters.sd:g}, reliability {parameters.reliability:g}"
        else:
            inputs = f"SEM {parameters.sem:g}" if parameters.sem is not None else ""
        return outcomes.MeasureSpec(
            **base,
            direction=definition.direction,
            sd=parameters.sd,
            reliability=parameters.reliability,
            sem=parameters.sem,
            parameters_source=(
                f"{definition.short_name} published values: {inputs} "
                f"({_plain_source(parameters.source)})"
            ),
        )
    name = definition.short_name if definition is not None else measure.label
    return outcomes.MeasureSpec(
        **base,
        direction=measure.direction,
        sd=None,
        reliability=None,
        no_parameters_reason=outcomes.REASON_NO_PARAMETERS.format(name=name),
    )


def window_settings(programme: Programme) -> outcomes.WindowSettings:
    return outcomes.WindowSettings(
        pre_weeks_before=programme.pre_weeks_before,
        pre_weeks_after=programme.pre_weeks_after,
        post_weeks_around=programme.post_weeks_around,
        follow_up_weeks=programme.follow_up_weeks,
        follow_up_weeks_around=programme.follow_up_weeks_around,
    )


def _signed_candidates(
    patient_ids: list, keys: list[str], found: dict[str, outcomes.Window]
) -> dict[tuple[Any, str], list[tuple[outcomes.Candidate, bool]]]:
    """Every signed, scorable result of the participants for the measures, inside any window:
    ONE query for the whole cohort. Amended values where amended (as in
    assessment.selectors.signed_results); the compared score is the total."""
    by: dict[tuple[Any, str], list[tuple[outcomes.Candidate, bool]]] = defaultdict(list)
    if not patient_ids or not keys:
        return by
    rows = assessment_selectors.signed_score_rows(
        patient_ids,
        keys,
        date_from=min(w.start for w in found.values()),
        date_to=max(w.end for w in found.values()),
    )
    for result_id, patient_id, key, day, score, amended_score in rows:
        current = amended_score if amended_score is not None else score
        if not current or not current.get("scorable") or current.get("total") is None:
            continue
        candidate = outcomes.Candidate(result_id, day, current["total"])
        by[(patient_id, key)].append((candidate, amended_score is not None))
    return by


def cohort_outcomes(cohort: Cohort, viewer: User) -> dict[str, Any]:
    """Per measure: each participant's pre/post/follow-up with its source and reliable change
    (pre → post and pre → follow-up), and the counts and rates for all enrolled and completers.

    The counts and rates are the cohort's aggregate, for everyone who runs the programme; the
    per-participant rows (``rows``, ``participants``) hold only the participants whose clinical
    record ``viewer`` may see (programmes.policy; issue #9: the programme admin sees the
    aggregate, the care team its patients' own scores). One more query for that.

    A signed assessment in the window wins; a score entered by hand fills a time point with no
    signed result (scores collected outside painclinic). Four queries whatever the cohort size.
    """
    programme = cohort.programme
    found = outcomes.windows(cohort.start_date, cohort.end_date, window_settings(programme))
    measures = list(programme.measures.all())
    participants = list(cohort.enrolments.filter(state__in=PARTICIPANTS).select_related("patient"))
    signed = _signed_candidates(
        [e.patient_id for e in participants], [m.instrument_key for m in measures], found
    )
    visible = policy.clinically_visible(viewer, [e.patient_id for e in participants])
    entered: dict[tuple[int, int], dict[str, Point]] = defaultdict(dict)
    for s in OutcomeScore.objects.filter(enrolment__cohort=cohort).select_related("recorded_by"):
        entered[(s.enrolment_id, s.measure_id)][s.time_point] = Point(
            value=s.value, day=s.recorded_on, kind=ENTERED, by=str(s.recorded_by)
        )
    tables = []
    for measure in measures:
        spec = _spec(measure)
        rows = []
        for e in participants:
            results = signed.get((e.patient_id, measure.instrument_key), [])
            amended = {c.result_id: a for c, a in results}
            chosen = outcomes.choose([c for c, _ in results], found)
            values: dict[str, Point] = dict(entered.get((e.pk, measure.pk), {}))
            for point, c in chosen.items():
                values[point] = Point(
                    value=c.value,
                    day=c.day,
                    kind=SIGNED,
                    amended=amended[c.result_id],
                    result_id=c.result_id,
                )
            pre = values.get("pre")
            pre_value = pre.value if pre else None
            post = outcomes.participant_change(
                spec, pre_value, values["post"].value if "post" in values else None
            )
            follow = outcomes.participant_change(
                spec, pre_value, values["follow_up"].value if "follow_up" in values else None
            )
            rows.append(
                {
                    "enrolment": e,
                    "values": values,
                    "points": [values.get(p) for p in outcomes.TIME_POINTS],
                    "post": post,
                    "follow_up": follow,
                }
            )
        everyone = outcomes.count_changes(r["post"].classification for r in rows)
        completers = outcomes.count_changes(
            r["post"].classification for r in rows if r["enrolment"].state == "completed"
        )
        groups = [
            _group("All enrolled", everyone, _hidden(rows, visible)),
            _group(
                "Completers",
                completers,
                _hidden([r for r in rows if r["enrolment"].state == "completed"], visible),
            ),
        ]
        tables.append(
            {
                "measure": measure,
                "spec": spec,
                "rows": [r for r in rows if r["enrolment"].patient_id in visible],
                "groups": groups,
                "follow_up": outcomes.count_changes(r["follow_up"].classification for r in rows),
                "beside_published": groups[0]["suppressed"]
                or outcomes.deterioration_beside_published(everyone),
            }
        )
    return {
        "measures": measures,
        "tables": tables,
        "participants": [e for e in participants if e.patient_id in visible],
        "n_participants": len(participants),
        "windows": [found[p] for p in outcomes.TIME_POINTS],
    }


def small_group_message() -> str:
    n = settings.PROGRAMME_MIN_AGGREGATE_N
    return _("Fewer than %(n)d participants: not shown to protect privacy.") % {"n": n}


def _hidden(rows: list[dict], visible: set) -> str:
    """Why a group's aggregate is not shown to this viewer ('' when it is): over 1 or 2
    participants a count or a rate is their own result, so a viewer outside their care team
    (the programme admin) sees it only from the clinic's minimum group size up."""
    classified = [
        r["enrolment"].patient_id
        for r in rows
        if r["post"].classification != outcomes.NOT_AVAILABLE
    ]
    if 0 < len(classified) < settings.PROGRAMME_MIN_AGGREGATE_N and not set(classified) <= visible:
        return small_group_message()
    return ""


def _group(name: str, counts: outcomes.ChangeCounts, suppressed: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "suppressed": suppressed,
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


# --- letters (issue #14: the discharge letter and the post-programme letter to the referrer) ---


@dataclass(frozen=True)
class ProgrammeAttended:
    """One programme a patient took part in, as a letter states it (plain values only)."""

    enrolment_id: int
    programme: str
    cohort: str
    start: date | None
    end: date | None
    state: str  # EnrolmentState value
    state_label: str
    withdrawal_reason: str  # its label, or ""
    sessions_attended: int
    sessions_offered: int
    hours_attended: float
    hours_offered: float
    follow_up_on: date | None  # the follow-up time point of the programme, if it has one


def _attended(enrolment: Enrolment, sessions: list, attended_ids: set[int]) -> ProgrammeAttended:
    cohort = enrolment.cohort
    offered = [_session_input(s) for s in sessions]
    dose = standards.dose([_session_input(s) for s in sessions if s.pk in attended_ids], offered)
    programme = enrolment.programme
    follow_up = None
    if cohort is not None and programme.follow_up_weeks:
        follow_up = cohort.end_date + timedelta(weeks=programme.follow_up_weeks)
    return ProgrammeAttended(
        enrolment_id=enrolment.pk,
        programme=programme.name,
        cohort=cohort.name if cohort else "",
        start=cohort.start_date if cohort else None,
        end=cohort.end_date if cohort else None,
        state=enrolment.state,
        state_label=enrolment.get_state_display(),
        withdrawal_reason=enrolment.get_withdrawal_reason_display()
        if enrolment.withdrawal_reason
        else "",
        sessions_attended=dose.sessions_attended,
        sessions_offered=dose.sessions_offered,
        hours_attended=dose.hours_attended,
        hours_offered=dose.hours_offered,
        follow_up_on=follow_up,
    )


def programmes_of_patient(patient) -> list[ProgrammeAttended]:
    """Every programme the patient joined (enrolled, completed or withdrew after joining), with
    attendance, oldest first. Three queries whatever the number of programmes."""
    enrolments = list(
        Enrolment.objects.filter(patient=patient, state__in=PARTICIPANTS, cohort__isnull=False)
        .select_related("programme", "cohort")
        .prefetch_related("cohort__sessions")
        .order_by("cohort__start_date", "id")
    )
    attended: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, session_id in Attendance.objects.filter(
        enrolment__in=enrolments, attended=True
    ).values_list("enrolment_id", "session_id"):
        attended[enrolment_id].add(session_id)
    return [
        _attended(e, list(e.cohort.sessions.all()) if e.cohort else [], attended[e.pk])
        for e in enrolments
    ]


def enrolment_of_patient(patient, enrolment_id: int) -> Enrolment:
    """The patient's own enrolment in a programme they joined (404 otherwise: another patient's
    enrolment id, or a referral that never reached a cohort)."""
    return get_object_or_404(
        Enrolment.objects.filter(
            patient=patient, state__in=PARTICIPANTS, cohort__isnull=False
        ).select_related("programme", "cohort", "referred_by"),
        pk=enrolment_id,
    )


def participant_outcomes(enrolment: Enrolment, viewer: User) -> list[dict[str, Any]]:
    """The participant's own pre- and post-programme scores per measure of the programme, with
    the reliable change the cohort page computes (programme SD and reliability first, else the
    instrument's; ``classification`` is "not_available" with a reason where neither exists).
    Empty when ``viewer`` may not see the patient's clinical record (programmes.policy)."""
    if enrolment.cohort is None:
        return []
    data = cohort_outcomes(enrolment.cohort, viewer)
    out = []
    for table in data["tables"]:
        for row in table["rows"]:
            if row["enrolment"].pk != enrolment.pk:
                continue
            pre, post = row["values"].get("pre"), row["values"].get("post")
            out.append(
                {
                    "instrument_key": table["measure"].instrument_key,
                    "label": table["measure"].label,
                    "pre": pre,
                    "post": post,
                    "classification": row["post"].classification,
                }
            )
    return out
