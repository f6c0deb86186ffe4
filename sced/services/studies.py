"""Studies: create, randomize (draw the start point before any data) and close."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from painclinic import audit
from painclinic.models import AuditAction
from painclinic.validators import planned_clinical_date
from sced import selectors
from sced.models import (
    DESIGN_PHASES,
    MBD_DESIGNS,
    RANDOMIZABLE_DESIGNS,
    Design,
    Draw,
    Improvement,
    Measure,
    Measurement,
    MeasureRole,
    Study,
    StudyState,
)
from sced.stats import atd
from sced.stats import randomization as rt
from sced.stats.limits import (
    MAX_PHASE_SESSIONS,
    MAX_STUDY_SESSIONS,
    MSG_PHASE_TOO_LONG,
    MSG_STUDY_TOO_LONG,
)

if TYPE_CHECKING:
    from datetime import date

    from painclinic.models import User
    from patients.models import Episode

from sced.services.analyses import analysis_request
from sced.services.messages import (
    DEFAULT_A_LENGTH,
    DEFAULT_B_LENGTH,
    MSG_ALREADY_CLOSED,
    MSG_ALREADY_DRAWN,
    MSG_ATD_EVEN,
    MSG_ATD_PLAN,
    MSG_CRITERIA_NEEDED,
    MSG_CRITERION_STARTED,
    MSG_CRITERION_UNKNOWN,
    MSG_DATA_EXIST,
    MSG_DESIGN,
    MSG_DUPLICATE_MEASURE,
    MSG_IMPROVEMENT,
    MSG_MBD_TIERS,
    MSG_MBD_WINDOW,
    MSG_MEASURE_KEYS,
    MSG_MIN_PHASE,
    MSG_NO_ADMISSIBLE,
    MSG_NO_MEASURES,
    MSG_NOT_RANDOMIZABLE,
    MSG_PHASE_TOO_SHORT,
    MSG_QUESTION,
    MSG_RANGE,
    MSG_STUDY_CLOSED,
)

# --- studies ---------------------------------------------------------------------------------


def _planned_lengths(
    design: str, given: dict | None, labels: tuple[str, ...] | None = None
) -> dict[str, int]:
    labels = labels or DESIGN_PHASES[design]
    given = dict(given or {})
    out: dict[str, int] = {}
    for label in labels:
        # "A"/"B" stand for every A/B phase, so {"A": 5, "B": 10} plans an ABAB as 5-10-5-10.
        default = DEFAULT_A_LENGTH if label.startswith("A") else DEFAULT_B_LENGTH
        if design in (Design.ABA, Design.ABAB):
            default = DEFAULT_A_LENGTH
        out[label] = int(given.get(label, given.get(label[0], default)))
    return out


@transaction.atomic
def study_create(
    *,
    actor: User,
    episode: Episode,
    clinical_question: str,
    design: str,
    measures: list[dict],
    planned_phase_lengths: dict | None = None,
    min_phase_length: int = 3,
    start_date: date | None = None,
    atd_sessions: int | None = None,
    atd_max_consecutive: int | None = None,
    criteria: list[tuple[float, int]] | None = None,
) -> Study:
    """Set up a single-case study for an episode (state: planned).

    ``measures``: dicts with name, unit, range_min, range_max, improvement ("increase" or
    "decrease") and optionally description (e.g. the exposure-hierarchy item it comes from).
    The treatment app calls this to turn a graded-exposure item into an SCED outcome.
    Raises ValidationError (all problems at once) and writes nothing on bad input.

    Alternating treatments: ``atd_sessions`` sessions, equal numbers of A and B, and at most
    ``atd_max_consecutive`` sessions of one condition in a row; the condition sequence is drawn
    here, before any data, from a fresh seed (SCRT "ATD"; sced.stats.atd.draw_sequence), and
    the study starts randomized. Changing criterion: ``criteria`` is (criterion, planned
    sessions) of each criterion phase, in order; the phases are B1, B2, … after the baseline A.
    """
    errors: list[str] = []
    if design not in Design.values:
        raise ValidationError(gettext(MSG_DESIGN).format(design=design))
    if not clinical_question.strip():
        errors.append(gettext(MSG_QUESTION))
    if min_phase_length < 1:
        errors.append(gettext(MSG_MIN_PHASE))
    try:  # the same rule as the form (painclinic/validators.py): at most two years ahead
        planned_clinical_date(start_date, what="The first baseline day")
    except ValidationError as exc:
        errors.extend(exc.messages)
    atd_plan = None
    criteria_rows: list[dict] = []
    labels = None
    if design == Design.ATD:
        atd_plan, lengths_given = _atd_plan(atd_sessions, atd_max_consecutive, errors)
        planned_phase_lengths = lengths_given or planned_phase_lengths
    elif design == Design.CHANGING_CRITERION:
        criteria_rows, labels, planned_phase_lengths = _criteria_plan(
            criteria, planned_phase_lengths, errors
        )
    lengths = _planned_lengths(design, planned_phase_lengths, labels)
    for label, n in lengths.items():
        if n > MAX_PHASE_SESSIONS:  # sced/stats/limits.py
            errors.append(MSG_PHASE_TOO_LONG.format(label=label, n=n, max=MAX_PHASE_SESSIONS))
        elif n < min_phase_length:
            errors.append(gettext(MSG_PHASE_TOO_SHORT).format(label=label, n=n, L=min_phase_length))
    if sum(lengths.values()) > MAX_STUDY_SESSIONS:
        errors.append(
            MSG_STUDY_TOO_LONG.format(
                where="The plan", n=sum(lengths.values()), max=MAX_STUDY_SESSIONS
            )
        )
    if not measures:
        errors.append(gettext(MSG_NO_MEASURES))
    elif design in MBD_DESIGNS and len(measures) < 2:
        errors.append(gettext(MSG_MBD_TIERS))
    names: set[str] = set()
    for i, m in enumerate(measures, start=1):
        if any(m.get(k) in (None, "") for k in ("name", "range_min", "range_max", "improvement")):
            errors.append(gettext(MSG_MEASURE_KEYS).format(i=i))
            continue
        name = str(m["name"]).strip()
        if m["improvement"] not in Improvement.values:
            errors.append(gettext(MSG_IMPROVEMENT).format(name=name))
        if float(m["range_min"]) >= float(m["range_max"]):
            errors.append(gettext(MSG_RANGE).format(name=name))
        if name.lower() in names:
            errors.append(gettext(MSG_DUPLICATE_MEASURE).format(name=name))
        names.add(name.lower())
    if errors:
        raise ValidationError(errors)
    study = Study.objects.create(
        episode=episode,
        clinical_question=clinical_question.strip(),
        design=design,
        planned_phase_lengths=lengths,
        min_phase_length=min_phase_length,
        start_date=start_date,
        created_by=actor,
        criteria=criteria_rows,
        **(
            {
                "atd_sequence": "".join(atd_plan.sequence),
                "atd_seed": atd_plan.seed,
                "atd_max_consecutive": atd_plan.max_consecutive,
                "atd_n_admissible": str(atd_plan.n_admissible),
                # drawn before any data: the randomization is done
                "state": StudyState.RANDOMIZED,
            }
            if atd_plan is not None
            else {}
        ),
    )
    Measure.objects.bulk_create(
        Measure(
            study=study,
            name=str(m["name"]).strip(),
            unit=str(m.get("unit") or ""),
            range_min=float(m["range_min"]),
            range_max=float(m["range_max"]),
            improvement=m["improvement"],
            description=str(m.get("description") or ""),
            position=i,
            # Issue #12: the first measure is the primary outcome, the others process measures
            # (every tier of a multiple baseline is an outcome).
            role=MeasureRole.PRIMARY if i == 0 or design in MBD_DESIGNS else MeasureRole.PROCESS,
        )
        for i, m in enumerate(measures)
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=episode.patient, obj=study)
    return study


def _criteria_plan(
    criteria: list[tuple[float, int]] | None, given: dict | None, errors: list[str]
) -> tuple[list[dict], tuple[str, ...] | None, dict]:
    """The criterion phases B1, B2, … with their criteria and planned lengths."""
    if not criteria:
        errors.append(gettext(MSG_CRITERIA_NEEDED))
        return [], None, dict(given or {})
    rows = [{"label": f"B{i}", "criterion": float(c)} for i, (c, _n) in enumerate(criteria, 1)]
    lengths = {
        **(given or {}),
        **{r["label"]: int(n) for r, (_c, n) in zip(rows, criteria, strict=True)},
    }
    return rows, ("A", *(r["label"] for r in rows)), lengths


def _atd_plan(
    n_sessions: int | None, max_consecutive: int | None, errors: list[str]
) -> tuple[atd.AtdPlan | None, dict[str, int] | None]:
    """Draw an alternating-treatments sequence (or say why not, in ``errors``)."""
    if not n_sessions or not max_consecutive:
        errors.append(gettext(MSG_ATD_PLAN))
        return None, None
    if n_sessions % 2 or n_sessions < 2:
        errors.append(gettext(MSG_ATD_EVEN).format(n=n_sessions))
        return None, None
    if n_sessions > atd.MAX_SESSIONS:
        errors.append(atd.ERR_TOO_MANY.format(max=atd.MAX_SESSIONS, n=n_sessions))
        return None, None
    try:
        plan = atd.draw_sequence(n_sessions, max_consecutive=max_consecutive, seed=rt.draw_seed())
    except ValueError as exc:
        errors.append(str(exc))
        return None, None
    return plan, {"A": n_sessions // 2, "B": n_sessions // 2}


def admissible_for(
    study: Study, *, earliest: int | None = None, latest: int | None = None
) -> list[Any]:
    """Admissible assignments for the planned number of sessions (sced.stats.randomization):
    start points of B (AB) or of phases 2..k (ABA/ABAB), each phase ≥ the minimum length;
    ``earliest``/``latest`` narrow where the first intervention phase may start."""
    n = study.planned_sessions
    labels = study.phase_labels
    if study.design in MBD_DESIGNS:
        return mbd_start_sets(study, earliest=earliest, latest=latest)
    if study.design == Design.AB:
        found: list[Any] = list(
            rt.admissible_start_points(n, min_phase_length=study.min_phase_length)
        )
    else:
        found = [
            list(a)
            for a in rt.admissible_change_points(
                n, n_phases=len(labels), min_phase_length=study.min_phase_length
            )
        ]
    lo, hi = earliest or 1, latest or n

    def first(a: Any) -> int:
        return a if isinstance(a, int) else a[0]

    return [a for a in found if lo <= first(a) <= hi]


def mbd_start_sets(
    study: Study, *, earliest: int | None = None, latest: int | None = None
) -> list[list[int]]:
    """The declared start-point sets of a multiple-baseline study, one per tier.

    Every tier is an AB series of the planned length N, so its intervention may start at
    L+1 .. N−L+1 (each phase ≥ L; ``admissible_start_points``), narrowed to earliest..latest.
    That window is cut into as many consecutive, disjoint sets as there are tiers; the draw
    then takes one point from every set and assigns the sets to the tiers in a random order
    (Koehler & Levin 1998 regulated randomization; SCRT ``"MBD"``; sced.md §2.13). Disjoint
    sets make the starts staggered whatever is drawn, which is what lets a multiple baseline
    separate the intervention from time (Baer, Wolf & Risley 1968; WWC 2010: ≥ 3 staggered
    introductions).
    """
    n_tiers = study.measures.count()
    if n_tiers < 2:
        raise ValueError(gettext(MSG_MBD_TIERS))
    window = [
        s
        for s in rt.admissible_start_points(
            study.planned_sessions, min_phase_length=study.min_phase_length
        )
        if (earliest or 1) <= s <= (latest or study.planned_sessions)
    ]
    if len(window) < n_tiers:
        raise ValueError(
            gettext(MSG_MBD_WINDOW).format(
                lo=window[0] if window else earliest or 1,
                hi=window[-1] if window else latest or study.planned_sessions,
                n=len(window),
                tiers=n_tiers,
            )
        )
    size, extra = divmod(len(window), n_tiers)
    sets: list[list[int]] = []
    at = 0
    for i in range(n_tiers):
        width = size + (1 if i >= n_tiers - extra else 0)  # the later sets take the remainder
        sets.append(window[at : at + width])
        at += width
    return sets


def _draw_mbd(study: Study, sets: list[list[int]], seed: int) -> tuple[list[int], list[int]]:
    """One assignment of the regulated set: (start per tier, tier measure ids)."""
    drawn = rt.draw_start_point(rt.regulated_mbd_start_points(sets), seed=seed)
    tiers = list(study.measures.order_by("position", "id").values_list("id", flat=True))
    return [int(v) for v in drawn.start], tiers


@transaction.atomic
def study_randomize(
    *,
    actor: User,
    study: Study,
    concealed: bool = True,
    earliest: int | None = None,
    latest: int | None = None,
    seed: int | None = None,
) -> Draw:
    """Draw the intervention start once, before any data, and record seed, who and when.

    The seed comes from the OS unless given (tests); the draw is reproducible from it with
    ``sced.stats.randomization.draw_start_point``. Refused when already drawn or data exist.
    """
    study = Study.objects.select_for_update(no_key=True).get(pk=study.pk)
    if study.design not in RANDOMIZABLE_DESIGNS:
        raise ValidationError(gettext(MSG_NOT_RANDOMIZABLE))
    existing = Draw.objects.filter(study=study).first()
    if existing is not None:
        raise ValidationError(
            gettext(MSG_ALREADY_DRAWN).format(
                when=timezone.localtime(existing.drawn_at).strftime("%d %b %Y")
            )
        )
    if Measurement.objects.filter(measure__study=study).exists():
        raise ValidationError(gettext(MSG_DATA_EXIST))
    try:
        admissible = admissible_for(study, earliest=earliest, latest=latest)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if not admissible:
        raise ValidationError(
            gettext(MSG_NO_ADMISSIBLE).format(lo=earliest or 1, hi=latest or study.planned_sessions)
        )
    seed = rt.draw_seed() if seed is None else seed
    tiers: list[int] = []
    if study.design in MBD_DESIGNS:
        start, tiers = _draw_mbd(study, admissible, seed)
    else:
        drawn = rt.draw_start_point(admissible, seed=seed)
        start = drawn.start if isinstance(drawn.start, int) else list(drawn.start)
    draw = Draw.objects.create(
        study=study,
        admissible=admissible,
        seed=seed,
        start=start,
        tiers=tiers,
        concealed=concealed,
        drawn_by=actor,
    )
    study.state = StudyState.RANDOMIZED
    study.save(update_fields=["state"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=study,
        changed_fields=["draw", "state"],
    )
    return draw


# --- closing a study -------------------------------------------------------------------------


@transaction.atomic
def study_close(*, actor: User, study: Study) -> Study:
    """End data collection: state CLOSED, who and when. Values can no longer be entered (every
    recording service refuses, diary links stop working); measurements, the draw and every
    analysis are kept as they are."""
    study = (
        Study.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=study.pk)
    )
    if study.state == StudyState.CLOSED:
        raise ValidationError(gettext(MSG_ALREADY_CLOSED))
    study.state = StudyState.CLOSED
    study.closed_at = timezone.now()
    study.closed_by = actor
    study.save(update_fields=["state", "closed_at", "closed_by"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=study,
        changed_fields=["state", "closed_at", "closed_by"],
    )
    return study


# --- adding and editing a measure (issue #12) ------------------------------------------------

MSG_MBD_NO_NEW_TIER = gettext_noop(
    "A multiple baseline's tiers are drawn together before the data: a tier cannot be added."
)
MSG_MEASURE_HAS_VALUES = gettext_noop(
    "{name} already has values: its direction of improvement and its range cannot change now "
    "(the values were given on that scale). Add a new measure instead."
)


@transaction.atomic
def measure_save(
    *,
    actor: User,
    study: Study,
    name: str,
    unit: str,
    range_min: float,
    range_max: float,
    improvement: str,
    description: str = "",
    measure: Measure | None = None,
) -> Measure:
    """Add a process measure to a study, or edit a measure. Name, unit and source may change at
    any time; the direction and the range only while the measure has no value (any value,
    struck out or not: a value means the scale was in use), so a scale never changes silently
    under its data. Raises ValidationError (all problems at once) and writes nothing."""
    study = (
        Study.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=study.pk)
    )
    errors: list[str] = []
    if study.state == StudyState.CLOSED:
        raise ValidationError(gettext(MSG_STUDY_CLOSED))
    name = str(name).strip()
    if not name:
        errors.append(gettext(MSG_MEASURE_KEYS).format(i=1))
    if improvement not in Improvement.values:
        errors.append(gettext(MSG_IMPROVEMENT).format(name=name))
    if float(range_min) >= float(range_max):
        errors.append(gettext(MSG_RANGE).format(name=name))
    others = study.measures.all()
    if measure is not None:
        others = others.exclude(pk=measure.pk)
    if others.filter(name__iexact=name).exists():
        errors.append(gettext(MSG_DUPLICATE_MEASURE).format(name=name))
    if measure is None and study.design in MBD_DESIGNS:
        errors.append(gettext(MSG_MBD_NO_NEW_TIER))
    if measure is not None:
        measure = Measure.objects.select_for_update(no_key=True).get(pk=measure.pk, study=study)
        scale_changed = (
            measure.improvement != improvement
            or measure.range_min != float(range_min)
            or measure.range_max != float(range_max)
        )
        if scale_changed and measure.measurements.exists():
            errors.append(gettext(MSG_MEASURE_HAS_VALUES).format(name=measure.name))
    if errors:
        raise ValidationError(errors)
    fields = {
        "name": name,
        "unit": str(unit or ""),
        "range_min": float(range_min),
        "range_max": float(range_max),
        "improvement": improvement,
        "description": str(description or ""),
    }
    if measure is None:
        last = max((m.position for m in study.measures.all()), default=-1)
        # A later measure is a process measure: the primary outcome is the one the test was
        # declared on before the data.
        measure = Measure.objects.create(
            study=study, position=last + 1, role=MeasureRole.PROCESS, **fields
        )
        action, changed = AuditAction.CREATE, list(fields)
    else:
        changed = [k for k, v in fields.items() if getattr(measure, k) != v]
        for key, value in fields.items():
            setattr(measure, key, value)
        measure.save(update_fields=changed or ["name"])
        action = AuditAction.CHANGE
    audit.record_event(
        actor=actor,
        action=action,
        patient=study.episode.patient,
        obj=measure,
        changed_fields=changed,
    )
    return measure


@transaction.atomic
def study_criterion_set(*, actor: User, study: Study, label: str, criterion: float) -> Study:
    """Change the criterion of a changing-criterion phase that has not started yet.

    A criterion is set before its phase (Hartmann & Hall 1976): once a value of the phase or a
    later session is recorded, the criterion stays as it was. Audited as a change; the analysis
    is asked again when data exist (the criterion lines and the table follow the plan).
    """
    study = (
        Study.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=study.pk)
    )
    if study.state == StudyState.CLOSED:
        raise ValidationError(gettext(MSG_ALREADY_CLOSED))
    spans = {lbl: first for lbl, first, _last in selectors.phase_spans(study)}
    if not study.is_changing_criterion or label not in spans or label == "A":
        raise ValidationError(gettext(MSG_CRITERION_UNKNOWN).format(label=label))
    first = spans[label]
    latest = (
        Measurement.objects.filter(measure__study=study)
        .order_by("-session")
        .values_list("session", flat=True)
        .first()
    )
    if latest is not None and latest >= first:
        raise ValidationError(gettext(MSG_CRITERION_STARTED).format(label=label, first=latest))
    study.criteria = [
        {**c, "criterion": float(criterion)} if c["label"] == label else c for c in study.criteria
    ]
    study.save(update_fields=["criteria"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=study.episode.patient,
        obj=study,
        changed_fields=["criteria"],
    )
    if latest is not None:
        analysis_request(actor=actor, study=study)
    return study
