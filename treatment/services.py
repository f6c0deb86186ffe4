"""Writes for treatment. Each service runs in one transaction and writes its audit event inside it
(shared/STYLE.md §3.2). Signed rows are never updated: a change is a new version or an amendment.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from assessment import services as assessment_services
from assessment.instruments.gas import GasGoal, GasResult, gas_t_score
from painclinic import audit, concurrency
from painclinic.access import check_may_give_clinical_care
from painclinic.chart_cache import prerender_on_commit
from painclinic.models import AuditAction
from painclinic.validators import planned_clinical_date
from patients.models import Episode, Patient
from sced import services as sced_services
from treatment import pacing, tasks
from treatment.models import (
    ExposureSession,
    FlareUpPlan,
    Goal,
    GoalReview,
    GoalReviewAmendment,
    HierarchyItem,
    Intervention,
    PacingLogEntry,
    PacingPlan,
    PacingScheduleChange,
    PlanIntervention,
    SuggestionDecision,
    SuggestionRecord,
    TreatmentPlan,
)
from treatment.suggestions import RULES_BY_KEY, Suggestion

if TYPE_CHECKING:
    from decimal import Decimal

    from painclinic.models import User

EPISODE_CLOSED = gettext_noop("This episode is discharged: open a new episode to plan treatment.")
CHANGE_NEEDS_REASON = gettext_noop(
    "Say why the plan changes: the previous version is kept with your reason."
)
UNKNOWN_SUGGESTION = gettext_noop(
    "This suggestion is no longer made by the profile: reload the plan."
)
UNKNOWN_INTERVENTION = gettext_noop("Unknown intervention {kind!r}.")
REVIEW_BEFORE_GOAL = gettext_noop("A review cannot be dated before the goal was set ({day}).")
REVIEW_IN_FUTURE = gettext_noop("A review cannot be dated in the future.")
AMENDMENT_NEEDS_REASON = gettext_noop("Say why the review is corrected: the original is kept.")
AMENDMENT_CHANGES_NOTHING = gettext_noop(
    "The correction is the same as the review: nothing to amend."
)
SCED_ALREADY = gettext_noop("This activity is already an SCED outcome.")
SCED_NO_EPISODE = gettext_noop("There is no open episode to hold the single-case study.")
LOG_BEFORE_START = gettext_noop("The log starts on the first day of the quota ({day}).")
# A goal's scale is fixed once it has been scored: the GAS T-score compares levels attained with
# the levels set before treatment (Kiresuk & Sherman 1968; Turner-Stokes 2009, instruments.md
# §22), so rewording a scored goal would change what earlier reviews meant. Decision: refuse, and
# say what to do instead (retire it with a reason and set a new goal).
GOAL_REVIEWED = gettext_noop(
    "This goal has been reviewed, so its wording and levels are fixed: earlier reviews were "
    "scored against them. Retire it with a reason and set a new goal instead."
)
GOAL_RETIRED = gettext_noop(
    "This goal is retired: it is kept on record but can no longer be changed or reviewed."
)
RETIRE_NEEDS_REASON = gettext_noop("Say why it is retired: it stays on record with your reason.")
ALREADY_RETIRED = gettext_noop("This is already retired.")
ITEM_RETIRED = gettext_noop(
    "This hierarchy step is retired: it is kept on record but takes no new sessions."
)
MOVE_DIRECTIONS = ("up", "down")
SCHEDULE_CHANGE_NEEDS_REASON = gettext_noop(
    "Say why the schedule changes: the previous schedule is kept."
)
SCHEDULE_CHANGE_IN_PAST = gettext_noop(
    "A new schedule starts today or later: the days already past keep the quota they had."
)
SCHEDULE_CHANGE_BEFORE_LAST = gettext_noop(
    "A new schedule cannot start before the latest change ({day}): add it from that day or later."
)

# "Make this an SCED outcome": the two measures a hierarchy item can become (issue #5).
SCED_FEAR = "fear"
SCED_PERFORMANCE = "performance"
SCED_DESIGN = "ABAB"  # Jannick's AB(AB) exposure study (DESIGN.md); sced may refuse and say so.


# Someone signed a newer version (plan, flare-up plan) or saved the record (goal) after this
# form was opened: the one conflict of every edit form (painclinic/concurrency.py).
EditConflict = concurrency.EditConflict


# --- treatment plan ---------------------------------------------------------------------------


def _plan_snapshot(plan: TreatmentPlan | None) -> dict[str, Any]:
    if plan is None:
        return {}
    return {
        "formulation": plan.formulation,
        "yellow_flags": sorted(plan.yellow_flags),
        "focus_areas": plan.focus_areas,
        "interventions": {
            i.kind: (i.delivered_by_id if i.delivered_by_id else None)
            for i in plan.interventions.all()
        },
    }


@transaction.atomic
def plan_save(
    *,
    actor: User,
    episode: Episode,
    formulation: str,
    yellow_flags: list[str],
    focus_areas: str,
    interventions: dict[str, User | None],
    expected_version: int,
    change_reason: str = "",
) -> TreatmentPlan:
    """Sign a new version of the episode's plan (version 1 when there is none).

    ``expected_version`` is the version the form was opened with (0 for a new plan). Optimistic
    concurrency across the form round trip: the episode row is locked so that two saves
    serialise, and the second one, which started from an older version, raises EditConflict
    instead of silently replacing the first (the unique (episode, version) constraint backs this
    up if a save ever skips the lock). A change of an existing plan needs a reason.
    """
    episode = Episode.objects.select_for_update(no_key=True).get(pk=episode.pk)
    if not episode.is_open:
        raise ValidationError(gettext(EPISODE_CLOSED))
    for kind, deliverer in interventions.items():
        if kind not in Intervention.values:
            raise ValidationError(gettext(UNKNOWN_INTERVENTION).format(kind=kind))
        if deliverer is not None:
            check_may_give_clinical_care(deliverer)  # issue #9: clinicians deliver care
    current = (
        TreatmentPlan.objects.filter(episode=episode)
        .prefetch_related("interventions")
        .order_by("-version")
        .first()
    )
    current_version = current.version if current else 0
    proposed = {
        "formulation": formulation,
        "yellow_flags": sorted(yellow_flags),
        "focus_areas": focus_areas,
        "interventions": {k: (u.pk if u else None) for k, u in interventions.items()},
    }
    before = _plan_snapshot(current)
    changed = [name for name, value in proposed.items() if before.get(name) != value]
    concurrency.check_version(current, expected_version, changed)
    if current is not None:
        if not changed:
            return current
        if not change_reason.strip():
            raise ValidationError(gettext(CHANGE_NEEDS_REASON))
    try:
        with transaction.atomic():
            plan = TreatmentPlan.objects.create(
                episode=episode,
                version=current_version + 1,
                formulation=formulation,
                yellow_flags=sorted(yellow_flags),
                focus_areas=focus_areas,
                change_reason=change_reason.strip(),
                signed_by=actor,
            )
    except IntegrityError as exc:  # a save that bypassed the lock got there first
        latest = TreatmentPlan.objects.filter(episode=episode).order_by("-version").first()
        raise EditConflict(current=latest, differing_fields=list(proposed)) from exc
    PlanIntervention.objects.bulk_create(
        PlanIntervention(plan=plan, kind=kind, delivered_by=user)
        for kind, user in interventions.items()
    )
    refresh_plan_and_goal_facts(Episode.objects.filter(pk=episode.pk))
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE if current is None else AuditAction.CHANGE,
        patient=episode.patient,
        obj=plan,
        changed_fields=changed,
    )
    return plan


def refresh_plan_and_goal_facts(episodes) -> int:
    """Recompute Episode.latest_plan_flags and Episode.has_goals of ``episodes`` (a queryset)
    from their plans and goals: one UPDATE. Called by ``plan_save`` and ``goal_create`` (plans and
    goals are never deleted: a goal is retired, and still counts as set), by the migration that
    added the columns and by bulk loads that bypass the services."""
    return episodes.update(**plan_and_goal_facts_rule())


def plan_and_goal_facts_rule() -> dict[str, Any]:
    """The two columns of ``refresh_plan_and_goal_facts`` as expressions over an episode row:
    the one rule, also annotated by ``manage.py refresh_derived`` to find stale rows."""
    latest = TreatmentPlan.objects.filter(episode=OuterRef("pk")).order_by("-version")
    return {
        "latest_plan_flags": Subquery(latest.values("yellow_flags")[:1]),
        "has_goals": Exists(Goal.objects.filter(episode=OuterRef("pk"))),
    }


def refresh_gas_t_scores(episodes) -> int:
    """Recompute Episode.gas_t_score of ``episodes`` (a queryset): the Kiresuk-Sherman T
    (instruments.md §22; ``gas_t_score``, rho 0.3) of the episode's goals at their latest review,
    each at its level in force (an amendment's, if any), None when it cannot be scored (no review,
    a weight not positive). One read of the latest reviews, then an UPDATE of the episodes whose
    T changed. Called when a review is recorded or amended, by the migration that added the
    column and by bulk loads that bypass the services. Returns how many it rewrote."""
    changed = gas_t_score_changes(episodes)
    Episode.objects.bulk_update(changed, ["gas_t_score"], batch_size=2_000)
    return len(changed)


def gas_t_score_changes(episodes) -> list[Episode]:
    """The episodes of ``episodes`` whose stored Episode.gas_t_score differs from the rule of
    ``refresh_gas_t_scores``, each with the value it should hold (unsaved)."""
    ids = list(episodes.values_list("pk", flat=True))
    corrected = GoalReviewAmendment.objects.filter(review=OuterRef("pk")).order_by(
        "-amended_at", "-id"
    )
    latest: dict[int, tuple[int, float, int]] = {}  # goal -> (episode, weight, level in force)
    for goal_id, episode_id, weight, level, amended in (
        GoalReview.objects.filter(goal__episode_id__in=ids)
        .order_by("goal_id", "-review_date", "-id")
        .values_list(
            "goal_id",
            "goal__episode_id",
            "goal__weight",
            "attained_level",
            Subquery(corrected.values("attained_level")[:1]),
        )
    ):  # fetched whole, not .iterator(): a server-side cursor's plan took minutes (issue #16)
        if goal_id not in latest:
            latest[goal_id] = (episode_id, float(weight), level if amended is None else amended)
    goals_of: dict[int, list[GasGoal]] = {}
    for episode_id, weight, level in latest.values():
        goals_of.setdefault(episode_id, []).append(GasGoal(level, weight))
    scores = {}
    for episode_id, goals in goals_of.items():
        result = gas_t_score(goals)
        scores[episode_id] = result.t_score if isinstance(result, GasResult) else None
    return [
        Episode(pk=pk, gas_t_score=scores.get(pk))
        for pk, stored in Episode.objects.filter(pk__in=ids).values_list("pk", "gas_t_score")
        if stored != scores.get(pk)
    ]


# --- suggestions ------------------------------------------------------------------------------


@transaction.atomic
def suggestion_decide(
    *,
    actor: User,
    episode: Episode,
    suggestion: Suggestion,
    decision: str,
    note: str = "",
) -> SuggestionRecord:
    """Record that the clinician accepted or declined a suggestion, with its evidence.

    The caller passes the suggestion as the profile makes it now (``selectors``), so a record
    always holds the evidence the clinician saw. Accepting does not change the plan: the plan
    form starts from the accepted interventions, and the clinician signs the plan.
    """
    if suggestion.rule.key not in RULES_BY_KEY:
        raise ValidationError(gettext(UNKNOWN_SUGGESTION))
    record = SuggestionRecord.objects.create(
        episode=episode,
        rule_key=suggestion.rule.key,
        rule_title=suggestion.rule.title,
        decision=SuggestionDecision(decision),
        evidence=[e.as_dict() for e in suggestion.evidence],
        source=suggestion.rule.source,
        note=note,
        decided_by=actor,
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE,
        patient=episode.patient,
        obj=record,
        changed_fields=["decision"],
    )
    return record


# --- goals ------------------------------------------------------------------------------------

GOAL_FIELDS = (
    "patient_words",
    "domain",
    "what",
    "how_much",
    "by_when",
    "level_minus_2",
    "level_minus_1",
    "level_0",
    "level_plus_1",
    "level_plus_2",
    "baseline_level",
    "weight",
    "linked_measure",
    "linked_measure_label",
)


def _check_by_when(data: dict[str, Any]) -> None:
    # The goal form's rule (painclinic/validators.py), so no other path files a target in 1800.
    try:
        planned_clinical_date(data.get("by_when"), what="The target date")
    except ValidationError as exc:
        raise ValidationError({"by_when": exc.messages}) from exc


def _charts_changed(patient_id: Any) -> None:
    """The patient's treatment charts show other data now: draw them after the commit, off the
    request, so the next view reads them from the chart cache (issue #16)."""
    prerender_on_commit(tasks.prerender_charts, (str(patient_id),))


@transaction.atomic
def goal_create(*, actor: User, episode: Episode, data: dict[str, Any]) -> Goal:
    if not episode.is_open:
        raise ValidationError(gettext(EPISODE_CLOSED))
    _check_by_when(data)
    goal = Goal.objects.create(
        episode=episode, created_by=actor, **{k: data[k] for k in GOAL_FIELDS if k in data}
    )
    refresh_plan_and_goal_facts(Episode.objects.filter(pk=episode.pk))
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=episode.patient, obj=goal)
    _charts_changed(episode.patient_id)
    return goal


