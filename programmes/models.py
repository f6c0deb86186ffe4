"""Pain Management Programmes (PMP): programmes, cohorts, staff, timetable, referral and
enrolment, suitability screening, attendance, group climate (GCQ-S) and cohort outcomes.

Kept in its own app (issue #6). The rules live in the pure modules ``suitability``,
``standards`` and ``outcomes``; these models store what was recorded, by whom and when.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessment import instruments
from painclinic.models import Discipline
from painclinic.validators import past_clinical_date, planned_clinical_date
from programmes.suitability import ADMIN_SUMMARY, DECISION_LABELS


class ProgrammeKind(models.TextChoices):
    OUTPATIENT = "outpatient", _("Outpatient")
    RESIDENTIAL = "residential", _("Residential")
    YOUNG_ADULT = "young_adult", _("Young-adult")


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("type"), max_length=16, choices=ProgrammeKind.choices)
    team = models.ForeignKey("painclinic.Team", on_delete=models.PROTECT, related_name="programmes")
    description = models.TextField(_("description"), blank=True)
    # Outcome windows (issue #6): the signed assessment nearest each anchor date, inside its
    # window, is the participant's pre / post / follow-up score. Defaults: pre from 6 weeks before
    # to 1 week after the cohort start (anchor: start); post ±4 weeks around the cohort end
    # (anchor: end); follow-up 12 weeks after the end ±4 weeks (anchor: end + 12 weeks).
    # At most a year either way (the page's form has always said so; the admin too now).
    pre_weeks_before = models.PositiveSmallIntegerField(
        _("pre: weeks before the start"), default=6, validators=[MaxValueValidator(52)]
    )
    pre_weeks_after = models.PositiveSmallIntegerField(
        _("pre: weeks after the start"), default=1, validators=[MaxValueValidator(52)]
    )
    post_weeks_around = models.PositiveSmallIntegerField(
        _("post: weeks either side of the end"), default=4, validators=[MaxValueValidator(52)]
    )
    follow_up_weeks = models.PositiveSmallIntegerField(
        _("follow-up: weeks after the end"), default=12, validators=[MaxValueValidator(52)]
    )
    follow_up_weeks_around = models.PositiveSmallIntegerField(
        _("follow-up: weeks either side"), default=4, validators=[MaxValueValidator(52)]
    )
    # Who counts as a completer. shared/reference names no PMP completion rule, and the
    # British Pain Society guidelines (2013) set a minimum programme input, not a minimum
    # attendance: clinic policy (UNVERIFIED), half of the timetabled sessions by default,
    # changeable per programme. Checked when an enrolment is marked completed.
    completion_min_percent = models.PositiveSmallIntegerField(
        _("sessions attended to complete (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A participant is marked completed only after attending this share."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            # Names compare case-insensitively ("PMP" and "pmp" are one programme of a team).
            models.UniqueConstraint(
                "team",
                Lower("name"),
                name="programme_unique_team_name_ci",
                violation_error_message=_("This team already has a programme with that name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        weeks, around = self.follow_up_weeks, self.follow_up_weeks_around
        if weeks is not None and around is not None and around >= weeks:
            raise ValidationError(FOLLOW_UP_TOO_WIDE)


# Plausible dates: the one rule of painclinic/validators.py (clinical events from 1 Jan 2000 and
# not in the future; planned dates at most two years ahead). A PMP runs for weeks (BPS 2013: 12
# half-days or more), never over a year.
MAX_COHORT_WEEKS = 52
TOO_LONG = _("A cohort runs for at most a year (52 weeks): check the dates.")


def _problem(check, day, **kwargs) -> str:
    try:
        check(day, **kwargs)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def past_date_problem(day) -> str:
    """Why ``day`` cannot be the date of something that has happened ('' when it can)."""
    return _problem(past_clinical_date, day)


def planned_date_problem(day, **kwargs) -> str:
    """Why ``day`` cannot be a planned date (a cohort's start, a session) ('' when it can)."""
    return _problem(planned_clinical_date, day, **kwargs)


FOLLOW_UP_TOO_WIDE = _(
    "The follow-up window must start after the cohort ends: make its weeks either side fewer "
    "than its weeks after the end."
)
COHORT_NAME_TAKEN = _("This programme already has a cohort with that name.")
ENDS_BEFORE_START = _("The cohort cannot end before it starts.")
SESSIONS_OUTSIDE_DATES = (
    "%(n)s session of the timetable falls outside these dates: move it first.",
    "%(n)s sessions of the timetable fall outside these dates: move them first.",
)
SESSION_OUTSIDE_COHORT = _(
    "A session must fall within the cohort's dates (%(start)s to %(end)s); %(day)s is outside them."
)


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=120)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=200)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            # One cohort name per programme, whatever the case (issue #9: natural keys).
            models.UniqueConstraint(
                "programme",
                Lower("name"),
                name="cohort_unique_programme_name_ci",
                violation_error_message=COHORT_NAME_TAKEN,
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="cohort_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="cohort_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError({"end_date": ENDS_BEFORE_START})
            errors = {
                name: problem
                for name, problem in (
                    ("start_date", planned_date_problem(self.start_date)),
                    ("end_date", planned_date_problem(self.end_date)),
                )
                if problem
            }
            if errors:
                raise ValidationError(errors)
            if (self.end_date - self.start_date).days > MAX_COHORT_WEEKS * 7:
                raise ValidationError({"end_date": TOO_LONG})
            if self.pk:  # an edit (admin) must not strand timetabled sessions
                outside = self.sessions.exclude(
                    date__gte=self.start_date, date__lte=self.end_date
                ).count()
                if outside:
                    message = ngettext(*SESSIONS_OUTSIDE_DATES, outside) % {"n": outside}
                    raise ValidationError(message)


class StaffMember(models.Model):
    """One person on a cohort's roster. Staff from outside the clinic have no user account."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("name"), max_length=120)
    discipline = models.CharField(_("discipline"), max_length=32, choices=Discipline.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pmp_rosters",
    )

    class Meta:
        ordering = ["discipline", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_discipline_display()})"


class SessionLength(models.TextChoices):
    MORNING = "am", _("Half-day (morning)")
    AFTERNOON = "pm", _("Half-day (afternoon)")
    FULL_DAY = "day", _("Full day")
    HOURS = "hours", _("Hours")


class Component(models.TextChoices):
    # The content areas of a PMP (issue #6; British Pain Society PMP guidelines 2013).
    EDUCATION = "education", _("Education")
    CBT = "cbt", _("CBT and psychological skills")
    ACTIVITY = "activity", _("Activity management")
    EXERCISE = "exercise", _("Exercise")
    RELAXATION = "relaxation", _("Relaxation / mindfulness")
    MEDICATION_SLEEP = "medication_sleep", _("Medication and sleep")
    COMMUNICATION = "communication", _("Communication")


class ProgrammeSession(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    length = models.CharField(_("length"), max_length=8, choices=SessionLength.choices)
    hours = models.DecimalField(_("hours of input"), max_digits=4, decimal_places=1)
    components = models.JSONField(_("components"), default=list)
    title = models.CharField(_("title"), max_length=160, blank=True)

    class Meta:
        ordering = ["date", "length", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=Decimal("12")),
                name="programme_session_hours_sensible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.get_length_display()}"

    def clean(self) -> None:
        super().clean()
        cohort = self.cohort if self.cohort_id else None
        if cohort is not None and self.date is not None:
            problem = session_date_problem(cohort, self.date)
            if problem:
                raise ValidationError({"date": problem})

    def component_labels(self) -> list[str]:
        labels = dict(Component.choices)
        return [str(labels.get(c, c)) for c in self.components]


def session_date_problem(cohort: Cohort, day) -> str:
    """Why ``day`` cannot be a session of ``cohort`` ('' when it can)."""
    if cohort.start_date <= day <= cohort.end_date:
        return ""
    return str(
        SESSION_OUTSIDE_COHORT
        % {
            "start": f"{cohort.start_date:%d %b %Y}",
            "end": f"{cohort.end_date:%d %b %Y}",
            "day": f"{day:%d %b %Y}",
        }
    )


class EnrolmentState(models.TextChoices):
    REFERRED = "referred", _("Referred")
    SCREENED = "screened", _("Screened")
    OFFERED = "offered", _("Offered a place")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The enrolment state machine (issue #6). Withdrawal is possible from every open state; completed
# and withdrawn are final (a new referral is a new Enrolment row).
ENROLMENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    EnrolmentState.REFERRED: (EnrolmentState.SCREENED, EnrolmentState.WITHDRAWN),
    EnrolmentState.SCREENED: (EnrolmentState.OFFERED, EnrolmentState.WITHDRAWN),
    EnrolmentState.OFFERED: (EnrolmentState.ENROLLED, EnrolmentState.WITHDRAWN),
    EnrolmentState.ENROLLED: (EnrolmentState.COMPLETED, EnrolmentState.WITHDRAWN),
    EnrolmentState.COMPLETED: (),
    EnrolmentState.WITHDRAWN: (),
}


class WithdrawalReason(models.TextChoices):
    DECLINED = "declined", _("Declined the offer")
    NOT_SUITABLE = "not_suitable", _("Not suitable after screening")
    HEALTH = "health", _("Health reasons")
    PRACTICAL = "practical", _("Practical barriers (travel, work, care duties)")
    DID_NOT_ATTEND = "did_not_attend", _("Stopped attending")
    OTHER = "other", _("Other")


class Enrolment(models.Model):
    """A patient's way through one programme: referral to completion or withdrawal."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="pmp_enrolments"
    )
    state = models.CharField(max_length=16, choices=EnrolmentState.choices)
    state_since = models.DateField()
    referred_on = models.DateField(_("referred on"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.CharField(
        max_length=20, choices=WithdrawalReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient__family_name", "patient__given_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="withdrawn") | ~models.Q(withdrawal_reason=""),
                name="enrolment_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["enrolled", "completed"])
                | models.Q(cohort__isnull=False),
                name="enrolment_enrolled_has_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} in {self.programme} ({self.get_state_display()})"


class EnrolmentStateChange(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="changes")
    from_state = models.CharField(max_length=16, choices=EnrolmentState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=EnrolmentState.choices)
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=20, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state} on {self.changed_on}"

    @property
    def reason_label(self) -> str:
        """The withdrawal reason in words (the stored key is not for pages)."""
        if not self.reason:
            return ""
        return str(dict(WithdrawalReason.choices).get(self.reason, self.reason))


class Readiness(models.TextChoices):
    READY = "ready", _("Ready to try the self-management approach")
    UNSURE = "unsure", _("Unsure; wants to know more")
    NOT_READY = "not_ready", _("Not ready (seeking a cure or further investigation)")


class SuitabilityScreening(models.Model):
    """Referral suitability, recorded once per enrolment (the latest row counts)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="screenings")
    screened_on = models.DateField(_("screened on"))
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    readiness = models.CharField(_("readiness"), max_length=16, choices=Readiness.choices)
    practical_barriers = models.CharField(
        _("practical barriers to group attendance"), max_length=300, blank=True
    )
    acute_psychiatric_need = models.BooleanField(
        _("acute psychiatric need (e.g. active psychosis, severe PTSD)"), default=False
    )
    severe_cognitive_impairment = models.BooleanField(
        _("severe cognitive impairment"), default=False
    )
    profound_disability_or_fatigue = models.BooleanField(
        _("profound disability or fatigue"), default=False
    )
    litigation_pending = models.BooleanField(
        _("litigation or compensation claim pending"), default=False
    )
    decision = models.CharField(max_length=24)  # suitability.Decision value at the time
    reasons = models.JSONField(default=list)  # the reasons shown, as computed then
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-screened_on", "-id"]

    def __str__(self) -> str:
        return f"Screening on {self.screened_on}: {self.decision}"

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS.get(self.decision, self.decision)

    @property
    def admin_summary(self) -> str:
        """The decision as someone without clinical access may see it (programmes.policy)."""
        return ADMIN_SUMMARY.get(self.decision, "")


class Attendance(models.Model):
    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.CASCADE, related_name="attendances"
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    attended = models.BooleanField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="attendance_unique_session_enrolment"
            )
        ]

    def __str__(self) -> str:
        return f"{'attended' if self.attended else 'absent'} session {self.session_id}"


class GroupClimateRating(models.Model):
    """One participant's GCQ-S for one session (instruments.md §20), scored by the library."""

    session = models.ForeignKey(
        ProgrammeSession, on_delete=models.CASCADE, related_name="climate_ratings"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="climate_ratings"
    )
    answers = models.JSONField()
    engaged = models.FloatField()
    avoiding = models.FloatField()
    conflict = models.FloatField()
    definition_version = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="gcqs_unique_session_enrolment"
            )
        ]

    def __str__(self) -> str:
        return f"GCQ-S for session {self.session_id}"


