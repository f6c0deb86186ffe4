"""Fast bulk seed for the benchmark: clinical depth for every synthetic patient.

How (issue #16): ``seed_demo --patients N`` makes the patients, episodes, care teams and
contacts with ``bulk_create``; ``seed_clinical_demo`` writes one illustrative patient (Jannick)
through the real services (signed assessments, treatment plan, goal with a review, a single-case
study with a drawn start point and its analysis). This module then copies Jannick's clinical rows
onto every synthetic patient with ``bulk_create`` (FKs re-pointed to that patient's episode and
lead clinician, dates shifted), at several time points, and gives each study 30-60 fresh values.
It does NOT go through the services one by one (that takes hours at 10,000 patients) and writes
no audit rows (a real clinic's audit log would hold one per page view and save).

Plots are not copied (two images per study would add ~1.5 GB at 10,000 patients); the copied
analysis runs keep the template's results, so the results page renders as after a real run
whose plots were evicted.
"""

from __future__ import annotations

import copy
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models.base import ModelState

from assessment.models import Administration, AssessmentSession, TimePoint
from painclinic import derived
from patients.models import Episode, Patient
from sced.models import AnalysisRun, Draw, Measure, Measurement, Study
from treatment.models import Goal, GoalReview, PlanIntervention, TreatmentPlan

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from django.db.models import Model

TEMPLATE_IDENTIFIER = "DEMO-JANNICK"
BATCH = 5_000
# Time points at which each synthetic patient has signed assessments (days after referral).
TIME_POINTS = ((TimePoint.values[0], 0), (TimePoint.values[1 % len(TimePoint.values)], 60))


def _copy(row: Model, **overrides: Any) -> Model:
    new = copy.copy(row)
    new.pk = None
    if hasattr(new, "id"):
        new.id = None
    new._state = ModelState()
    for name, value in overrides.items():
        setattr(new, name, value)
    return new


def _bulk(model: type[Any], rows: list[Any]) -> list[Any]:
    return list(model._default_manager.bulk_create(rows, batch_size=BATCH))


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def seed_depth(*, seed: int = 20251207, log: Callable[[str], None] = print) -> dict[str, int]:
    """Copy the template patient's clinical rows onto every synthetic patient (SYN-…)."""
    rng = random.Random(seed)
    template = Patient.objects.get(identifier=TEMPLATE_IDENTIFIER)
    sessions = list(AssessmentSession.objects.filter(patient=template).order_by("date", "id"))
    administrations: dict[int, list[Administration]] = {}
    for a in Administration.objects.filter(session__in=sessions, state="signed").order_by("id"):
        administrations.setdefault(a.session_id, []).append(a)
    sessions = [s for s in sessions if s.pk in administrations]
    plans = list(TreatmentPlan.objects.filter(episode__patient=template).order_by("version"))
    interventions = list(PlanIntervention.objects.filter(plan__in=plans))
    goals = list(Goal.objects.filter(episode__patient=template).order_by("id"))
    reviews = list(GoalReview.objects.filter(goal__in=goals).order_by("id"))
    study = Study.objects.filter(episode__patient=template).order_by("id").first()
    if not (sessions and plans and goals and study):
        raise RuntimeError("the template patient has no clinical rows: run seed_clinical_demo")
    measure = Measure.objects.filter(study=study).order_by("id").first()
    draw = Draw.objects.get(study=study)
    run = AnalysisRun.objects.filter(study=study, state="done").order_by("-id").first()
    start = int(draw.start[0] if isinstance(draw.start, list) else draw.start)

    episodes = list(
        Episode.objects.filter(patient__identifier__startswith="SYN-")
        .exclude(sced_studies__isnull=False)
        .select_related("patient")
        .order_by("id")
    )
    counts = dict.fromkeys(
        ("patients", "sessions", "administrations", "plans", "goals", "reviews", "studies"), 0
    )
    counts["measurements"] = 0
    for part in _chunks(episodes, 1_000):
        with transaction.atomic():
            _seed_part(
                part,
                rng=rng,
                sessions=sessions,
                administrations=administrations,
                plans=plans,
                interventions=interventions,
                goals=goals,
                reviews=reviews,
                study=study,
                measure=measure,
                draw=draw,
                run=run,
                start=start,
                counts=counts,
            )
        counts["patients"] += len(part)
        log(f"  depth for {counts['patients']:,} of {len(episodes):,} patients")
    # bulk_create bypasses the services: fill the derived columns they keep current (the last
    # signed assessment, the result summaries, the plan and goal facts, the GAS T, the findings and
    # each study's NAP in force: the team review's lists read them) by the services' own rules,
    # the one list every app registers (painclinic/derived.py, manage.py refresh_derived).
    for outcome in derived.run_all(write=True, batch_size=2_000):
        counts[outcome.name] = outcome.rows
        log(f"  {outcome.name}: {outcome.rows:,} rows in {outcome.seconds:.1f} s")
    return counts