@transaction.atomic
def goal_update(
    *, actor: User, goal: Goal, data: dict[str, Any], edit_token: str | None = None
) -> Goal:
    """Change a goal's wording, levels or weight before its first review (see GOAL_REVIEWED).

    ``edit_token`` is the token of the goal as the form showed it (painclinic/concurrency.py):
    when someone saved the goal since, EditConflict, and nothing is written. None = no form
    (a caller holding the row it just read)."""
    goal = (
        Goal.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=goal.pk)
    )
    if goal.is_retired:
        raise ValidationError(gettext(GOAL_RETIRED))
    if GoalReview.objects.filter(goal=goal).exists():
        raise ValidationError(gettext(GOAL_REVIEWED))
    concurrency.check_edit_token(goal, GOAL_FIELDS, edit_token, data)
    changed = [k for k in GOAL_FIELDS if k in data and getattr(goal, k) != data[k]]
    if not changed:
        return goal
    if "by_when" in changed:
        _check_by_when(data)
    for name in changed:
        setattr(goal, name, data[name])
    goal.full_clean(exclude=["episode", "created_by", "retired_by"])
    goal.save(update_fields=changed)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=goal.episode.patient,
        obj=goal,
        changed_fields=changed,
    )
    _charts_changed(goal.episode.patient_id)
    return goal


