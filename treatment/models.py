"""Treatment: formulation-led plans, suggestion decisions, goals (GAS), graded exposure, pacing
and flare-up plans (issue #5).

Clinical records are not overwritten (DESIGN.md): a plan or flare-up plan change is a new
version row (the old one stays, with who, when, why); a goal review correction is an amendment
row. Plans, plan interventions, goal reviews and amendments refuse UPDATE and DELETE in
PostgreSQL (migration 0002).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from treatment import suggestions

RATING = [MinValueValidator(0), MaxValueValidator(100)]


class Intervention(models.TextChoices):
    PAIN_EDUCATION = suggestions.PAIN_EDUCATION, _("Pain education / reconceptualisation")
    GRADED_EXPOSURE = suggestions.GRADED_EXPOSURE, _("Graded exposure in vivo")
    GRADED_ACTIVITY = suggestions.GRADED_ACTIVITY, _("Graded activity and pacing")
    CBT = suggestions.CBT, _("Cognitive behavioural therapy (CBT)")
    ACT = suggestions.ACT, _("Acceptance and commitment therapy (ACT)")
    MOTIVATIONAL_INTERVIEWING = (
        suggestions.MOTIVATIONAL_INTERVIEWING,
        _("Motivational interviewing"),
    )
    RELAXATION_SLEEP = suggestions.RELAXATION_SLEEP, _("Relaxation and sleep")
    MEDICATION_REVIEW = suggestions.MEDICATION_REVIEW, _("Medication review")
    RETURN_TO_WORK = suggestions.RETURN_TO_WORK, _("Return to work")


class YellowFlag(models.TextChoices):
    """Psychosocial yellow flags a formulation can address (Kendall, Linton & Main 1997 'Guide to
    assessing psychosocial yellow flags'; UNVERIFIED against shared/reference)."""

    FEAR_OF_MOVEMENT = "fear_of_movement", _("Fear of movement / (re)injury")
    CATASTROPHIZING = "catastrophizing", _("Catastrophizing")
    LOW_SELF_EFFICACY = "low_self_efficacy", _("Low pain self-efficacy")
    LOW_MOOD = "low_mood", _("Low mood / depression")
    ANXIETY = "anxiety", _("Anxiety / worry")
    BOOM_BUST = "boom_bust", _("Boom-and-bust activity pattern")
    AVOIDANCE = "avoidance", _("Avoidance of activity")
    SLEEP = "sleep", _("Poor sleep")
    WORK = "work", _("Work concerns / off work")
    BELIEFS = "beliefs", _("Unhelpful beliefs about pain and harm")


# Which instrument in the profile speaks to which flag, so the plan form can say "in profile".
FLAG_INSTRUMENTS: dict[str, tuple[str, ...]] = {
    YellowFlag.FEAR_OF_MOVEMENT: ("tsk17", "tsk11"),
    YellowFlag.CATASTROPHIZING: ("pcs",),
    YellowFlag.LOW_SELF_EFFICACY: ("pseq",),
    YellowFlag.LOW_MOOD: ("phq9",),
    YellowFlag.ANXIETY: ("gad7",),
}


class TreatmentPlan(models.Model):
    """One signed version of an episode's plan. The current plan is the highest version.

    Versions are append-only: editing writes version n+1 with ``change_reason``; two clinicians
    who both started from version n cannot both write n+1 (unique constraint + version check in
    ``services.plan_save``).
    """

    episode = models.ForeignKey(
        "patients.Episode", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveIntegerField()
    formulation = models.TextField(_("formulation"))
    yellow_flags = models.JSONField(_("yellow flags addressed"), default=list, blank=True)
    focus_areas = models.TextField(_("focus areas"), blank=True)
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="plan_one_row_per_version")
        ]

    def __str__(self) -> str:
        return f"Treatment plan v{self.version}"

    def yellow_flag_labels(self) -> list[str]:
        labels = dict(YellowFlag.choices)
        return [str(labels.get(flag, flag)) for flag in self.yellow_flags]