class GroupClimateAmendment(models.Model):
    """A GCQ-S as it was before a second entry for the same participant and session replaced
    it: the earlier answers and scores, who had entered them, who changed them, when and why."""

    rating = models.ForeignKey(
        GroupClimateRating, on_delete=models.CASCADE, related_name="amendments"
    )
    old_answers = models.JSONField()
    old_engaged = models.FloatField()
    old_avoiding = models.FloatField()
    old_conflict = models.FloatField()
    old_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    old_recorded_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="gcqs_amendment_has_reason")
        ]

    def __str__(self) -> str:
        return f"GCQ-S amendment {self.pk} of rating {self.rating_id}"


class OutcomeTimePoint(models.TextChoices):
    PRE = "pre", _("Pre-programme")
    POST = "post", _("Post-programme")
    FOLLOW_UP = "follow_up", _("Follow-up")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    HIGHER_IS_WORSE = "higher_is_worse", _("Higher is worse")


def outcome_instrument_choices() -> list[tuple[str, str]]:
    """The instrument library's questionnaires with a total score: cohort outcomes compare each
    participant's total (selectors._signed_candidates), so subscale-only ones cannot serve."""
    return [(d.key, d.short_name) for d in instruments.all_instruments() if d.primary]


def instrument_total_range(key: str) -> tuple[float, float] | None:
    """The declared range of the instrument's total (its primary score) from the library."""
    try:
        definition = instruments.get(key)
    except KeyError:
        return None
    rule = next((r for r in definition.scores if r.id == definition.primary), None)
    return (float(rule.range[0]), float(rule.range[1])) if rule is not None else None