def _retire(row: Any, *, actor: User, reason: str) -> None:
    if row.is_retired:
        raise ValidationError(gettext(ALREADY_RETIRED))
    if not reason.strip():
        raise ValidationError(gettext(RETIRE_NEEDS_REASON))
    row.retired_at = timezone.now()
    row.retired_by = actor
    row.retired_reason = reason.strip()[:300]
    row.save(update_fields=["retired_at", "retired_by", "retired_reason"])


@transaction.atomic
def goal_retire(*, actor: User, goal: Goal, reason: str) -> Goal:
    """Soft-retire a goal: never deleted; its reviews stay, and it counts in the GAS T-score at
    the reviews before its retirement (selectors.gas_history)."""
    goal = (
        Goal.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=goal.pk)
    )
    _retire(goal, actor=actor, reason=reason)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=goal.episode.patient,
        obj=goal,
        changed_fields=["retired_at", "retired_reason"],
    )
    _charts_changed(goal.episode.patient_id)
    return goal


@transaction.atomic
def goal_review_record(
    *, actor: User, goal: Goal, review_date: date, attained_level: int, note: str = ""
) -> GoalReview:
    """Record the level attained at a review. The row is signed: corrections are amendments.

    The goal row is locked so that a review and an edit of the goal's scale cannot cross
    (``goal_update`` refuses once a review exists)."""
    goal = (
        Goal.objects.select_for_update(no_key=True)
        .select_related("episode__patient")
        .get(pk=goal.pk)
    )
    if goal.is_retired:
        raise ValidationError(gettext(GOAL_RETIRED))
    if review_date > date.today():
        raise ValidationError(gettext(REVIEW_IN_FUTURE))
    if review_date < goal.created_at.date():
        raise ValidationError(gettext(REVIEW_BEFORE_GOAL).format(day=goal.created_at.date()))
    review = GoalReview.objects.create(
        goal=goal,
        review_date=review_date,
        attained_level=attained_level,
        note=note,
        recorded_by=actor,
    )
    audit.record_event(
        actor=actor, action=AuditAction.CREATE, patient=goal.episode.patient, obj=review
    )
    refresh_gas_t_scores(Episode.objects.filter(pk=goal.episode_id))
    _charts_changed(goal.episode.patient_id)
    return review