class PlanIntervention(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(max_length=32, choices=Intervention.choices)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="plan_intervention_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class SuggestionDecision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class SuggestionRecord(models.Model):
    """A clinician's decision on one suggestion (treatment/suggestions.py) for an episode.

    A later decision on the same rule supersedes an earlier one; both are kept.
    """

    episode = models.ForeignKey(
        "patients.Episode", on_delete=models.PROTECT, related_name="suggestion_records"
    )
    rule_key = models.CharField(max_length=64)
    rule_title = models.CharField(max_length=200)
    decision = models.CharField(max_length=10, choices=SuggestionDecision.choices)
    evidence = models.JSONField(default=list)
    source = models.TextField()
    note = models.CharField(_("note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["episode", "-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rule_key}: {self.decision}"


class ValuesDomain(models.TextChoices):
    WORK = "work", _("Work")
    FAMILY = "family", _("Family")
    LEISURE = "leisure", _("Leisure")
    SELF_CARE = "self_care", _("Self-care")
    SOCIAL = "social", _("Social")
    HEALTH = "health", _("Health")


class LinkedMeasure(models.TextChoices):
    NONE = "", _("No linked measure")
    PSFS = "psfs", _("PSFS activity")
    SCED = "sced", _("SCED outcome")


GAS_LEVELS = (-2, -1, 0, 1, 2)
GAS_LEVEL_CHOICES = [
    (-2, _("−2 much less than expected")),
    (-1, _("−1 somewhat less than expected")),
    (0, _("0 expected outcome")),
    (1, _("+1 somewhat more than expected")),
    (2, _("+2 much more than expected")),
]


class Goal(models.Model):
    """A goal in the patient's words, scaled for Goal Attainment Scaling (instruments.md §22)."""

    episode = models.ForeignKey("patients.Episode", on_delete=models.PROTECT, related_name="goals")
    patient_words = models.TextField(_("goal in the patient's own words"))
    domain = models.CharField(_("values domain"), max_length=16, choices=ValuesDomain.choices)
    what = models.CharField(_("what"), max_length=200)
    how_much = models.CharField(_("how much / how often"), max_length=200)
    by_when = models.DateField(_("by when"))
    level_minus_2 = models.CharField(_("−2 much less than expected"), max_length=300)
    level_minus_1 = models.CharField(_("−1 somewhat less than expected"), max_length=300)
    level_0 = models.CharField(_("0 expected outcome"), max_length=300)
    level_plus_1 = models.CharField(_("+1 somewhat more than expected"), max_length=300)
    level_plus_2 = models.CharField(_("+2 much more than expected"), max_length=300)
    baseline_level = models.SmallIntegerField(
        _("baseline level"), choices=[(-2, "−2"), (-1, "−1")], default=-1
    )
    weight = models.DecimalField(
        _("weight"), max_digits=4, decimal_places=1, default=1,
        validators=[MinValueValidator(0.1), MaxValueValidator(9)],
    )  # fmt: skip
    linked_measure = models.CharField(
        _("linked measure"), max_length=8, choices=LinkedMeasure.choices, blank=True
    )
    linked_measure_label = models.CharField(_("measure name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Soft retirement (never deleted): hidden from the current goals, kept in history and the
    # GAS chart up to the day it was retired (selectors.gas_history).
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    retired_reason = models.CharField(_("reason for retiring"), max_length=300, blank=True)

    class Meta:
        ordering = ["episode", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(baseline_level__in=(-2, -1)), name="goal_baseline_below_expected"
            ),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="goal_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.what

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def level_descriptions(self) -> list[tuple[int, str]]:
        return [
            (2, self.level_plus_2),
            (1, self.level_plus_1),
            (0, self.level_0),
            (-1, self.level_minus_1),
            (-2, self.level_minus_2),
        ]


class GoalReview(models.Model):
    """The level attained at a review. Signed on save; corrected only by a GoalReviewAmendment."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    review_date = models.DateField(_("review date"))
    attained_level = models.SmallIntegerField(_("attained level"), choices=GAS_LEVEL_CHOICES)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["goal", "review_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attained_level__gte=-2, attained_level__lte=2),
                name="goal_review_level_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal} reviewed {self.review_date}"

    def effective(self) -> tuple[int, str]:
        """(level, note) after the latest amendment, if any (amendments prefetched, oldest first)."""
        amendments = list(self.amendments.all())
        if amendments:
            last = amendments[-1]
            return last.attained_level, last.note
        return self.attained_level, self.note


class GoalReviewAmendment(models.Model):
    review = models.ForeignKey(GoalReview, on_delete=models.PROTECT, related_name="amendments")
    attained_level = models.SmallIntegerField(_("corrected level"), choices=GAS_LEVEL_CHOICES)
    note = models.TextField(_("note"), blank=True)
    reason = models.CharField(_("reason for the amendment"), max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "amended_at", "id"]

    def __str__(self) -> str:
        return f"Amendment of {self.review}"


class HierarchyItem(models.Model):
    """A feared activity on the patient's exposure hierarchy, rated 0-100 (instruments.md §18:
    the patient's own feared activities, or a PHODA photograph number under licence)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="hierarchy_items"
    )
    activity = models.CharField(_("activity"), max_length=200)
    fear_rating = models.PositiveSmallIntegerField(
        _("fear / perceived harm (0-100)"), validators=RATING
    )
    feared_consequence = models.CharField(
        _("feared consequence, in the patient's words"), max_length=300
    )
    phoda_source = models.CharField(
        _("PHODA source (optional)"), max_length=100, blank=True,
        help_text=_("e.g. the PHODA photograph number, if the clinic holds a PHODA licence."),
    )  # fmt: skip
    sced_study_ref = models.CharField(max_length=64, blank=True)
    sced_measure = models.CharField(max_length=200, blank=True)
    # The order of the steps, kept apart from the fear rating: a new step goes in at its fear
    # rating (graded, least feared first: Vlaeyen et al. 2001), and the clinician and patient can
    # then move steps up or down by hand (services.hierarchy_item_move).
    position = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    retired_reason = models.CharField(_("reason for retiring"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fear_rating__lte=100), name="hierarchy_fear_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.activity

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ExposureSession(models.Model):
    """One behavioural experiment on one hierarchy item, in two steps (treatment/exposure.py).

    The prediction is recorded *before* the experiment (expectancy of the feared outcome, fear
    before) and the outcome *after* it (what happened, how far the feared outcome happened, fear
    during and after, expectancy after): an experiment whose outcome is not logged yet is pending.
    Recording the prediction first keeps it honest -- it cannot be rated with hindsight
    (competence.md §3: prediction before, outcome discussed as expectancy violation).
    """

    item = models.ForeignKey(HierarchyItem, on_delete=models.PROTECT, related_name="sessions")
    session_number = models.PositiveIntegerField()
    date = models.DateField(_("date"))
    prediction = models.CharField(
        _("the prediction, in the patient's words"), max_length=300, blank=True
    )
    expectancy_before = models.PositiveSmallIntegerField(
        _("how likely is the feared outcome? (0-100)"), validators=RATING
    )
    fear_before = models.PositiveSmallIntegerField(_("fear before (0-100)"), validators=RATING)
    # The outcome: empty while the experiment is pending.
    fear_peak = models.PositiveSmallIntegerField(
        _("peak fear (0-100)"), validators=RATING, null=True, blank=True
    )
    fear_after = models.PositiveSmallIntegerField(
        _("fear after (0-100)"), validators=RATING, null=True, blank=True
    )
    what_happened = models.TextField(_("what happened"), blank=True)
    # Required by the outcome form; empty on experiments logged before issue #9, when it was
    # optional (their expectancy violation is then "not rated").
    outcome_observed = models.PositiveSmallIntegerField(
        _("how far did the feared outcome happen? (0-100)"),
        validators=RATING, null=True, blank=True,
    )  # fmt: skip
    expectancy_after = models.PositiveSmallIntegerField(
        _("how likely is the feared outcome now? (0-100)"),
        validators=RATING, null=True, blank=True,
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # A prediction whose experiment did not take place is closed with the reason (kept, left out
    # of the means and charts), so the step can take a new prediction.
    not_done_reason = models.CharField(
        _("why the experiment did not take place"), max_length=300, blank=True
    )
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "session_number"], name="exposure_session_number_per_item"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome_recorded_at__isnull=True)
                | ~models.Q(not_done_reason="")
                | models.Q(
                    expectancy_after__isnull=False,
                    fear_peak__isnull=False,
                    fear_after__isnull=False,
                ),
                name="exposure_outcome_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Exposure {self.session_number}: {self.item}"

    @property
    def is_pending(self) -> bool:
        return self.outcome_recorded_at is None

    @property
    def took_place(self) -> bool:
        """The outcome is logged (not pending, not closed as "did not take place")."""
        return self.outcome_recorded_at is not None and not self.not_done_reason

    @property
    def expectancy_violation(self) -> int | None:
        # Expected minus what happened (exposure.py; Craske et al. 2014). None: not rated.
        if self.outcome_observed is None:
            return None
        return self.expectancy_before - self.outcome_observed

    @property
    def belief_change(self) -> int | None:
        # Expectancy before minus after (exposure.py). None: pending.
        if self.expectancy_after is None:
            return None
        return self.expectancy_before - self.expectancy_after


class QuotaRuleKind(models.TextChoices):
    PROPORTION_OF_MEAN = "proportion_of_baseline_mean", _("A proportion of the baseline mean")
    LOWEST = "lowest_baseline_value", _("The lowest baseline value")


class IncrementKind(models.TextChoices):
    FIXED = "fixed", _("Add a fixed amount each step")
    PERCENT = "percent", _("Add a percentage each step")


class PacingPlan(models.Model):
    """Graded activity: baseline → starting quota (a stated rule) → planned schedule → log."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="pacing_plans"
    )
    activity = models.CharField(_("activity"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, default="minutes")
    baseline = models.JSONField(_("baseline recordings"))
    rule_kind = models.CharField(
        _("starting quota rule"), max_length=40, choices=QuotaRuleKind.choices
    )
    rule_proportion = models.DecimalField(
        _("proportion"), max_digits=3, decimal_places=2, default=0.8,
        validators=[MinValueValidator(0.05), MaxValueValidator(1)],
    )  # fmt: skip
    increment_kind = models.CharField(
        _("increment rule"), max_length=10, choices=IncrementKind.choices
    )
    increment_amount = models.DecimalField(_("increment"), max_digits=7, decimal_places=2)
    steps = models.PositiveSmallIntegerField(_("number of steps"), default=6)
    days_per_step = models.PositiveSmallIntegerField(_("days per step"), default=7)
    target = models.DecimalField(
        _("target (optional)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    start_date = models.DateField(_("first day of the quota"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.activity


class PacingScheduleChange(models.Model):
    """A new version of a pacing plan's schedule from ``effective_from`` (the days before keep the
    quota they had; the log is kept). Append-only, like the signed records (migration 0004)."""

    plan = models.ForeignKey(PacingPlan, on_delete=models.PROTECT, related_name="changes")
    effective_from = models.DateField(_("new schedule from"))
    baseline = models.JSONField(_("baseline recordings"))
    rule_kind = models.CharField(
        _("starting quota rule"), max_length=40, choices=QuotaRuleKind.choices
    )
    rule_proportion = models.DecimalField(
        _("proportion"), max_digits=3, decimal_places=2,
        validators=[MinValueValidator(0.05), MaxValueValidator(1)],
    )  # fmt: skip
    increment_kind = models.CharField(
        _("increment rule"), max_length=10, choices=IncrementKind.choices
    )
    increment_amount = models.DecimalField(_("increment"), max_digits=7, decimal_places=2)
    steps = models.PositiveSmallIntegerField(_("number of steps"))
    days_per_step = models.PositiveSmallIntegerField(_("days per step"))
    target = models.DecimalField(
        _("target (optional)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("reason for the change"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "effective_from", "id"]

    def __str__(self) -> str:
        return f"{self.plan} from {self.effective_from}"


class PacingLogEntry(models.Model):
    plan = models.ForeignKey(PacingPlan, on_delete=models.PROTECT, related_name="log")
    day = models.DateField(_("day"))
    done = models.DecimalField(_("done"), max_digits=8, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "day", "-id"]

    def __str__(self) -> str:
        return f"{self.day}: {self.done}"


DEFAULT_SETBACK_TEXT = _(
    "Setbacks happen to almost everyone after a pain management programme. A flare-up does not "
    "mean that something new is wrong or that you are back at the start. It is a chance to "
    "practise the skills you have learned: pace, keep moving gently, use your plan, and go back "
    "to your usual activities step by step."
)

# Safety-netting every flare-up plan carries (issue #10). From shared/reference/safety.md §5:
# back pain, 999/A&E and urgent GP/111 lists — NHS-style back-pain advice (Northern HSCT page [V],
# Sheffield NHS MSK mirroring nhs.uk [S]); medicines — FDA 2016 and 2019 drug safety
# communications on opioids with sedatives and gabapentinoids [V], naloxone (CDC 2022) [S];
# mood — crisis contacts of §1 (999, NHS 111 option 2 [S], Samaritans 116 123 [V]) and the own
# safety plan (Stanley & Brown 2012) [V]. UK numbers; a clinician edits them for other services.
SAFETY_NET_DEFAULT = _(
    "Call 999 or go to A&E if you have back pain with any of these:\n"
    "- pain, tingling, weakness or numbness in both legs, or weakness that is getting worse\n"
    "- numbness around your genitals, buttocks or anus (the area you would sit on a saddle)\n"
    "- new difficulty passing urine, or loss of control of your bladder or bowel\n"
    "- new problems with erections or other new sexual problems\n"
    "- chest pain\n"
    "- it started after a serious accident or fall, or after a minor one if you have thin "
    "bones (osteoporosis) or take steroid tablets\n"
    "\n"
    "See your GP urgently or call NHS 111 if you have back pain with:\n"
    "- a high temperature (fever) or feeling hot and shivery\n"
    "- weight loss you cannot explain\n"
    "- a lump or swelling in your back, or a change in its shape\n"
    "- pain that does not ease when you rest, or is worse at night\n"
    "- unsteady walking, or pain like a tight band around your chest or tummy\n"
    "\n"
    "If you take strong painkillers (such as morphine, codeine, tramadol, gabapentin or "
    "pregabalin) or medicines that make you sleepy, call 999 at once if you or someone with "
    "you notices extreme sleepiness, confusion, slow, shallow or difficult breathing, not "
    "responding, or blue lips or fingertips. Carry naloxone if you have been given it.\n"
    "\n"
    "If you have thoughts of ending your life or harming yourself: call 999 if you are in "
    "danger now; call NHS 111 and choose the mental health option, or Samaritans on 116 123 "
    "(free, any time); and use your own safety plan if you have one."
)


class FlareUpPlan(models.Model):
    """The patient's setback plan. Each save is a new version (append-only)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="flare_up_plans"
    )
    version = models.PositiveIntegerField()
    triggers = models.TextField(_("what can trigger a flare-up"))
    early_signs = models.TextField(_("early signs"))
    self_management = models.TextField(_("what I will do"))
    contacts = models.TextField(_("when and whom to contact"))
    opportunity_text = models.TextField(_("setbacks are a chance to practise"))
    # Required in every version: edited by the clinician, never removed (services refuse it empty).
    safety_net = models.TextField(_("seek urgent help if"))
    change_reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"], name="flare_up_one_row_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"Flare-up plan v{self.version}"