RELIABILITY_RANGE = _("A reliability is a coefficient between 0 and 1 (exclusive), e.g. 0.85.")
SD_POSITIVE = _("A standard deviation is greater than 0.")
UNKNOWN_INSTRUMENT = _("Choose an instrument from the instrument library.")


def validate_reliability(value: float) -> None:
    # The RCI's SEM = SD * sqrt(1 - r) (instruments.md §23): r = 1 gives no error, r > 1 none real.
    if value is not None and not 0 < value < 1:
        raise ValidationError(RELIABILITY_RANGE, code="reliability_range")


def validate_sd(value: float) -> None:
    if value is not None and not value > 0:
        raise ValidationError(SD_POSITIVE, code="sd_positive")


def validate_outcome_instrument(value: str) -> None:
    if value not in dict(outcome_instrument_choices()):
        raise ValidationError(UNKNOWN_INSTRUMENT, code="unknown_instrument")


class ProgrammeMeasure(models.Model):
    """A core outcome measure of a programme with the inputs its reliable change needs.

    SD and reliability are entered with their source (instruments.md §23: store the inputs with
    each result); where they are missing reliable change is 'not available', never guessed.
    The instrument is a choice from the instrument library (a free-text key that matched nothing
    left every participant without a score, issue #9).
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="measures")
    instrument_key = models.CharField(
        _("instrument"),
        max_length=32,
        choices=outcome_instrument_choices,
        validators=[validate_outcome_instrument],
    )
    label = models.CharField(_("label"), max_length=80)
    direction = models.CharField(max_length=20, choices=Direction.choices)
    sd = models.FloatField(
        _("SD (pre-treatment or normative)"), null=True, blank=True, validators=[validate_sd]
    )
    reliability = models.FloatField(
        _("reliability"), null=True, blank=True, validators=[validate_reliability]
    )
    source = models.CharField(_("source of SD and reliability"), max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "instrument_key"], name="programme_measure_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(reliability__isnull=True)
                | models.Q(reliability__gt=0, reliability__lt=1),
                name="programme_measure_reliability_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(sd__isnull=True) | models.Q(sd__gt=0),
                name="programme_measure_sd_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def instrument_name(self) -> str:
        return dict(outcome_instrument_choices()).get(self.instrument_key, self.label)


SCORE_OUT_OF_RANGE = _("A %(name)s score runs from %(low)s to %(high)s; %(value)s is outside it.")
SCORE_NOT_SCORABLE = _("%(name)s is not in the instrument library: its scores cannot be checked.")


def outcome_value_problem(measure: ProgrammeMeasure, value: float) -> str:
    """Why ``value`` cannot be a total of the measure's instrument ('' when it can)."""
    span = instrument_total_range(measure.instrument_key)
    if span is None:
        return str(SCORE_NOT_SCORABLE % {"name": measure.label})
    low, high = span
    if not low <= value <= high:
        return str(
            SCORE_OUT_OF_RANGE
            % {
                "name": measure.instrument_name,
                "low": f"{low:g}",
                "high": f"{high:g}",
                "value": f"{value:g}",
            }
        )
    return ""


class OutcomeScore(models.Model):
    """A score collected outside painclinic and typed in. Changed only by an amendment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="outcomes")
    measure = models.ForeignKey(ProgrammeMeasure, on_delete=models.PROTECT, related_name="+")
    time_point = models.CharField(max_length=16, choices=OutcomeTimePoint.choices)
    value = models.FloatField()
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "measure", "time_point"], name="outcome_unique_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_time_point_display()}: {self.value:g}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.measure_id and self.value is not None:
            problem = outcome_value_problem(self.measure, self.value)
            if problem:
                errors["value"] = problem
        problem = past_date_problem(self.recorded_on)
        if problem:
            errors["recorded_on"] = problem
        if errors:
            raise ValidationError(errors)


class OutcomeScoreAmendment(models.Model):
    """The value an entered score had before an amendment: who changed it, when and why
    (DESIGN.md: clinical records are not overwritten)."""

    score = models.ForeignKey(OutcomeScore, on_delete=models.CASCADE, related_name="amendments")
    old_value = models.FloatField()
    old_recorded_on = models.DateField()
    old_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="outcome_amendment_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Score amendment {self.pk} of score {self.score_id}"