@transaction.atomic
def goal_review_amend(
    *, actor: User, review: GoalReview, attained_level: int, note: str, reason: str
) -> GoalReviewAmendment:
    """Correct a signed review: a new amendment row; the original and earlier amendments stay."""
    if not reason.strip():
        raise ValidationError(gettext(AMENDMENT_NEEDS_REASON))
    current_level, current_note = review.effective()
    if (current_level, current_note) == (attained_level, note):
        raise ValidationError(gettext(AMENDMENT_CHANGES_NOTHING))
    amendment = GoalReviewAmendment.objects.create(
        review=review,
        attained_level=attained_level,
        note=note,
        reason=reason.strip(),
        amended_by=actor,
    )
    changed = [
        name
        for name, old, new in (
            ("attained_level", current_level, attained_level),
            ("note", current_note, note),
        )
        if old != new
    ]
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=review.goal.episode.patient,
        obj=review,
        changed_fields=changed,
    )
    refresh_gas_t_scores(Episode.objects.filter(pk=review.goal.episode_id))
    _charts_changed(review.goal.episode.patient_id)
    return amendment


# --- graded exposure --------------------------------------------------------------------------

HIERARCHY_FIELDS = ("activity", "fear_rating", "feared_consequence", "phoda_source")


def _renumber(items: list[HierarchyItem]) -> None:
    for number, item in enumerate(items, start=1):
        item.position = number
    HierarchyItem.objects.bulk_update(items, ["position"])