def _seed_part(
    part: list[Episode], *, rng: random.Random, counts: dict[str, int], **t: Any
) -> None:
    new_sessions, session_admins = [], []
    for ep in part:
        for n, (time_point, offset) in enumerate(TIME_POINTS):
            for s in t["sessions"][:1] if n else t["sessions"]:
                row = _copy(
                    s,
                    patient_id=ep.patient_id,
                    episode_id=ep.pk,
                    administered_by_id=ep.lead_clinician_id,
                    time_point=time_point,
                    date=ep.referral_date + timedelta(days=offset + rng.randint(0, 10)),
                )
                new_sessions.append(row)
                session_admins.append((row, t["administrations"][s.pk], ep))
    _bulk(AssessmentSession, new_sessions)
    admins = [
        _copy(a, session_id=row.pk, signed_by_id=ep.lead_clinician_id, current_amendment_id=None)
        for row, templates, ep in session_admins
        for a in templates
    ]
    _bulk(Administration, admins)

    new_plans, plan_links = [], []
    for ep in part:
        for p in t["plans"]:
            row = _copy(p, episode_id=ep.pk, signed_by_id=ep.lead_clinician_id)
            new_plans.append(row)
            plan_links.append((row, p))
    _bulk(TreatmentPlan, new_plans)
    _bulk(
        PlanIntervention,
        [
            _copy(i, plan_id=row.pk)
            for row, p in plan_links
            for i in t["interventions"]
            if i.plan_id == p.pk
        ],
    )

    new_goals, goal_links = [], []
    for ep in part:
        for g in t["goals"]:
            row = _copy(g, episode_id=ep.pk, created_by_id=ep.lead_clinician_id)
            new_goals.append(row)
            goal_links.append((row, ep))
    _bulk(Goal, new_goals)
    new_reviews = []
    template_review = t["reviews"][0] if t["reviews"] else None
    if template_review is not None:
        for row, ep in goal_links:
            for k in range(rng.randint(1, 3)):  # a goal reviewed one to three times
                new_reviews.append(
                    _copy(
                        template_review,
                        goal_id=row.pk,
                        recorded_by_id=ep.lead_clinician_id,
                        attained_level=min(2, -1 + k),
                        review_date=ep.referral_date + timedelta(days=30 * (k + 1)),
                    )
                )
    _bulk(GoalReview, new_reviews)

    studies = [
        _copy(t["study"], episode_id=ep.pk, created_by_id=ep.lead_clinician_id, closed_by_id=None)
        for ep in part
    ]
    _bulk(Study, studies)
    measures = [_copy(t["measure"], study_id=s.pk) for s in studies]
    _bulk(Measure, measures)
    _bulk(
        Draw,
        [
            _copy(t["draw"], study_id=s.pk, drawn_by_id=ep.lead_clinician_id, tiers=[m.pk])
            if t["draw"].tiers
            else _copy(t["draw"], study_id=s.pk, drawn_by_id=ep.lead_clinician_id)
            for s, m, ep in zip(studies, measures, part, strict=True)
        ],
    )
    values = []
    for m, ep in zip(measures, part, strict=True):
        n = rng.randint(30, 60)  # 30-60 values per study (issue #16)
        for session in range(1, n + 1):
            centre = 7.5 if session < t["start"] else max(2.0, 7.0 - 0.15 * session)
            v = float(min(10, max(0, round(rng.gauss(centre, 1.0)))))
            values.append(
                Measurement(
                    measure_id=m.pk,
                    session=session,
                    date=ep.referral_date + timedelta(days=session),
                    original_value=v,
                    value=v,
                    recorded_by_id=ep.lead_clinician_id,
                )
            )
    _bulk(Measurement, values)
    if t["run"] is not None:
        _bulk(
            AnalysisRun,
            [
                _copy(t["run"], study_id=s.pk, requested_by_id=ep.lead_clinician_id)
                for s, ep in zip(studies, part, strict=True)
            ],
        )
    counts["sessions"] += len(new_sessions)
    counts["administrations"] += len(admins)
    counts["plans"] += len(new_plans)
    counts["goals"] += len(new_goals)
    counts["reviews"] += len(new_reviews)
    counts["studies"] += len(studies)
    counts["measurements"] += len(values)


def analyze() -> None:
    """Fresh planner statistics (stale ones made the list query 70 ms instead of 19 ms), and the
    dead rows of the seed's own updates cleared, as autovacuum clears a clinic's: the seed
    inserts every episode and then fills its stored facts (plan, goals, GAS, last signed
    assessment) in later passes, which left three dead versions for each live episode (30,000
    dead, 10,000 live; a clinic's database carries about one in five before autovacuum runs).
    Measured at 10,000 patients: the team review's attention query 36 -> 26 ms, its counts
    14 -> 10 ms, the caseload's count 3.9 -> 3.0 ms (EXPLAIN ANALYZE, best of 6)."""
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction (a test's): there, the statistics alone.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
