"""Single-case experiments in the care record (issue #4).

A ``Study`` belongs to an episode of care and has outcome ``Measure``s. Before any data are
collected the intervention start is drawn at random from the admissible start points (``Draw``),
so the randomization test is valid (sced.md §5 P12). ``Measurement``s are never overwritten: a
correction is a ``MeasurementAmendment`` that keeps the old value, who, when and why, and the
database refuses an UPDATE of a measurement's original value (migration 0002). ``AnalysisRun``
is the state of one Celery analysis, keyed by a hash of its input.

Phases are not stored on measurements: they are derived from the session number and the phase
start points (the drawn start, or the planned phase lengths), so a measurement cannot disagree
with the design.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sced.stats.randomization import EXACT_LIMIT


class Design(models.TextChoices):
    AB = "AB", _("AB (baseline, intervention)")
    ABA = "ABA", _("ABA (withdrawal)")
    ABAB = "ABAB", _("ABAB (reversal)")
    MBD_BEHAVIOURS = "MBD_behaviours", _("Multiple baseline across behaviours")
    MBD_SETTINGS = "MBD_settings", _("Multiple baseline across settings")
    ATD = "ATD", _("Alternating treatments")
    CHANGING_CRITERION = "changing_criterion", _("Changing criterion")


# The phase sequence of each design, in session order. Multiple-baseline tiers are AB each.
# Alternating treatments: the two conditions, A and B; each session's condition is the drawn
# sequence (Study.atd_sequence), not a phase start. Changing criterion: a baseline and the
# criterion phases of the plan (Study.criteria), "A", "B" only before they are set.
DESIGN_PHASES: dict[str, tuple[str, ...]] = {
    Design.AB: ("A", "B"),
    Design.ABA: ("A1", "B1", "A2"),
    Design.ABAB: ("A1", "B1", "A2", "B2"),
    Design.MBD_BEHAVIOURS: ("A", "B"),
    Design.MBD_SETTINGS: ("A", "B"),
    Design.ATD: ("A", "B"),
    Design.CHANGING_CRITERION: ("A", "B"),
}
# Multiple-baseline designs: one Measure is one tier (a behaviour or a setting), each an AB
# series with its own, staggered intervention start (Baer, Wolf & Risley 1968; WWC 2010).
MBD_DESIGNS = (Design.MBD_BEHAVIOURS, Design.MBD_SETTINGS)
# Designs whose start points the app randomizes (sced.stats.randomization: AB, ABA, ABAB, and
# MBD by Koehler & Levin's regulated randomization).
RANDOMIZABLE_DESIGNS = (Design.AB, Design.ABA, Design.ABAB, *MBD_DESIGNS)


class StudyState(models.TextChoices):
    """planned -> randomized (start drawn) -> collecting (first value) -> closed."""

    PLANNED = "planned", _("Planned")
    RANDOMIZED = "randomized", _("Randomized")
    COLLECTING = "collecting", _("Collecting data")
    CLOSED = "closed", _("Closed")


# The state badge of a study, as Bootstrap contextual classes that set both the background and a
# text colour of sufficient contrast. Bootstrap is on every page, so the badge stays readable
# where sced.css is not loaded (the patient overview loads the SCED summary into its own page;
# a ".badge" there was white on transparent, issue #9).
STATE_BADGE_CLASSES = {
    StudyState.PLANNED: "text-bg-secondary",
    StudyState.RANDOMIZED: "text-bg-info",
    StudyState.COLLECTING: "text-bg-success",
    StudyState.CLOSED: "text-bg-dark",
}


class Improvement(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


class MeasureRole(models.TextChoices):
    # Issue #12: one primary outcome (the randomization test is declared on it before data) and
    # any number of process measures (e.g. pain-related fear, expectancy), described, not tested.
    # Every tier of a multiple baseline is an outcome: each is stored as primary.
    PRIMARY = "primary", _("Primary outcome")
    PROCESS = "process", _("Process measure")


NO_DATA_TO_ANALYSE = "-"


class Study(models.Model):
    episode = models.ForeignKey(
        "patients.Episode", on_delete=models.PROTECT, related_name="sced_studies"
    )
    clinical_question = models.TextField(_("clinical question"))
    design = models.CharField(_("design"), max_length=24, choices=Design.choices)
    # {"A": 7, "B": 14} or {"A1": 5, "B1": 5, "A2": 5, "B2": 5}; keys are phase labels of the
    # design (jsonb does not keep key order, so the order always comes from DESIGN_PHASES).
    planned_phase_lengths = models.JSONField(_("planned phase lengths"), default=dict)
    min_phase_length = models.PositiveSmallIntegerField(_("minimum phase length"), default=3)
    start_date = models.DateField(
        _("first day of the baseline"),
        null=True,
        blank=True,
        help_text=_("Session 1 is this day; daily values then get their session from the date."),
    )
    state = models.CharField(max_length=16, choices=StudyState.choices, default=StudyState.PLANNED)
    # Alternating treatments (issue #12): the condition of each session ("ABBA…", session 1
    # first), drawn before any data under "equal numbers of A and B, at most k consecutive
    # sessions of one condition" (SCRT "ATD"; sced.stats.atd.draw_sequence), with its seed, k and
    # the number of admissible sequences (as digits: it outgrows a bigint for long studies).
    atd_sequence = models.CharField(max_length=200, blank=True, editable=False)
    atd_seed = models.BigIntegerField(null=True, blank=True, editable=False)
    atd_max_consecutive = models.PositiveSmallIntegerField(
        _("largest number of consecutive sessions of one condition"), null=True, blank=True
    )
    atd_n_admissible = models.CharField(max_length=80, blank=True, editable=False)
    # Changing criterion (issue #12): the criterion phases after the baseline, in order,
    # [{"label": "B1", "criterion": 4.0}, …]; each phase's planned length is in
    # planned_phase_lengths under its label. A criterion is set before its phase starts.
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    # The input hash of the data in force, set by ``analysis_request``: the analysis shown is the
    # run of this hash. "The newest run" is not enough: striking out or amending back can return
    # to an earlier run's data (issue #9). NO_DATA_TO_ANALYSE when no value is left in force;
    # "" when never requested (then the newest run is the one).
    analysis_input_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The NAP of the finding in force (its first comparison's estimate and 95% interval, as
    # review.rules.sced_finding reads them from the stored finding of the run in force: the DONE
    # run of ``analysis_input_hash``, or the newest DONE run when that is ""): the team review's
    # "not on track" list selects studies by these three numbers (issue #16: picking the run in
    # force of each of a team's studies and reading its finding took ~36 ms a request at 10,000
    # patients). Null when nothing is in force or it has no NAP. Kept by
    # ``store_in_force_findings`` (a run saved done, a change of the data in force). Derived.
    finding_nap = models.FloatField(null=True, blank=True, editable=False)
    finding_nap_ci_lower = models.FloatField(null=True, blank=True, editable=False)
    finding_nap_ci_upper = models.FloatField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_phase_length__gte=1), name="sced_study_min_phase_positive"
            )
        ]
        # The team review's "not on track" list reads the NAP in force of the studies that have
        # one: an index-only scan of these few columns, not the study rows (issue #16).
        indexes = [
            models.Index(
                fields=["finding_nap", "finding_nap_ci_lower", "finding_nap_ci_upper", "episode"],
                condition=models.Q(finding_nap__isnull=False),
                name="sced_study_finding_nap",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_design_display()} study {self.pk}"

    @property
    def phase_labels(self) -> tuple[str, ...]:
        if self.design == Design.CHANGING_CRITERION and self.criteria:
            return ("A", *(str(c["label"]) for c in self.criteria))
        return DESIGN_PHASES[self.design]

    @property
    def is_atd(self) -> bool:
        return self.design == Design.ATD

    @property
    def is_changing_criterion(self) -> bool:
        return self.design == Design.CHANGING_CRITERION

    @property
    def atd_n_admissible_words(self) -> str:
        """The number of admissible sequences for the page: digits grouped, or its order of
        magnitude when it is too long to read."""
        digits = self.atd_n_admissible
        if not digits:
            return ""
        if len(digits) > 15:
            return f"about 10^{len(digits) - 1}"
        return f"{int(digits):,}"

    @property
    def atd_test_is_exact(self) -> bool:
        """The test enumerates every admissible sequence (else a Monte Carlo sample)."""
        return bool(self.atd_n_admissible) and int(self.atd_n_admissible) <= EXACT_LIMIT

    def criterion_of(self, label: str) -> float | None:
        """The criterion of a changing-criterion phase (None for the baseline)."""
        for c in self.criteria or ():
            if c["label"] == label:
                return float(c["criterion"])
        return None

    @property
    def planned_sessions(self) -> int:
        return sum(int(self.planned_phase_lengths.get(label, 0)) for label in self.phase_labels)

    @property
    def is_randomizable(self) -> bool:
        return self.design in RANDOMIZABLE_DESIGNS

    @property
    def is_mbd(self) -> bool:
        return self.design in MBD_DESIGNS

    @property
    def is_closed(self) -> bool:
        return self.state == StudyState.CLOSED

    @property
    def state_badge_class(self) -> str:
        return STATE_BADGE_CLASSES[self.state]


class Measure(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    range_min = models.FloatField(_("lowest possible value"))
    range_max = models.FloatField(_("highest possible value"))
    improvement = models.CharField(
        _("direction of improvement"), max_length=8, choices=Improvement.choices
    )
    description = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("e.g. 'Daily fear of lifting a crate (exposure hierarchy item)'"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    role = models.CharField(
        _("role"), max_length=8, choices=MeasureRole.choices, default=MeasureRole.PRIMARY
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(range_min__lt=models.F("range_max")),
                name="sced_measure_range_ordered",
            ),
            # "Fear" and "fear" are one measure of a study (issue #9: natural keys compared
            # case-sensitively); study_create refuses them with a message first.
            models.UniqueConstraint(
                "study",
                Lower("name"),
                name="sced_measure_unique_name_ci",
                violation_error_message=_("This study already has a measure with that name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class Draw(models.Model):
    """The randomization of the intervention start, drawn once before data collection.

    ``admissible`` holds every admissible assignment (ints for AB, lists of phase start points
    for ABA/ABAB), ``seed`` the seed the draw is reproducible from
    (``sced.stats.randomization.draw_start_point``), ``start`` the drawn assignment.
    Multiple-baseline designs (regulated randomization, Koehler & Levin 1998; SCRT "MBD"):
    ``admissible`` holds the declared start-point *sets*, one per tier, disjoint and in session
    order, ``start`` one start per tier and ``tiers`` the measure ids in the same order, so
    ``start[i]`` is the intervention start of measure ``tiers[i]``.
    When ``concealed``, the clinician entering data sees "concealed until day N" instead of the
    start until the earliest admissible start has been reached.
    """

    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="draw")
    admissible = models.JSONField()
    seed = models.BigIntegerField()
    start = models.JSONField()
    tiers = models.JSONField(default=list, blank=True)
    concealed = models.BooleanField(_("conceal the start from data entry"), default=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"draw for study {self.study_id}"

    @property
    def starts(self) -> tuple[int, ...]:
        return (int(self.start),) if isinstance(self.start, int) else tuple(self.start)

    def tier_start(self, measure_id: int) -> int | None:
        """The intervention start of one tier of a multiple-baseline draw (None otherwise)."""
        if not self.tiers or measure_id not in self.tiers:
            return None
        return int(self.start[self.tiers.index(measure_id)])


class MeasurementQuerySet(models.QuerySet):
    def in_force(self) -> MeasurementQuerySet:
        """Values that count: not struck out."""
        return self.filter(struck_out_at__isnull=True)


class Measurement(models.Model):
    """One value of a measure at one session. ``original_value`` is immutable (DB trigger);
    ``value`` is the value in force, changed only by ``measurement_amend`` with an amendment row.

    A value entered in error (wrong session, wrong patient, a test entry) is *struck out* by
    ``measurement_strike_out`` with a reason: the row is kept, who struck it, when and why, but it
    no longer counts anywhere (analysis, plots, export, next expected session), and its session
    may take a new value. Striking out cannot be undone or edited (DB trigger, migration 0004).
    """

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="measurements")
    session = models.PositiveIntegerField(_("session"))
    date = models.DateField(_("date"), null=True, blank=True)
    original_value = models.FloatField()
    value = models.FloatField(_("value"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    struck_out_at = models.DateTimeField(_("struck out at"), null=True, blank=True)
    struck_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    struck_out_reason = models.CharField(_("reason for striking out"), max_length=300, blank=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["measure_id", "session", "id"]
        constraints = [
            # One value in force per session; struck-out values do not count, so a session whose
            # value was struck out can take the right one.
            models.UniqueConstraint(
                fields=["measure", "session"],
                condition=models.Q(struck_out_at__isnull=True),
                name="sced_measurement_one_live_per_session",
            ),
            models.CheckConstraint(
                condition=models.Q(struck_out_at__isnull=True)
                | (models.Q(struck_out_by__isnull=False) & ~models.Q(struck_out_reason="")),
                name="sced_measurement_strike_has_who_and_why",
            ),
            models.CheckConstraint(
                condition=models.Q(session__gte=1), name="sced_measurement_session_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.session}"

    @property
    def is_amended(self) -> bool:
        return self.value != self.original_value

    @property
    def is_struck_out(self) -> bool:
        return self.struck_out_at is not None


class MeasurementAmendment(models.Model):
    measurement = models.ForeignKey(
        Measurement, on_delete=models.PROTECT, related_name="amendments"
    )
    old_value = models.FloatField()
    new_value = models.FloatField()
    reason = models.CharField(_("reason"), max_length=300)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        return f"amendment of {self.measurement_id}"


class AnalysisState(models.TextChoices):
    """queued -> running -> done | failed; failed -> queued on retry (paperless PaperlessTask).

    not_enqueued: saved, but the job service (the broker) could not take the job; the periodic
    sweep (sced.tasks.sweep_analysis_runs) and Retry send it again (issue #15)."""

    QUEUED = "queued", _("Queued")
    NOT_ENQUEUED = "not_enqueued", _("Waiting for the job service")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RequeueReason(models.TextChoices):
    """Why the sweep or a clinician sent a run again (shown on the results panel)."""

    NOT_ENQUEUED = "not_enqueued", _("The job service was not reachable")
    STALE_QUEUE = "stale_queue", _("The job waited too long in the queue")
    WORKER_LOST = "worker_lost", _("The worker stopped")
    RETRY = "retry", _("Retried")


class PlotsState(models.TextChoices):
    """The graphs of a done run (issue #16: statistics first, the graphs drawn after them by
    sced.tasks.render_plots): pending -> drawing -> ready | failed; failed -> pending on retry."""

    PENDING = "pending", _("Waiting to be drawn")
    DRAWING = "drawing", _("Drawing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


# The first measure's result cut down in SQL to what the team review's finding reads
# (review.rules.sced_finding) (its name,
# its randomization's p value, and the NAP of its first comparison, in the stored key order):
# ~10 KB of analysis per study was decoded in Python for four numbers (issue #16). Keys it does
# not read are left out; the ones it reads keep their values, so the finding is the same.
# Built up from the few paths it reads rather than by rewriting the whole measure, and with the
# measure and its comparisons taken out once (OFFSET 0 keeps PostgreSQL from pasting the
# expression into each use): expanding every comparison with jsonb_each and rewriting the measure
# with jsonb_set took ~0.45 ms a study, most of the team review's SQL once the first and latest
# results were stored (issue #16). Stored once per run since (AnalysisRun.finding): reading
# it from every study's results on each request took ~0.15 ms a study.
_FIRST_COMPARISON_NAP = """
    CASE WHEN jsonb_typeof(c) = 'object' AND c <> '{}'::jsonb THEN (
        SELECT jsonb_build_object(k, CASE
            WHEN jsonb_typeof(c -> k) = 'object'
                 AND jsonb_typeof(c -> k -> 'effect_sizes') = 'object'
            THEN jsonb_build_object(
                'effect_sizes', jsonb_build_object('NAP', c -> k -> 'effect_sizes' -> 'NAP'))
            ELSE c -> k END)
        FROM (SELECT jsonb_object_keys(c) AS k LIMIT 1) AS first_key
    ) ELSE c END
"""
_FINDING_ENTRY_SQL = f"""(
    SELECT CASE WHEN jsonb_typeof(m -> 'analysis') = 'object' THEN
        jsonb_build_object('analysis', CASE WHEN (m -> 'analysis') ? 'comparisons' THEN (
            SELECT jsonb_build_object('comparisons', {_FIRST_COMPARISON_NAP})
            FROM (SELECT m -> 'analysis' -> 'comparisons' AS c OFFSET 0) AS comparisons
        ) ELSE '{{}}'::jsonb END)
        || CASE WHEN m ? 'name' THEN jsonb_build_object('name', m -> 'name')
           ELSE '{{}}'::jsonb END
        || CASE
            WHEN jsonb_typeof(m -> 'randomization') = 'object' THEN jsonb_build_object(
                'randomization', CASE WHEN (m -> 'randomization') ? 'p_value'
                    THEN jsonb_build_object('p_value', m -> 'randomization' -> 'p_value')
                    ELSE '{{}}'::jsonb END)
            WHEN m ? 'randomization' THEN jsonb_build_object('randomization', m -> 'randomization')
            ELSE '{{}}'::jsonb END
    ELSE m END
    FROM (SELECT "sced_analysisrun"."results" -> 'measures' -> 0 AS m OFFSET 0) AS first_measure
)"""


def store_findings(runs) -> int:
    """Store the finding of each DONE run of ``runs`` (a queryset) from its results: one UPDATE.
    Called when a run is saved done (``AnalysisRun.save``), by the migration that added the
    column and by bulk loads that bypass ``save`` with runs of their own."""
    return runs.filter(state=AnalysisState.DONE).update(finding=_finding_rule())


def _finding_rule() -> RawSQL | KeyTransform:
    """AnalysisRun.finding as an expression over the run's row (``store_findings``)."""
    if connection.vendor == "postgresql":
        return RawSQL(_FINDING_ENTRY_SQL, (), output_field=models.JSONField())
    return KeyTransform("0", KeyTransform("measures", "results"))


def stale_findings(runs) -> list[int]:
    """The ids of the DONE runs of ``runs`` whose stored finding is not what ``store_findings``
    would store (compared in Python: the findings are a few hundred bytes each)."""
    rows = (
        runs.filter(state=AnalysisState.DONE)
        .order_by()
        .annotate(wanted=_finding_rule())
        .values_list("pk", "finding", "wanted")
    )
    return [pk for pk, stored, wanted in rows if stored != wanted]


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def first_comparison_nap(finding) -> tuple[float | None, float | None, float | None]:
    """(estimate, 95% lower, 95% upper) of the NAP of a stored finding's first comparison, read
    as review.rules.sced_finding reads it (tests/review/test_team_scale.py checks they agree);
    (None, None, None) when it has none."""
    if not isinstance(finding, dict) or "analysis" not in finding:
        return None, None, None
    comparisons = (finding.get("analysis") or {}).get("comparisons") or {}
    comparison = next(iter(comparisons.values()), None) if isinstance(comparisons, dict) else None
    if not isinstance(comparison, dict) or not comparison:
        return None, None, None
    nap = (comparison.get("effect_sizes") or {}).get("NAP") or {}
    estimate = _number(nap.get("estimate")) if isinstance(nap, dict) else None
    if estimate is None:
        return None, None, None
    return estimate, _number(nap.get("ci_lower")), _number(nap.get("ci_upper"))


def store_in_force_findings(studies) -> int:
    """Store on each of ``studies`` (a Study queryset) the NAP of its finding in force
    (Study.finding_nap and its interval): one read of the runs in force, then an UPDATE of the
    studies whose numbers changed. Called when a run is saved done (``AnalysisRun.save``), when
    the data in force changes (sced.services.analysis_request), by the migration that added the
    columns and by bulk loads that bypass both. Returns how many it rewrote."""
    changed = in_force_finding_changes(studies)
    Study.objects.bulk_update(
        changed, ["finding_nap", "finding_nap_ci_lower", "finding_nap_ci_upper"], batch_size=1000
    )
    return len(changed)


def in_force_finding_changes(studies, *, finding_from_results: bool = False) -> list[Study]:
    """The studies of ``studies`` whose stored NAP in force differs from the rule of
    ``store_in_force_findings`` (the stored finding of the run in force), each with the values it
    should hold (unsaved). ``finding_from_results``: read the run's finding as ``store_findings``
    makes it from the results, not as stored, so a stale stored finding does not hide a stale
    NAP (``manage.py refresh_derived --check``)."""
    hashes = dict(studies.values_list("pk", "analysis_input_hash"))
    if not hashes:
        return []
    runs = AnalysisRun.objects.filter(study_id__in=list(hashes), state=AnalysisState.DONE).order_by(
        "study_id", "-created_at", "-id"
    )
    in_force: dict[int, tuple] = {}
    if finding_from_results:
        runs = runs.annotate(rule=_finding_rule())
    finding_column = "rule" if finding_from_results else "finding"
    for study_id, run_hash, finding in runs.values_list("study_id", "input_hash", finding_column):
        wanted = hashes[study_id]
        if study_id not in in_force and (wanted == "" or run_hash == wanted):
            in_force[study_id] = first_comparison_nap(finding)
    current = studies.filter(pk__in=list(hashes)).values_list(
        "pk", "finding_nap", "finding_nap_ci_lower", "finding_nap_ci_upper"
    )
    return [
        Study(pk=pk, finding_nap=new[0], finding_nap_ci_lower=new[1], finding_nap_ci_upper=new[2])
        for pk, *old in current
        if tuple(old) != (new := in_force.get(pk, (None, None, None)))
    ]


class AnalysisRun(models.Model):
    """One analysis of a study's data, keyed by a hash of everything it reads (idempotent)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="analysis_runs")
    input_hash = models.CharField(max_length=64)
    inputs = models.JSONField(default=dict)  # what was analysed: phases per measure, settings
    state = models.CharField(
        max_length=16, choices=AnalysisState.choices, default=AnalysisState.QUEUED
    )
    error = models.TextField(blank=True)
    # Each (re)send of the job is a new dispatch; a message of an earlier dispatch is stale and
    # does nothing (the task compares), so a sweep's resend never computes a run twice.
    dispatch = models.PositiveIntegerField(default=1)
    queued_at = models.DateTimeField(default=timezone.now)
    worker = models.CharField(max_length=200, blank=True)  # the Celery node running it
    requeued_at = models.DateTimeField(null=True, blank=True)
    requeue_reason = models.CharField(max_length=16, choices=RequeueReason.choices, blank=True)
    results = models.JSONField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The graphs come after the statistics (issue #16); their own state, error and dispatch.
    plots_state = models.CharField(
        max_length=16, choices=PlotsState.choices, default=PlotsState.PENDING
    )
    plots_error = models.TextField(blank=True)
    plots_dispatch = models.PositiveIntegerField(default=1)
    # The first measure's result cut down to what the team review reads (its name, the NAP of
    # its first comparison, its randomization p), stored when the run is saved done, so the
    # review reads a few hundred bytes per study instead of cutting ~10 KB of results on every
    # request (issue #16). Derived from ``results``: never edited.
    finding = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "input_hash"], name="sced_analysis_unique_input"
            )
        ]
        indexes = [models.Index(fields=["study", "-created_at"], name="sced_run_latest")]

    def __str__(self) -> str:
        return f"analysis {self.pk} ({self.state})"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if self.state == AnalysisState.DONE and (
            fields is None or {"results", "state"} & set(fields)
        ):
            store_findings(type(self).objects.filter(pk=self.pk))
            store_in_force_findings(Study.objects.filter(pk=self.study_id))


class PlotKind(models.TextChoices):
    SCED = "sced", _("SCED graph")
    RANDOMIZATION = "randomization", _("Randomization distribution")
    # Multiple-baseline study: stacked tiers and the test across tiers (stored with the first
    # tier's measure).
    MBD = "mbd", _("Multiple-baseline graph")
    MBD_RANDOMIZATION = "mbd_rand", _("Multiple-baseline randomization distribution")


class AnalysisPlot(models.Model):
    """A rendered plot, stored in the database and served only through an access-checked view."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="plots")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=PlotKind.choices)
    png = models.BinaryField()
    # Drawn on first request (the page shows the PNG; the SVG is the print download), then kept.
    svg = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "measure", "kind"], name="sced_plot_unique_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} plot of run {self.run_id}"


class DiaryLinkKind(models.TextChoices):
    SINGLE = "single", _("Single use: one day's values")
    RECURRING = "recurring", _("Recurring: one value a day until it expires")


class DiaryLink(models.Model):
    """A link through which a patient without an account enters today's values of one study.

    The same pattern as ``assessment.PatientLink``: the token is never stored, only its SHA-256,
    so a database leak gives no usable links. A single-use link is used up by its first saved
    day; a recurring link takes one value per measure per day until it expires. Revoked,
    expired, used links and links of a closed study give access to nothing.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="diary_links")
    kind = models.CharField(_("kind"), max_length=10, choices=DiaryLinkKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_entry_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)  # single-use links only
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"diary link for study {self.study_id}"

    def status(self, now) -> str:
        """open, used, revoked or expired (a word for the page, never only a colour)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        if self.expires_at <= now:
            return "expired"
        return "open"