def _safety_gate(actor: User, patient: Patient, context: str, override_reason: str) -> None:
    """Graded exposure and graded activity wait for an open red-flag referral's outcome unless a
    clinician records why going ahead is safe (assessment.services.safety_gate)."""
    assessment_services.safety_gate(
        actor=actor,
        episode=Episode.objects.current_for(patient),
        context=context,
        override_reason=override_reason,
    )


@transaction.atomic
def hierarchy_item_add(
    *, actor: User, patient: Patient, data: dict[str, Any], override_reason: str = ""
) -> HierarchyItem:
    """Add a step where its fear rating puts it (graded, least feared first: after the last
    current step rated no higher), even if the clinician has re-ordered the steps by hand.
    An open red-flag referral needs the clinician's override with a reason (issue #10)."""
    Patient.objects.select_for_update(no_key=True).only("pk").get(pk=patient.pk)
    _safety_gate(actor, patient, "exposure", override_reason)
    ordered = list(HierarchyItem.objects.filter(patient=patient).order_by("position", "id"))
    rating = data["fear_rating"]
    index = 0
    for i, other in enumerate(ordered):
        if other.retired_at is None and other.fear_rating <= rating:
            index = i + 1
    item = HierarchyItem.objects.create(
        patient=patient, created_by=actor, **{k: data[k] for k in HIERARCHY_FIELDS if k in data}
    )
    ordered.insert(index, item)
    _renumber(ordered)
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=item)
    _charts_changed(patient.pk)
    return item


@transaction.atomic
def hierarchy_item_move(*, actor: User, item: HierarchyItem, direction: str) -> HierarchyItem:
    """Move a current step one place up or down among the current steps (retired steps keep
    their place, hidden). At the top or bottom already: nothing changes."""
    if direction not in MOVE_DIRECTIONS:
        raise ValidationError(
            gettext("Move 'up' or 'down' (got {direction!r}).").format(direction=direction)
        )
    Patient.objects.select_for_update(no_key=True).only("pk").get(pk=item.patient_id)
    ordered = list(
        HierarchyItem.objects.filter(patient_id=item.patient_id).order_by("position", "id")
    )
    current = [i for i in ordered if i.retired_at is None]
    index = next((n for n, i in enumerate(current) if i.pk == item.pk), None)
    if index is None:
        raise ValidationError(gettext(ITEM_RETIRED))
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(current):
        return current[index]
    a, b = ordered.index(current[index]), ordered.index(current[other])
    ordered[a], ordered[b] = ordered[b], ordered[a]
    _renumber(ordered)
    moved = current[index]
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=item.patient,
        obj=moved,
        changed_fields=["position"],
    )
    _charts_changed(item.patient_id)
    return moved


@transaction.atomic
def hierarchy_item_retire(*, actor: User, item: HierarchyItem, reason: str) -> HierarchyItem:
    """Soft-retire a step: hidden from the current hierarchy; its sessions stay in the session
    table and the charts."""
    item = HierarchyItem.objects.select_for_update(no_key=True).get(pk=item.pk)
    _retire(item, actor=actor, reason=reason)
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=item.patient,
        obj=item,
        changed_fields=["retired_at", "retired_reason"],
    )
    _charts_changed(item.patient_id)
    return item


# A behavioural experiment is recorded in two steps (models.ExposureSession): the prediction
# before the experiment, the outcome after it.
PREDICTION_FIELDS = ("date", "prediction", "expectancy_before", "fear_before")
OUTCOME_FIELDS = (
    "outcome_observed",
    "what_happened",
    "fear_peak",
    "fear_after",
    "expectancy_after",
)
EXPERIMENT_PENDING = gettext_noop(
    "This step already has a prediction waiting for its outcome: log that outcome first."
)
OUTCOME_ALREADY_LOGGED = gettext_noop(
    "The outcome of this experiment is already logged; a logged outcome is not overwritten."
)


@transaction.atomic
def exposure_prediction_record(
    *, actor: User, item: HierarchyItem, data: dict[str, Any], override_reason: str = ""
) -> ExposureSession:
    """Record the patient's prediction before a behavioural experiment: a pending experiment
    until its outcome is logged. Sessions are numbered 1, 2, 3 … per patient, across the
    hierarchy (the x axis of exposure.summarise_experiments); the patient row is locked so two
    clinicians recording at once do not take the same number."""
    Patient.objects.select_for_update(no_key=True).only("pk").get(pk=item.patient_id)
    if HierarchyItem.objects.filter(pk=item.pk, retired_at__isnull=False).exists():
        raise ValidationError(gettext(ITEM_RETIRED))
    if ExposureSession.objects.filter(item=item, outcome_recorded_at__isnull=True).exists():
        raise ValidationError(gettext(EXPERIMENT_PENDING))
    _safety_gate(actor, item.patient, "exposure", override_reason)
    number = ExposureSession.objects.filter(item__patient_id=item.patient_id).count() + 1
    session = ExposureSession.objects.create(
        item=item,
        session_number=number,
        recorded_by=actor,
        **{k: data.get(k) for k in PREDICTION_FIELDS if k != "prediction"},
        prediction=data.get("prediction") or "",
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=item.patient, obj=session)
    return session


@transaction.atomic
def exposure_outcome_record(
    *, actor: User, session: ExposureSession, data: dict[str, Any]
) -> ExposureSession:
    """Log what happened in a pending experiment. The prediction is not changed, and a logged
    outcome is never overwritten (the row is locked, so two clinicians cannot both log it)."""
    session = (
        ExposureSession.objects.select_for_update(no_key=True)
        .select_related("item__patient")
        .get(pk=session.pk)
    )
    if not session.is_pending:
        raise ValidationError(gettext(OUTCOME_ALREADY_LOGGED))
    for field in OUTCOME_FIELDS:
        setattr(
            session, field, data.get(field) if field != "what_happened" else data.get(field, "")
        )
    session.outcome_recorded_by = actor
    session.outcome_recorded_at = timezone.now()
    session.save(update_fields=[*OUTCOME_FIELDS, "outcome_recorded_by", "outcome_recorded_at"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=session.item.patient,
        obj=session,
        changed_fields=list(OUTCOME_FIELDS),
    )
    _charts_changed(session.item.patient_id)
    return session


NOT_DONE_NEEDS_REASON = gettext_noop(
    "Say why the experiment did not take place: the prediction is kept."
)


@transaction.atomic
def exposure_not_done_record(
    *, actor: User, session: ExposureSession, reason: str
) -> ExposureSession:
    """Close a pending prediction whose experiment did not take place. It is kept, with the
    reason, and left out of the means and charts; the step can then take a new prediction."""
    session = (
        ExposureSession.objects.select_for_update(no_key=True)
        .select_related("item__patient")
        .get(pk=session.pk)
    )
    if not session.is_pending:
        raise ValidationError(gettext(OUTCOME_ALREADY_LOGGED))
    if not (reason or "").strip():
        raise ValidationError(gettext(NOT_DONE_NEEDS_REASON))
    session.not_done_reason = reason.strip()
    session.outcome_recorded_by = actor
    session.outcome_recorded_at = timezone.now()
    session.save(update_fields=["not_done_reason", "outcome_recorded_by", "outcome_recorded_at"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=session.item.patient,
        obj=session,
        changed_fields=["not_done_reason"],
    )
    return session


def exposure_session_record(
    *, actor: User, item: HierarchyItem, data: dict[str, Any]
) -> ExposureSession:
    """Both steps at once, for an experiment whose prediction and outcome were both recorded
    elsewhere (the demo seed, tests): the prediction first, then the outcome."""
    with transaction.atomic():
        session = exposure_prediction_record(actor=actor, item=item, data=data)
        return exposure_outcome_record(actor=actor, session=session, data=data)


def sced_measure_for(item: HierarchyItem, kind: str) -> dict[str, Any]:
    """The SCED measure a hierarchy item becomes (sced.services.study_create's measure dict)."""
    # sced.Measure: name ≤ 120 characters, description ≤ 300.
    activity = item.activity[:95]
    if kind == SCED_FEAR:
        return {
            "name": f"Daily fear of {activity}",
            "unit": "0-100",
            "range_min": 0,
            "range_max": 100,
            "improvement": "decrease",
            "description": (
                f"Exposure hierarchy item: how afraid the patient is today of '{activity}', "
                "0 = not at all, 100 = extremely."
            )[:300],
        }
    return {
        "name": f"Daily performance of {activity}",
        "unit": "0-100",
        "range_min": 0,
        "range_max": 100,
        "improvement": "increase",
        "description": (
            f"Exposure hierarchy item: how much of '{activity}' the patient did today, "
            "0 = none, 100 = fully, as agreed with the patient."
        )[:300],
    }


@transaction.atomic
def hierarchy_item_make_sced_outcome(
    *, actor: User, item: HierarchyItem, episode: Episode, kind: str
) -> Any:
    """Create a single-case study with this activity as its outcome, in one step (issue #5).

    Calls the SCED app's contract ``sced.services.study_create``. Raises ValidationError when the
    SCED app refuses the study (its own messages pass through).
    """
    item = HierarchyItem.objects.select_for_update(no_key=True).get(pk=item.pk)
    if item.is_retired:
        raise ValidationError(gettext(ITEM_RETIRED))
    if item.sced_study_ref:
        raise ValidationError(gettext(SCED_ALREADY))
    if episode is None or not episode.is_open:
        raise ValidationError(gettext(SCED_NO_EPISODE))
    study_create = sced_services.study_create
    measure = sced_measure_for(item, kind)
    question = (
        f"Does graded exposure in vivo to '{item.activity}' change "
        f"{'daily fear of' if kind == SCED_FEAR else 'daily performance of'} it?"
    )
    study = study_create(
        actor=actor,
        episode=episode,
        clinical_question=question,
        design=SCED_DESIGN,
        measures=[measure],
    )
    item.sced_study_ref = str(study.pk)
    item.sced_measure = measure["name"]
    item.save(update_fields=["sced_study_ref", "sced_measure"])
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=item.patient,
        obj=item,
        changed_fields=["sced_study_ref"],
    )
    return study


# --- pacing -----------------------------------------------------------------------------------


def quota_rule_for(kind: str, proportion: float) -> pacing.QuotaRule:
    """The stated, changeable starting-quota rule, with its source (treatment/pacing.py)."""
    if kind == pacing.LOWEST_BASELINE_VALUE.kind:
        if proportion == 1:
            return pacing.LOWEST_BASELINE_VALUE
        return pacing.QuotaRule(
            kind="lowest_baseline_value",
            proportion=proportion,
            source=f"{proportion:.0%} of the lowest baseline value: {pacing._COMMON_PRACTICE}",
        )
    return pacing.QuotaRule(
        kind="proportion_of_baseline_mean",
        proportion=proportion,
        source=f"{proportion:.0%} of the baseline mean: {pacing._COMMON_PRACTICE}",
    )


@transaction.atomic
def pacing_plan_create(
    *, actor: User, patient: Patient, data: dict[str, Any], override_reason: str = ""
) -> PacingPlan:
    """Preconditions (checked by the form through pacing.starting_quota): ≥ 3 baseline values;
    an open red-flag referral needs the clinician's override with a reason (issue #10)."""
    _safety_gate(actor, patient, "pacing", override_reason)
    plan = PacingPlan.objects.create(
        patient=patient,
        created_by=actor,
        activity=data["activity"],
        unit=data["unit"],
        baseline=[float(v) for v in data["baseline"]],
        rule_kind=data["rule_kind"],
        rule_proportion=data["rule_proportion"],
        increment_kind=data["increment_kind"],
        increment_amount=data["increment_amount"],
        steps=data["steps"],
        days_per_step=data["days_per_step"],
        target=data.get("target"),
        start_date=data["start_date"],
    )
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=patient, obj=plan)
    _charts_changed(patient.pk)
    return plan


def _same(a: Any, b: Any) -> bool:
    """Equal as numbers when both are numbers (Decimal('0.80') == 0.8), else equal."""
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return a == b


SCHEDULE_FIELDS = (
    "baseline",
    "rule_kind",
    "rule_proportion",
    "increment_kind",
    "increment_amount",
    "steps",
    "days_per_step",
    "target",
)


def pacing_schedule_state(plan: PacingPlan) -> SimpleNamespace:
    """What a schedule-change form was opened on: the latest version (the token's field)."""
    latest = plan.changes.order_by("-effective_from", "-id").first()
    return SimpleNamespace(latest_change=latest.pk if latest else 0)


@transaction.atomic
def pacing_schedule_change(
    *,
    actor: User,
    plan: PacingPlan,
    effective_from: date,
    data: dict[str, Any],
    reason: str,
    override_reason: str = "",
    edit_token: str | None = None,
) -> PacingScheduleChange:
    """A new version of the schedule from ``effective_from`` (today or later): a new quota rule,
    increment, steps or target, and optionally a new baseline. The plan, the earlier versions and
    the log are kept; the days before keep their quota (selectors.pacing_overview).

    Preconditions (checked by the form through the pure core): the rule gives a starting quota.
    """
    plan = (
        PacingPlan.objects.select_for_update(no_key=True).select_related("patient").get(pk=plan.pk)
    )
    if edit_token is not None:  # someone set a newer schedule since the form was opened
        concurrency.check_edit_token(
            pacing_schedule_state(plan), ("latest_change",), edit_token, {}
        )
    if not reason.strip():
        raise ValidationError(gettext(SCHEDULE_CHANGE_NEEDS_REASON))
    if effective_from < date.today():
        raise ValidationError(gettext(SCHEDULE_CHANGE_IN_PAST))
    latest = plan.changes.order_by("-effective_from", "-id").first()
    if latest is not None and effective_from < latest.effective_from:
        raise ValidationError(
            gettext(SCHEDULE_CHANGE_BEFORE_LAST).format(day=latest.effective_from)
        )
    # A new graded schedule is graded activity planned anew (issue #10).
    _safety_gate(actor, plan.patient, "pacing", override_reason)
    before = latest or plan
    values = {
        "baseline": [float(v) for v in data.get("baseline") or before.baseline],
        **{k: data[k] for k in SCHEDULE_FIELDS[1:]},
    }
    change = PacingScheduleChange.objects.create(
        plan=plan,
        effective_from=effective_from,
        reason=reason.strip(),
        created_by=actor,
        **values,
    )
    changed = [k for k in SCHEDULE_FIELDS if not _same(getattr(before, k), getattr(change, k))]
    audit.record_event(
        actor=actor,
        action=AuditAction.CHANGE,
        patient=plan.patient,
        obj=plan,
        changed_fields=["effective_from", *changed],
    )
    _charts_changed(plan.patient_id)
    return change


@transaction.atomic
def pacing_log_record(*, actor: User, plan: PacingPlan, day: date, done: Decimal) -> PacingLogEntry:
    """Log what was done on a day. A second entry for the same day replaces it in the chart
    (the latest entry counts); both rows are kept."""
    if day < plan.start_date:
        raise ValidationError(gettext(LOG_BEFORE_START).format(day=plan.start_date))
    if day > date.today():
        raise ValidationError(REVIEW_IN_FUTURE.replace("review", "log entry"))
    entry = PacingLogEntry.objects.create(plan=plan, day=day, done=done, recorded_by=actor)
    audit.record_event(actor=actor, action=AuditAction.CREATE, patient=plan.patient, obj=entry)
    _charts_changed(plan.patient_id)
    return entry


# --- flare-up plan ----------------------------------------------------------------------------

FLARE_UP_FIELDS = (
    "triggers",
    "early_signs",
    "self_management",
    "contacts",
    "opportunity_text",
    "safety_net",
)
SAFETY_NET_REQUIRED = gettext_noop(
    "The plan must say when to seek urgent help. Edit the section to suit the patient; it "
    "cannot be left empty."
)


@transaction.atomic
def flare_up_plan_save(
    *,
    actor: User,
    patient: Patient,
    data: dict[str, Any],
    expected_version: int,
    change_reason: str = "",
) -> FlareUpPlan:
    """Sign a new version of the flare-up plan; same optimistic check as ``plan_save``. The
    "seek urgent help if" section is required in every version (issue #10)."""
    if not (data.get("safety_net") or "").strip():
        raise ValidationError({"safety_net": [gettext(SAFETY_NET_REQUIRED)]})
    Patient.objects.select_for_update(no_key=True).only("pk").get(pk=patient.pk)
    current = FlareUpPlan.objects.filter(patient=patient).order_by("-version").first()
    current_version = current.version if current else 0
    concurrency.check_version(
        current,
        expected_version,
        [f for f in FLARE_UP_FIELDS if current is not None and getattr(current, f) != data[f]],
    )
    changed = [f for f in FLARE_UP_FIELDS if current is None or getattr(current, f) != data[f]]
    if current is not None:
        if not changed:
            return current
        if not change_reason.strip():
            raise ValidationError(gettext(CHANGE_NEEDS_REASON))
    plan = FlareUpPlan.objects.create(
        patient=patient,
        version=current_version + 1,
        signed_by=actor,
        change_reason=change_reason.strip(),
        **{f: data[f] for f in FLARE_UP_FIELDS},
    )
    audit.record_event(
        actor=actor,
        action=AuditAction.CREATE if current is None else AuditAction.CHANGE,
        patient=patient,
        obj=plan,
        changed_fields=changed,
    )
    return plan


def document_export(*, actor: User, patient: Patient, document: str) -> None:
    """Audit a printable summary or letter as an EXPORT (it leaves the system on paper)."""
    audit.record_event(
        actor=actor, action=AuditAction.EXPORT, patient=patient, object_type=f"treatment.{document}"
    )
